import type { CurrentState } from '../../core/retag.js';
import type { Digest } from '../../core/types.js';
import { type CallOptions, mapWithConcurrency } from '../driver.js';

/** What the check before deleting needs of the OCI driver. */
export interface TagResolver {
  readonly concurrency: number;
  listTags(repository: string, options: CallOptions): Promise<string[]>;
  /** The digest a tag names now; undefined when the tag is gone. */
  resolve(repository: string, tag: string, options: CallOptions): Promise<Digest | undefined>;
}

/**
 * Every tag of the repository, listed again and resolved (a tag may have moved onto a doomed
 * digest, as a rollback moves `prod`, or away from one, onto a new index that names it), read
 * backwards: each asked digest with the tags that name it now (none, if none do — the API lists
 * tags only, so an untagged digest cannot be told from a gone one), and every other digest a tag
 * names now, so that a manifest pushed since the listing is seen.
 */
export async function resolveCurrentState(
  registry: TagResolver,
  repository: string,
  digests: readonly Digest[],
  options: CallOptions,
): Promise<Map<Digest, CurrentState>> {
  const tags = new Map<Digest, string[]>(digests.map((digest) => [digest, []]));
  const resolved = await mapWithConcurrency(
    await registry.listTags(repository, options),
    registry.concurrency,
    async (tag) => ({ tag, digest: await registry.resolve(repository, tag, options) }),
  );
  for (const { tag, digest } of resolved) {
    if (digest !== undefined) tags.set(digest, [...(tags.get(digest) ?? []), tag]);
  }
  return new Map([...tags].map(([digest, names]) => [digest, { tags: names }]));
}
