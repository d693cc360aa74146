import type { InUse } from '../core/in-use.js';
import { digestsGoingWith, manifestsNeeded } from '../core/plan.js';
import type { Digest, HandlerSpec, Image, Manifest } from '../core/types.js';
import type { CallOptions, RegistryDriver } from '../registry/driver.js';

export interface Inventory {
  readonly images: Image[];
  readonly manifests: Map<Digest, Manifest>;
  /** What of the repository is in use, as of this listing. */
  readonly inUse: InUse;
}

/** The repository's in-use digests for a listing (tag references resolve against it). */
export type InUseOf = (images: readonly Image[]) => Promise<InUse>;

const nothingInUse: InUseOf = async () => new Map();

/** How often the repository is listed again when manifests vanish between listing and reading. */
const relistLimit = 2;

/** Listed, yet not found when read — except archived images, which ECR lists but will not serve. */
function vanished(images: readonly Image[], manifests: ReadonlyMap<Digest, Manifest>): boolean {
  const archived = new Set(images.filter((image) => image.archived).map((image) => image.digest));
  return [...manifests.values()].some(
    (manifest) => manifest.kind === 'unreadable' && manifest.missing && !archived.has(manifest.digest),
  );
}

/** Referrers of referrers (a signature of an SBOM) are followed this deep, and no further. */
const referrerDepth = 4;

/**
 * What a handler needs to plan: every manifest the registry shows, the manifests of every index,
 * and — where the registry has a referrers API — the referrers of everything that would go, which
 * no tag names and no listing shows.
 */
export async function takeInventory(
  driver: RegistryDriver,
  spec: HandlerSpec,
  call: CallOptions,
  now: Date = new Date(),
  inUseOf: InUseOf = nothingInUse,
): Promise<Inventory> {
  let images = await driver.listImages(spec.repository, call);
  let inUse = await inUseOf(images);
  let manifests = await driver.getManifests(spec.repository, manifestsNeeded(spec, images, now, inUse), call);
  for (let look = 0; look < relistLimit && vanished(images, manifests); look += 1) {
    // Listed a moment ago, not found now: most likely deleted meanwhile (another janitor, a
    // person). Look again rather than trust either answer: what the new listing no longer shows
    // is gone; what it still shows stays unreadable, and blocks the run.
    images = await driver.listImages(spec.repository, call);
    inUse = await inUseOf(images);
    manifests = await driver.getManifests(spec.repository, manifestsNeeded(spec, images, now, inUse), call);
  }
  if (driver.listReferrers === undefined) return { images, manifests, inUse };
  const known = new Set(images.map((image) => image.digest));
  const asked = new Set<Digest>();
  for (let depth = 0; depth < referrerDepth; depth += 1) {
    const subjects = digestsGoingWith(spec, images, manifests, now, inUse).filter(
      (digest) => !asked.has(digest),
    );
    if (subjects.length === 0) break;
    for (const subject of subjects) asked.add(subject);
    const found = (await driver.listReferrers(spec.repository, subjects, call)).filter(
      (image) => !known.has(image.digest),
    );
    if (found.length === 0) break;
    for (const image of found) {
      known.add(image.digest);
      images.push(image);
    }
    // A referrer may itself be an index (a multi-platform attestation): read it like any other.
    for (const [digest, manifest] of await driver.getManifests(
      spec.repository,
      manifestsNeeded(spec, found, now, inUse),
      call,
    )) {
      manifests.set(digest, manifest);
    }
  }
  return { images, manifests, inUse };
}
