import { parseManifest } from '../../core/manifest.js';
import type { Digest, Manifest } from '../../core/types.js';

export const createdAnnotation = 'org.opencontainers.image.created';

/** What the OCI driver needs of a manifest beyond the planner's view: sizes, config, ages. */
export interface ManifestDetails {
  readonly manifest: Manifest;
  /** config + layers for an image manifest; 0 for an index (its children carry the bytes). */
  readonly sizeBytes: number;
  readonly configDigest?: Digest;
  /** `org.opencontainers.image.created` of the manifest or index itself, when present and valid. */
  readonly annotatedCreated?: Date;
  /** For an index: which children are attestations or signatures rather than platform images. */
  readonly nonPlatformChildren: ReadonlySet<Digest>;
}

/** Reads a manifest's text into its details; a text that does not parse yields an `unreadable` manifest. */
export function readManifestDetails(
  digest: Digest,
  text: string,
  reportedMediaType?: string,
): ManifestDetails {
  const manifest = parseManifest(digest, text, reportedMediaType);
  const empty = { manifest, sizeBytes: 0, nonPlatformChildren: new Set<Digest>() };
  if (manifest.kind === 'unreadable' || manifest.kind === 'unsupported') return empty;
  const document = JSON.parse(text) as {
    config?: { digest?: unknown; size?: unknown };
    layers?: { size?: unknown }[];
    annotations?: Record<string, unknown>;
    manifests?: { digest?: unknown; platform?: { os?: unknown }; annotations?: Record<string, unknown> }[];
  };
  const annotatedCreated = parseTime(document.annotations?.[createdAnnotation]);
  const base = { manifest, ...(annotatedCreated && { annotatedCreated }) };
  if (manifest.kind === 'index') {
    const nonPlatformChildren = new Set<Digest>();
    for (const entry of document.manifests ?? []) {
      const isAttestation = entry.annotations?.['vnd.docker.reference.type'] !== undefined;
      if ((isAttestation || entry.platform?.os === 'unknown') && typeof entry.digest === 'string') {
        nonPlatformChildren.add(entry.digest);
      }
    }
    return { ...base, sizeBytes: 0, nonPlatformChildren };
  }
  const sizes = [document.config?.size, ...(document.layers ?? []).map((layer) => layer.size)];
  const sizeBytes = sizes.reduce<number>(
    (total, size) => total + (typeof size === 'number' && size > 0 ? size : 0),
    0,
  );
  const configDigest = typeof document.config?.digest === 'string' ? document.config.digest : undefined;
  return { ...base, sizeBytes, ...(configDigest && { configDigest }), nonPlatformChildren: new Set() };
}

/** The `created` time of an image config blob, when it has a valid one. */
export function readConfigCreated(text: string): Date | undefined {
  try {
    return parseTime((JSON.parse(text) as { created?: unknown }).created);
  } catch {
    return undefined;
  }
}

function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}
