import { createHash } from 'node:crypto';
import { type Digest, legacyMediaTypes, normalizeMediaType } from '../core/types.js';

/**
 * The digest a registry names a manifest's bytes by. For every type but one it is the SHA-256 of
 * the exact bytes received. A signed schema 1 manifest (`…manifest.v1+prettyjws`) is named by the
 * digest of its signed payload: the bytes without the `signatures` the registry embeds, which the
 * JWS protected header says how to rebuild (libtrust's `formatLength` and `formatTail`).
 */
export function manifestDigest(bytes: Buffer, mediaType?: string): Digest {
  return sha256((mayBeSchema1(mediaType) && signedPayload(bytes)) || bytes);
}

export function sha256(bytes: Buffer): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Schema 1 by its type, or a type that does not say (some registries answer `application/json`). */
function mayBeSchema1(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return true;
  const type = normalizeMediaType(mediaType);
  return legacyMediaTypes.has(type) || type === 'application/json';
}

/** The payload the first signature covers, or undefined when the manifest carries no usable one. */
function signedPayload(bytes: Buffer): Buffer | undefined {
  try {
    const document = JSON.parse(bytes.toString('utf8')) as {
      schemaVersion?: unknown;
      mediaType?: unknown;
      fsLayers?: unknown;
      manifests?: unknown;
      signatures?: { protected?: unknown }[];
    };
    // Only a document that is schema 1 through and through: anything else signed this way could be
    // an index dressed up to hash like another (its bytes would then be parsed, not its payload).
    const declared =
      typeof document.mediaType === 'string' ? normalizeMediaType(document.mediaType) : undefined;
    if (
      document.schemaVersion !== 1 ||
      !Array.isArray(document.fsLayers) ||
      'manifests' in document ||
      (declared !== undefined && !legacyMediaTypes.has(declared))
    )
      return undefined;
    const header = document.signatures?.[0]?.protected;
    if (typeof header !== 'string') return undefined;
    const format = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as {
      formatLength?: unknown;
      formatTail?: unknown;
    };
    if (typeof format.formatLength !== 'number' || typeof format.formatTail !== 'string') return undefined;
    if (format.formatLength < 0 || format.formatLength > bytes.length) return undefined;
    return Buffer.concat([
      bytes.subarray(0, format.formatLength),
      Buffer.from(format.formatTail, 'base64url'),
    ]);
  } catch {
    return undefined;
  }
}
