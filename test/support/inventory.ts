import { type Digest, type Image, type Manifest, MediaType } from '../../src/core/types.js';

/** A readable fake digest: `digestOf('a')` → `sha256:a…` padded to 64 hex-like characters. */
export function digestOf(name: string): Digest {
  const hex = Buffer.from(name).toString('hex');
  return `sha256:${hex.padEnd(64, '0').slice(0, 64)}`;
}

const base = Date.UTC(2026, 0, 1);
/** `day(3)` is three days after a fixed origin, so tables read in push order. */
export function day(count: number): Date {
  return new Date(base + count * 86_400_000);
}

/** A single-manifest image with one tag pushed on `day(pushedDay)`. */
export function single(tag: string, pushedDay: number, sizeBytes = 100): Image {
  return {
    digest: digestOf(tag),
    tags: [tag],
    pushedAt: day(pushedDay),
    sizeBytes,
    mediaType: MediaType.ociManifest,
  };
}

/** An untagged platform manifest, as a child of an index. */
export function child(name: string, sizeBytes = 100): Image {
  return { digest: digestOf(name), tags: [], pushedAt: day(0), sizeBytes, mediaType: MediaType.ociManifest };
}

/** A tagged index over `children`; returns the image and its parsed manifest. */
export function index(
  tag: string,
  pushedDay: number,
  children: readonly Image[],
  mediaType: string = MediaType.ociIndex,
): { image: Image; manifest: Manifest } {
  const digest = digestOf(`index-${tag}`);
  return {
    image: { digest, tags: [tag], pushedAt: day(pushedDay), sizeBytes: 999_999, mediaType },
    manifest: { kind: 'index', digest, mediaType, children: children.map((each) => each.digest) },
  };
}

/** The seed's literal `Sha` prefix set (0–f), which core tables use with short tags such as `a000`. */
export const shaRule = { name: 'sha', prefixes: '0123456789abcdef'.split(''), keep: 10, drop: 5 };
/** `tags: sha` as the config resolves it: commit hashes only, 7 to 64 hex digits. */
export const commitHashRule = { name: 'sha', prefixes: [], commitHashes: true, keep: 10, drop: 5 };
export const releaseRule = { name: 'v', prefixes: ['v'], keep: 10, drop: 5 };

/** `n` single images tagged with sha-like tags `a000`, `a001`, … pushed on days 0..n−1. */
export function shaImages(count: number): Image[] {
  return Array.from({ length: count }, (_, index) => single(`a${String(index).padStart(3, '0')}`, index));
}
