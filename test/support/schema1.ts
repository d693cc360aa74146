import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/**
 * A signed Docker schema 1 manifest, as old Docker clients pushed them: the manifest JSON with a
 * libtrust JWS embedded under `signatures`. Its digest is that of the payload without the
 * signatures, so its bytes never hash to it — what used to block a handler forever.
 */
export function signedSchema1Manifest(options: {
  repository: string;
  tag: string;
  layerDigest: string;
  created: Date;
}): { text: string; digest: string } {
  const manifest = {
    schemaVersion: 1,
    name: options.repository,
    tag: options.tag,
    architecture: 'amd64',
    fsLayers: [{ blobSum: options.layerDigest }],
    history: [
      {
        v1Compatibility: JSON.stringify({
          id: createHash('sha256').update(options.tag).digest('hex'),
          created: options.created.toISOString(),
          container_config: { Cmd: ['/bin/sh'] },
        }),
      },
    ],
  };
  const indent = '   ';
  const content = Buffer.from(JSON.stringify(manifest, null, indent));
  // libtrust signs everything up to the last value, then the closing brace is the "format tail".
  const formatLength = content.lastIndexOf('}') - 1;
  const formatTail = content.subarray(formatLength);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const protectedHeader = Buffer.from(
    JSON.stringify({
      formatLength,
      formatTail: formatTail.toString('base64url'),
      time: options.created.toISOString().replace(/\.\d+Z$/, 'Z'),
    }),
  ).toString('base64url');
  const payload = content.subarray(0, formatLength);
  const signingInput = `${protectedHeader}.${Buffer.concat([payload, formatTail]).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(signingInput), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  }).toString('base64url');
  const signatures = [
    { header: { jwk: publicJwk(publicKey), alg: 'ES256' }, signature, protected: protectedHeader },
  ];
  const signaturesText = JSON.stringify(signatures, null, indent).replace(/\n/g, `\n${indent}`);
  const text = `${payload.toString('utf8')},\n${indent}"signatures": ${signaturesText}${formatTail.toString('utf8')}`;
  return {
    text,
    digest: `sha256:${createHash('sha256')
      .update(Buffer.concat([payload, formatTail]))
      .digest('hex')}`,
  };
}

/** The JWK libtrust expects, with its key id: the key's SHA-256 fingerprint in base32 groups of four. */
function publicJwk(publicKey: KeyObject): Record<string, string> {
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const fingerprint = base32(createHash('sha256').update(der).digest().subarray(0, 30));
  const kid = fingerprint.match(/.{4}/g)?.join(':') ?? fingerprint;
  return { crv: 'P-256', kid, kty: 'EC', x: jwk.x as string, y: jwk.y as string };
}

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let output = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) output += alphabet[(value << (5 - bits)) & 31];
  return output;
}
