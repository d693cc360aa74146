import type { InUse } from '../core/in-use.js';
import type { Blocker, Image } from '../core/types.js';
import { resolveUses, usesByRepository } from '../inuse/match.js';
import type { InUseSnapshot } from '../inuse/snapshot.js';
import type { RegistryDriver } from '../registry/driver.js';

/** Where a handler gets what is in use: the pass's (or the daemon's) reader. */
export interface InUseProvider {
  current(): Promise<InUseSnapshot>;
}

/**
 * Fail closed: a source that could not be read completely blocks every handler, since a workload
 * it would have shown may run any image of any repository.
 */
export function sourceBlockers(snapshot: InUseSnapshot): Blocker[] {
  return snapshot.failures.map((failure) => ({
    kind: 'in-use-source-unread',
    message: `the in-use source ${failure.source} could not be read completely (${failure.error}); nothing is deleted while it cannot`,
  }));
}

/**
 * The digests of one repository that are in use, from the snapshot and the repository's current
 * listing (a tag reference keeps the image the tag names now). Called after the listing, when the
 * driver knows its registry's host names.
 */
export async function inUseOfRepository(
  snapshot: InUseSnapshot,
  driver: RegistryDriver,
  repository: string,
  images: readonly Image[],
): Promise<{ inUse: InUse } | { blocker: Blocker }> {
  if (snapshot.uses.length === 0) return { inUse: new Map() };
  const hosts = await driver.referenceHosts();
  if (hosts.length === 0) {
    if (images.length === 0) return { inUse: new Map() };
    return {
      blocker: {
        kind: 'in-use-registry-unknown',
        message:
          'cannot tell which in-use references name this registry: the registry did not say which account it belongs to; set registry.registryId',
      },
    };
  }
  const uses = usesByRepository(snapshot.uses, hosts).get(repository) ?? [];
  return { inUse: resolveUses(uses, images).inUse };
}
