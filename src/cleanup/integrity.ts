import type { Digest } from '../core/types.js';
import { indexMediaTypes, normalizeMediaType } from '../core/types.js';
import type { RegistryDriver } from '../registry/driver.js';

export interface BrokenIndex {
  readonly digest: Digest;
  readonly tags: readonly string[];
  readonly missingChildren: readonly Digest[];
}

export interface IntegrityReport {
  readonly repository: string;
  readonly images: number;
  readonly indexes: number;
  readonly broken: readonly BrokenIndex[];
  /** Indexes whose manifest could not be read: their integrity is unknown. */
  readonly unreadable: readonly { readonly digest: Digest; readonly reason: string }[];
}

/** Reads a repository and finds every index that names a child the repository no longer holds. */
export async function checkIntegrity(driver: RegistryDriver, repository: string): Promise<IntegrityReport> {
  const images = await driver.listImages(repository);
  const indexes = images.filter(
    (image) => image.mediaType === undefined || indexMediaTypes.has(normalizeMediaType(image.mediaType)),
  );
  const manifests = await driver.getManifests(
    repository,
    indexes.map((image) => image.digest),
  );
  // Whether a child exists is asked of the registry: an inventory may know children from a cache.
  const children = [...manifests.values()].flatMap((manifest) =>
    manifest.kind === 'index' ? manifest.children : [],
  );
  const present = await driver.presentDigests(repository, children);
  const broken: BrokenIndex[] = [];
  const unreadable: { digest: Digest; reason: string }[] = [];
  let indexCount = 0;
  for (const image of indexes) {
    const manifest = manifests.get(image.digest);
    if (manifest === undefined || manifest.kind === 'unreadable') {
      unreadable.push({ digest: image.digest, reason: manifest?.reason ?? 'not returned' });
      continue;
    }
    if (manifest.kind !== 'index') continue;
    indexCount += 1;
    const missingChildren = manifest.children.filter((child) => !present.has(child));
    if (missingChildren.length > 0) broken.push({ digest: image.digest, tags: image.tags, missingChildren });
  }
  return { repository, images: images.length, indexes: indexCount, broken, unreadable };
}
