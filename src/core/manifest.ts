import {
  type Digest,
  indexMediaTypes,
  legacyMediaTypes,
  type Manifest,
  MediaType,
  normalizeMediaType,
  singleManifestMediaTypes,
} from './types.js';

const legacySchema1 = 'application/vnd.docker.distribution.manifest.v1+json';
const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Reads a manifest's text into what the planner needs: is it an index, and which children does it
 * name? Anything that does not parse is `unreadable`, never an empty index, so a broken answer can
 * only make the plan keep more, never delete more.
 */
export function parseManifest(digest: Digest, text: string, reportedMediaType?: string): Manifest {
  // A manifest that cannot be read still says what it claimed to be: the blocker names it.
  const unreadable = (reason: string, mediaType = reportedMediaType): Manifest => ({
    kind: 'unreadable',
    digest,
    reason,
    ...(mediaType !== undefined && { mediaType }),
  });
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return unreadable(`manifest is not JSON (${(error as Error).message})`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return unreadable('manifest is not a JSON object');
  }
  const fields = document as Record<string, unknown>;
  const declared = typeof fields.mediaType === 'string' ? normalizeMediaType(fields.mediaType) : undefined;
  const reported = reportedMediaType === undefined ? undefined : normalizeMediaType(reportedMediaType);
  const mediaType = declared ?? reported ?? inferMediaType(fields);
  if (mediaType === undefined) {
    return unreadable('manifest names no media type');
  }
  if (indexMediaTypes.has(mediaType)) {
    if (!Array.isArray(fields.manifests)) {
      return unreadable(`index ${mediaType} has no "manifests" list`, mediaType);
    }
    const children: Digest[] = [];
    for (const entry of fields.manifests as unknown[]) {
      const child = (entry as { digest?: unknown } | null)?.digest;
      if (typeof child !== 'string' || !digestPattern.test(child)) {
        return unreadable(`index names a child without a valid digest: ${JSON.stringify(child)}`, mediaType);
      }
      children.push(child);
    }
    return { kind: 'index', digest, mediaType, children, ...subjectOf(fields) };
  }
  // Something that names children under a type we do not know might still be what keeps them:
  // refuse to read it rather than treat it as a leaf.
  if (Array.isArray(fields.manifests)) {
    return unreadable(`it lists manifests but its media type ${mediaType} is not an index type`, mediaType);
  }
  if (singleManifestMediaTypes.has(mediaType))
    return { kind: 'image', digest, mediaType, ...subjectOf(fields) };
  // Schema 1 names layers only: a leaf, whatever else it says.
  if (legacyMediaTypes.has(mediaType)) return { kind: 'image', digest, mediaType };
  return { kind: 'unsupported', digest, mediaType, ...subjectOf(fields) };
}

/** OCI 1.1 `subject`: the manifest is a referrer of that digest (a signature, an SBOM…). */
function subjectOf(fields: Record<string, unknown>): { subject?: Digest } {
  const subject = (fields.subject as { digest?: unknown } | null | undefined)?.digest;
  return typeof subject === 'string' && digestPattern.test(subject) ? { subject } : {};
}

/** The OCI spec lets `mediaType` be absent; the shape still tells an index from an image manifest. */
function inferMediaType(fields: Record<string, unknown>): string | undefined {
  if (Array.isArray(fields.manifests)) return MediaType.ociIndex;
  if (fields.schemaVersion === 1 && Array.isArray(fields.fsLayers)) return legacySchema1;
  if (Array.isArray(fields.layers) && typeof fields.config === 'object') return MediaType.ociManifest;
  return undefined;
}
