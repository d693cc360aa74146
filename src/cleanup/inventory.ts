import { ReferenceGraph } from '../core/graph.js';
import type { InUse } from '../core/in-use.js';
import { manifestsToRead, needsManifests, selectRepository } from '../core/selection.js';
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

/** The rules a run plans for, over one repository, and the repository's other rules (keep wins). */
export interface InventoryScope {
  readonly repository: string;
  readonly running: readonly HandlerSpec[];
  readonly others: readonly HandlerSpec[];
}

/**
 * What a repository's rules need to plan, read once for all of them: every manifest the registry
 * shows, the manifests of every index (when any rule would delete anything), and — where the
 * registry has a referrers API — the referrers of everything that would go, which no tag names and
 * no listing shows.
 */
export async function takeInventory(
  driver: RegistryDriver,
  scope: InventoryScope,
  call: CallOptions,
  now: Date = new Date(),
  inUseOf: InUseOf = nothingInUse,
): Promise<Inventory> {
  const { repository } = scope;
  const read = async (images: readonly Image[], inUse: InUse) =>
    needsManifests({ ...scope, images, now, inUse })
      ? driver.getManifests(repository, manifestsToRead(images), call)
      : new Map<Digest, Manifest>();
  let images = await driver.listImages(repository, call);
  let inUse = await inUseOf(images);
  let manifests = await read(images, inUse);
  for (let look = 0; look < relistLimit && vanished(images, manifests); look += 1) {
    // Listed a moment ago, not found now: most likely deleted meanwhile (another janitor, a
    // person). Look again rather than trust either answer: what the new listing no longer shows
    // is gone; what it still shows stays unreadable, and blocks the run.
    images = await driver.listImages(repository, call);
    inUse = await inUseOf(images);
    manifests = await read(images, inUse);
  }
  if (driver.listReferrers === undefined) return { images, manifests, inUse };
  const known = new Set(images.map((image) => image.digest));
  const asked = new Set<Digest>();
  for (let depth = 0; depth < referrerDepth; depth += 1) {
    const subjects = digestsGoingWith(scope, images, manifests, now, inUse).filter(
      (digest) => !asked.has(digest),
    );
    if (subjects.length === 0) break;
    for (const subject of subjects) asked.add(subject);
    const found = (await driver.listReferrers(repository, subjects, call)).filter(
      (image) => !known.has(image.digest),
    );
    if (found.length === 0) break;
    for (const image of found) {
      known.add(image.digest);
      images.push(image);
    }
    // A referrer may itself be an index (a multi-platform attestation): read it like any other.
    for (const [digest, manifest] of await driver.getManifests(repository, manifestsToRead(found), call))
      manifests.set(digest, manifest);
  }
  return { images, manifests, inUse };
}

/** Every digest that would go with the selected images if nothing stayed: whose referrers to ask for. */
function digestsGoingWith(
  scope: InventoryScope,
  images: readonly Image[],
  manifests: ReadonlyMap<Digest, Manifest>,
  now: Date,
  inUse: InUse,
): Digest[] {
  const selection = selectRepository({ ...scope, images, manifests, now, inUse });
  const roots = selection.rules.flatMap((rule) => rule.roots.map((root) => root.digest));
  return [...new ReferenceGraph(images, manifests).reachableFrom(roots).keys()];
}
