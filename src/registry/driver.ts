import type { CurrentState } from '../core/retag.js';
import type { DeleteOutcome, Digest, Image, Manifest } from '../core/types.js';

/**
 * Everything registry-janitor asks of a registry. The planner never sees a client: a driver is
 * passed in, and one contract test suite holds every driver to the same behaviour.
 */
export interface RegistryDriver {
  /** For logs and reports, e.g. `ecr us-west-2` or `oci https://registry.example.com`. */
  readonly description: string;
  /** The registry as a URL, for records such as the audit log (`https://api.ecr.us-west-2.amazonaws.com`). */
  readonly location?: string;
  /** The most digests one delete request takes; the executor stops between batches, never within. */
  readonly deleteBatchSize: number;
  /** Every repository of the registry (paginated), for rules that name repositories by pattern. */
  listRepositories(options?: CallOptions): Promise<string[]>;
  /** Every manifest of the repository, tagged or not, in no particular order. */
  listImages(repository: string, options?: CallOptions): Promise<Image[]>;
  /**
   * The parsed manifests of the given digests, fetched in batches and cached by digest (a digest's
   * content never changes). A digest that cannot be fetched comes back as `unreadable`.
   */
  getManifests(
    repository: string,
    digests: readonly Digest[],
    options?: CallOptions,
  ): Promise<Map<Digest, Manifest>>;
  /**
   * Deletes the given digests (every tag on them goes too). Per-digest failures are data; an
   * already-missing digest is `already-gone`. Throws only when the registry cannot be asked at all.
   */
  deleteDigests(
    repository: string,
    digests: readonly Digest[],
    options?: CallOptions,
  ): Promise<DeleteOutcome[]>;
  /**
   * Manifests attached to these digests that the listing does not show (OCI 1.1 referrers API),
   * each with its `subjectDigest`. Absent where the listing already shows every referrer (ECR).
   */
  listReferrers?(repository: string, subjects: readonly Digest[], options?: CallOptions): Promise<Image[]>;
  /**
   * How this registry shows referrers: `listing` (every manifest is listed, referrers included:
   * ECR), `referrers-api` (OCI 1.1 API), or `tags` (only referrers a tag names — their own, cosign's
   * or the fallback index's — can be seen: untagged ones attached some other way are invisible).
   * Known once `listReferrers` has been asked; absent means `listing`.
   */
  referrerVisibility?(): 'listing' | 'referrers-api' | 'tags' | 'not-yet-known';
  /**
   * What the registry says now of `digests`, for the check right before deleting (never from a
   * cache): deleting a digest removes every tag on it, including one pushed since the listing.
   * Each digest the registry still holds (or may: OCI lists tags only) with the tags that name it
   * and whether it is archived; a digest absent from the map is gone. A registry that resolves
   * every tag to answer also returns the digests tags name now that were not asked about.
   */
  currentState(
    repository: string,
    digests: readonly Digest[],
    options?: CallOptions,
  ): Promise<Map<Digest, CurrentState>>;
  /** The subset of `digests` the repository holds now, asked of the registry (never from a cache). */
  presentDigests(repository: string, digests: readonly Digest[], options?: CallOptions): Promise<Set<Digest>>;
  /**
   * The host names image references give this registry (`123456789012.dkr.ecr.us-east-1.amazonaws.com`,
   * `registry.example.com`), or a host and the namespace its repositories are named below
   * (`ghcr.io/acme`), to tell which in-use references are ours. Empty while unknown: ECR learns
   * its account from its first answer unless the config names it.
   */
  referenceHosts(): Promise<readonly string[]>;
}

export interface CallOptions {
  /** Aborts requests in flight: a run that timed out, or a shutdown that ran out of time. */
  readonly signal?: AbortSignal;
}

/** A registry call that failed as a whole, naming the operation and repository. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Splits a list into chunks of at most `size`, for APIs that take a bounded batch. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
