import { describeUse, resolveUses, usesByRepository } from '../inuse/match.js';
import type { InUseSnapshot } from '../inuse/snapshot.js';
import { mapWithConcurrency, type RegistryDriver, RegistryError } from '../registry/driver.js';

/** A workload's reference to this registry that names nothing: it cannot pull its image any more. */
export interface DanglingUse {
  /** The reference in full and who uses it: `…/api:v1 (ecs service prod/api (task definition api:42))`. */
  readonly use: string;
  readonly problem: string;
}

/** Registry answers meaning "there is no such repository" (ECR, distribution). */
const noRepository = new Set(['RepositoryNotFoundException', 'NAME_UNKNOWN']);

/**
 * Every in-use reference to this registry whose image is gone: a tag no image carries, a digest
 * the repository does not hold, a repository that does not exist. Read after the registry has
 * answered once (ECR tells its account in its answers).
 */
export async function findDanglingUses(
  snapshot: InUseSnapshot,
  driver: RegistryDriver,
): Promise<{ dangling: DanglingUse[]; unknownHosts: boolean }> {
  const hosts = await driver.referenceHosts();
  if (hosts.length === 0) return { dangling: [], unknownHosts: snapshot.uses.length > 0 };
  const byRepository = [...usesByRepository(snapshot.uses, hosts)];
  const found = await mapWithConcurrency(byRepository, 4, async ([repository, uses]) => {
    let images: Awaited<ReturnType<RegistryDriver['listImages']>>;
    try {
      images = await driver.listImages(repository);
    } catch (error) {
      if (error instanceof RegistryError && noRepository.has(error.code))
        return uses.map((use) => ({
          use: describeUse(use),
          problem: `the repository ${repository} does not exist`,
        }));
      throw error;
    }
    const dangling: DanglingUse[] = resolveUses(uses, images).unresolved.map((use) => ({
      use: describeUse(use),
      problem: `no image in ${repository} has the tag ${use.reference.tag ?? 'latest'}`,
    }));
    // A registry that lists only tags (OCI) does not show platform manifests: ask for those.
    const listed = new Set(images.map((image) => image.digest));
    const unlisted = [...new Set(uses.flatMap((use) => use.reference.digest ?? []))].filter(
      (digest) => !listed.has(digest),
    );
    const present =
      unlisted.length > 0 ? await driver.presentDigests(repository, unlisted) : new Set<string>();
    for (const use of uses) {
      const digest = use.reference.digest;
      if (digest !== undefined && !listed.has(digest) && !present.has(digest))
        dangling.push({ use: describeUse(use), problem: `${repository} does not hold ${digest}` });
    }
    return dangling;
  });
  return { dangling: found.flat(), unknownHosts: false };
}
