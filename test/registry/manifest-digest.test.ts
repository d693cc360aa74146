import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MediaType } from '../../src/core/types.js';
import { manifestDigest, sha256 } from '../../src/registry/manifest-digest.js';
import { signedSchema1Manifest } from '../support/schema1.js';

const hash = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('manifestDigest: the digest a registry names bytes by', () => {
  it('is the hash of the bytes for every type but signed schema 1', () => {
    const text = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }),
    );
    for (const type of [MediaType.ociIndex, 'application/json', undefined])
      expect(manifestDigest(text, type)).toBe(hash(text));
  });

  it('is the hash of the signed payload for a signed schema 1 manifest', () => {
    const signed = signedSchema1Manifest({
      repository: 'legacy',
      tag: 'v1',
      layerDigest: sha256(Buffer.from('layer')),
      created: new Date('2020-01-01T00:00:00Z'),
    });
    const bytes = Buffer.from(signed.text);
    expect(hash(bytes)).not.toBe(signed.digest);
    for (const type of [
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
      'application/json',
      undefined,
    ])
      expect(manifestDigest(bytes, type)).toBe(signed.digest);
  });

  it('cannot be fooled by an index dressed as schema 1 to hash like the real one', () => {
    // The real index, and a forgery: its text minus the closing brace, then an empty `manifests`
    // and a "signature" whose format header points back at the real text. The forgery's payload
    // is the real index, but its bytes parse as an index with no children.
    const real = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [{ mediaType: MediaType.ociManifest, digest: sha256(Buffer.from('child')), size: 1 }],
    });
    const formatLength = real.length - 1;
    const header = Buffer.from(
      JSON.stringify({ formatLength, formatTail: Buffer.from('}').toString('base64url') }),
    ).toString('base64url');
    const forged = Buffer.from(
      `${real.slice(0, formatLength)},"schemaVersion":1,"manifests":[],"signatures":[{"protected":"${header}"}]}`,
    );
    const realDigest = hash(Buffer.from(real));
    for (const type of ['application/json', undefined, MediaType.ociIndex])
      expect(manifestDigest(forged, type)).not.toBe(realDigest);
  });
});
