import { childrenOf, reachableFrom } from './graph.js';
import { matchCandidates } from './match.js';
import { selectForRemoval } from './select.js';
import {
  type Deletion,
  type Digest,
  type DigestGroup,
  type GroupMember,
  type HandlerSpec,
  type Image,
  indexMediaTypes,
  type ManifestsByDigest,
  normalizeMediaType,
  type Plan,
  singleManifestMediaTypes,
} from './types.js';

export interface PlanInput {
  readonly handler: HandlerSpec;
  /** Every manifest of the repository, tagged or not. */
  readonly images: readonly Image[];
  /** The manifests of every index (and of every image whose type is unknown) in the repository. */
  readonly manifests: ManifestsByDigest;
}

/**
 * The digests whose manifests the plan needs: none when the rule selects nothing, else every index
 * of the repository and every image of unknown type — a staying index anywhere in the repository
 * may reference what a selected image would take with it.
 */
export function manifestsNeeded(handler: HandlerSpec, images: readonly Image[]): Digest[] {
  const { candidates } = matchCandidates(images, handler.rule);
  if (selectForRemoval(candidates, handler.rule).remove.length === 0) return [];
  return images.filter((image) => !isKnownSingleManifest(image)).map((image) => image.digest);
}

/**
 * The whole decision for one run of one handler, pure: `(images, manifests) → Plan`.
 *
 *   candidates ← images with one tag, a push time, a matching prefix (the rest skipped, with reason)
 *   selected   ← the oldest min(drop, max(0, n − keep)) candidates
 *   removal    ← selected images and everything they reach (index → children, to any depth)
 *   staying    ← every other tagged image, and every untagged manifest outside `removal`
 *   delete     ← removal − everything reachable from `staying`   (ARCHITECTURE §4.3)
 *
 * When a selected image has an unsupported media type, or any manifest that could reach a deleted
 * digest cannot be read, the plan is blocked: it deletes nothing and says why.
 */
export function buildPlan({ handler, images, manifests }: PlanInput): Plan {
  const { candidates, skipped, untaggedCount } = matchCandidates(images, handler.rule);
  const selection = selectForRemoval(candidates, handler.rule);
  const base = {
    handler: handler.name,
    repository: handler.repository,
    rule: handler.rule,
    candidateCount: candidates.length,
    decisions: [...skipped, ...selection.decisions],
    untaggedImageCount: untaggedCount,
  };
  const nothing = { groups: [], waves: [], bytesReclaimed: 0 };
  if (selection.remove.length === 0) return { ...base, ...nothing, blockers: [] };

  const blockers = findBlockers(handler, images, manifests, selection.remove);
  if (blockers.length > 0) return { ...base, ...nothing, blockers };

  const selectedRoots = new Set(selection.remove.map((candidate) => candidate.image.digest));
  const removal = reachableFrom(selectedRoots, manifests);
  const stayingRoots = images
    .filter((image) =>
      image.tags.length > 0 ? !selectedRoots.has(image.digest) : !removal.has(image.digest),
    )
    .map((image) => image.digest);
  const needed = reachableFrom(stayingRoots, manifests);
  const imagesByDigest = new Map(images.map((image) => [image.digest, image]));
  const describeStayingRoot = (digest: Digest) => {
    const image = imagesByDigest.get(digest);
    if (image === undefined) return digest;
    return image.tags.length > 0
      ? `${image.tags.join(', ')} (${shortDigest(digest)})`
      : `untagged ${shortDigest(digest)}`;
  };

  const counted = new Set<Digest>();
  const groups: DigestGroup[] = selection.remove.map((candidate) => {
    const members: GroupMember[] = [...reachableFrom([candidate.image.digest], manifests).keys()].map(
      (digest) => {
        const role = digest === candidate.image.digest ? 'root' : 'child';
        const sizeBytes = reclaimableSize(
          imagesByDigest.get(digest),
          manifests.get(digest)?.kind === 'index',
        );
        const neededBy = needed.get(digest);
        if (neededBy === undefined) return { digest, role, fate: 'delete', sizeBytes };
        const keptBecause =
          neededBy === digest
            ? `it is itself an image that stays (${describeStayingRoot(digest)})`
            : `${describeStayingRoot(neededBy)} still references it`;
        return { digest, role, fate: 'keep', keptBecause, sizeBytes };
      },
    );
    let bytes = 0;
    for (const member of members) {
      if (member.fate === 'delete' && !counted.has(member.digest)) {
        counted.add(member.digest);
        bytes += member.sizeBytes;
      }
    }
    const rootMediaType =
      imagesByDigest.get(candidate.image.digest)?.mediaType ??
      manifestType(candidate.image.digest, manifests);
    return { tag: candidate.tag, rootDigest: candidate.image.digest, rootMediaType, members, bytes };
  });

  const doomed = [...removal.keys()].filter((digest) => !needed.has(digest));
  const waves = orderParentsFirst(doomed, manifests);
  const bytesReclaimed = groups.reduce((total, group) => total + group.bytes, 0);
  return { ...base, groups, waves, bytesReclaimed, blockers: [] };
}

function findBlockers(
  handler: HandlerSpec,
  images: readonly Image[],
  manifests: ManifestsByDigest,
  selected: readonly { image: Image; tag: string }[],
): string[] {
  const blockers: string[] = [];
  for (const { image, tag } of selected) {
    const manifest = manifests.get(image.digest);
    const mediaType =
      image.mediaType ?? (manifest && 'mediaType' in manifest ? manifest.mediaType : undefined);
    if (
      mediaType !== undefined &&
      !indexMediaTypes.has(mediaType) &&
      !singleManifestMediaTypes.has(mediaType)
    ) {
      blockers.push(
        `${handler.repository}:${tag} has media type ${mediaType}, which is neither an image index nor an image manifest; a human should look at it`,
      );
    }
  }
  // Fail closed: a manifest we could not read might reference anything we are about to delete.
  for (const image of images) {
    if (isKnownSingleManifest(image)) continue;
    const manifest = manifests.get(image.digest);
    if (manifest === undefined) {
      blockers.push(
        `the manifest of ${describeImage(image)} was not fetched, so what it references is unknown`,
      );
    } else if (manifest.kind === 'unreadable') {
      blockers.push(`the manifest of ${describeImage(image)} cannot be read (${manifest.reason})`);
    }
  }
  return blockers;
}

/**
 * Orders deletions so that a digest goes only after every deleted index that names it: ECR refuses
 * to delete a manifest a live index references, and on registries that allow it, deleting a child
 * first would leave a broken index behind if the run stopped there.
 */
function orderParentsFirst(doomed: readonly Digest[], manifests: ManifestsByDigest): Deletion[][] {
  const doomedSet = new Set(doomed);
  const parents = new Map<Digest, Digest[]>(doomed.map((digest) => [digest, []]));
  for (const digest of doomed) {
    for (const child of childrenOf(digest, manifests)) {
      if (doomedSet.has(child)) parents.get(child)?.push(digest);
    }
  }
  const depth = new Map<Digest, number>();
  const depthOf = (digest: Digest, path: Set<Digest>): number => {
    const known = depth.get(digest);
    if (known !== undefined) return known;
    if (path.has(digest)) throw new Error(`manifests reference each other in a cycle through ${digest}`);
    path.add(digest);
    const own = Math.max(-1, ...(parents.get(digest) ?? []).map((parent) => depthOf(parent, path))) + 1;
    path.delete(digest);
    depth.set(digest, own);
    return own;
  };
  const waves: Deletion[][] = [];
  for (const digest of [...doomed].sort()) {
    const level = depthOf(digest, new Set());
    while (waves.length <= level) waves.push([]);
    waves[level]?.push({ digest, parents: [...(parents.get(digest) ?? [])].sort() });
  }
  return waves;
}

/** An index's reported size is its largest child (ECR), so only image manifests count as bytes. */
function reclaimableSize(image: Image | undefined, isIndex: boolean): number {
  if (image === undefined || isIndex || !isKnownSingleManifest(image)) return 0;
  return image.sizeBytes ?? 0;
}

/** Reported as anything but an index; `; charset=…` and case do not make an index a leaf. */
function isKnownSingleManifest(image: Image): boolean {
  return image.mediaType !== undefined && !indexMediaTypes.has(normalizeMediaType(image.mediaType));
}

function manifestType(digest: Digest, manifests: ManifestsByDigest): string {
  const manifest = manifests.get(digest);
  return manifest !== undefined && 'mediaType' in manifest ? manifest.mediaType : 'unknown';
}

function describeImage(image: Image): string {
  return image.tags.length > 0 ? `${image.tags.join(', ')} (${image.digest})` : `untagged ${image.digest}`;
}

export function shortDigest(digest: Digest): string {
  const [algorithm, hex] = digest.split(':');
  return hex === undefined ? digest : `${algorithm}:${hex.slice(0, 12)}`;
}
