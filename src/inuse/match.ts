import type { Digest, Image } from '../core/types.js';
import { formatReference } from './reference.js';
import type { ImageUse } from './snapshot.js';

/**
 * The uses that name this registry, by repository; other registries' are ignored. A registry is
 * named by host (`registry.example.com`), or by host and namespace (`ghcr.io/acme`) where its
 * repositories are named below one: `ghcr.io/acme/api` is then the repository `api`.
 */
export function usesByRepository(
  uses: readonly ImageUse[],
  hosts: readonly string[],
): Map<string, ImageUse[]> {
  const namespaces = new Map<string, string[]>();
  for (const entry of hosts) {
    const slash = entry.indexOf('/');
    const host = slash < 0 ? entry : entry.slice(0, slash);
    namespaces.set(host, [...(namespaces.get(host) ?? []), slash < 0 ? '' : `${entry.slice(slash + 1)}/`]);
  }
  const byRepository = new Map<string, ImageUse[]>();
  for (const use of uses) {
    const { host, repository: path } = use.reference;
    const prefix = namespaces.get(host)?.find((namespace) => path.startsWith(namespace));
    if (prefix === undefined) continue;
    const repository = path.slice(prefix.length);
    const list = byRepository.get(repository);
    if (list === undefined) byRepository.set(repository, [use]);
    else list.push(use);
  }
  return byRepository;
}

export interface RepositoryInUse {
  /** Each digest in use, with a reason: `in use by ecs service prod/api (task definition api:42)`. */
  readonly inUse: Map<Digest, string>;
  /** Tag references the listing has no image for: nothing to keep, but a workload that cannot pull. */
  readonly unresolved: readonly ImageUse[];
}

/**
 * The digests one repository's uses name: a digest reference its digest (a tag beside it is only
 * a label), a tag reference the image that carries the tag in this listing.
 */
export function resolveUses(uses: readonly ImageUse[], images: readonly Image[]): RepositoryInUse {
  const digestByTag = new Map<string, Digest>();
  for (const image of images) for (const tag of image.tags) digestByTag.set(tag, image.digest);
  const users = new Map<Digest, string[]>();
  const unresolved: ImageUse[] = [];
  for (const use of uses) {
    const { digest, tag } = use.reference;
    const resolved = digest ?? (tag === undefined ? digestByTag.get('latest') : digestByTag.get(tag));
    if (resolved === undefined) {
      unresolved.push(use);
      continue;
    }
    const list = users.get(resolved);
    if (list === undefined) users.set(resolved, [use.usedBy]);
    else if (!list.includes(use.usedBy)) list.push(use.usedBy);
  }
  const inUse = new Map<Digest, string>();
  for (const [digest, list] of users) {
    const more = list.length > 1 ? ` and ${list.length - 1} more` : '';
    inUse.set(digest, `in use by ${list[0]}${more}`);
  }
  return { inUse, unresolved };
}

/** For messages: `123….dkr.ecr.us-east-1.amazonaws.com/api:v1 (ecs service prod/api)`. */
export function describeUse(use: ImageUse): string {
  return `${formatReference(use.reference)} (${use.usedBy})`;
}
