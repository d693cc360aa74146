// Content addressing and the few manifest facts the emulator needs to answer like ECR:
// which children an index names (to refuse deleting them), how big an image is, and
// which media types BatchGetImage hands out when the caller does not say.
import { createHash } from 'node:crypto';
import { MediaType as CoreMediaType, indexMediaTypes } from '../core/types.js';

export const MediaType = {
  ...CoreMediaType,
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

// ECR's documented default for BatchGetImage: image manifests only. Index types must be asked
// for explicitly, which is the trap a cleanup tool reading indexes has to avoid.
export const defaultAcceptedMediaTypes: readonly string[] = [
  MediaType.dockerManifest,
  MediaType.dockerSchema1,
  MediaType.dockerSchema1Signed,
  MediaType.ociManifest,
];

export function isIndexMediaType(mediaType: string): boolean {
  return indexMediaTypes.has(mediaType);
}

/** The digest ECR computes: sha256 over the exact bytes of the manifest text, never a re-serialisation. */
export function digestOf(manifest: string): string {
  return `sha256:${createHash('sha256').update(manifest, 'utf8').digest('hex')}`;
}

// ECR's own validation pattern (algorithm:hex); anything else is an InvalidImageDigest failure.
const digestPattern = /^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+$/;

export function isWellFormedDigest(digest: string): boolean {
  return digestPattern.test(digest);
}

/**
 * The listing position of an image. Hashing the digest again gives an order that is stable across
 * runs yet unrelated to push order, so callers cannot come to rely on ECR listing by age.
 */
export function listingKeyOf(digest: string): string {
  return createHash('sha256').update(`listing:${digest}`, 'utf8').digest('hex');
}

export interface ManifestFacts {
  /** Whether the text parsed as a JSON object; unreadable seeds are stored but describe as size 0. */
  readable: boolean;
  /** The `mediaType` field inside the manifest, when present. */
  declaredMediaType?: string;
  /** Digests named in `manifests[]` (meaningful for index media types only). */
  childDigests: string[];
  /** config.size + the sum of layers[].size; 0 for anything without them. */
  ownSizeBytes: number;
  configMediaType?: string;
  subjectDigest?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sizeOf(descriptor: unknown): number {
  if (!isRecord(descriptor)) return 0;
  const size = descriptor.size;
  return typeof size === 'number' && Number.isFinite(size) && size > 0 ? size : 0;
}

/** Reads what it can and never throws: seeds may carry deliberately broken manifests. */
export function readManifest(text: string): ManifestFacts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { readable: false, childDigests: [], ownSizeBytes: 0 };
  }
  if (!isRecord(parsed)) return { readable: false, childDigests: [], ownSizeBytes: 0 };

  const facts: ManifestFacts = { readable: true, childDigests: [], ownSizeBytes: 0 };
  if (typeof parsed.mediaType === 'string') facts.declaredMediaType = parsed.mediaType;
  if (Array.isArray(parsed.manifests)) {
    for (const child of parsed.manifests) {
      if (isRecord(child) && typeof child.digest === 'string') facts.childDigests.push(child.digest);
    }
  }
  const layers = Array.isArray(parsed.layers) ? parsed.layers : [];
  facts.ownSizeBytes = sizeOf(parsed.config) + layers.reduce<number>((sum, layer) => sum + sizeOf(layer), 0);
  if (isRecord(parsed.config) && typeof parsed.config.mediaType === 'string') {
    facts.configMediaType = parsed.config.mediaType;
  }
  if (isRecord(parsed.subject) && typeof parsed.subject.digest === 'string') {
    facts.subjectDigest = parsed.subject.digest;
  }
  return facts;
}
