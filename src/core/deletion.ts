import { ReferenceGraph, referrerTag } from './graph.js';
import { isLegacy } from './orphans.js';
import {
  type Deletion,
  type Digest,
  type DigestGroup,
  type GroupMember,
  type Image,
  legacyMediaTypes,
  type ManifestsByDigest,
  normalizeMediaType,
  singleManifestMediaTypes,
} from './types.js';

/** An image chosen for deletion, and the name it is shown by (its tag, or its digest). */
export interface Root {
  readonly digest: Digest;
  readonly label: string;
  /** Why it goes, in words; and whether it is an orphan (its label is then not a tag). */
  readonly why?: string;
  readonly untagged?: boolean;
}

export interface DeletionPlan {
  readonly groups: readonly DigestGroup[];
  readonly waves: readonly (readonly Deletion[])[];
  readonly bytesReclaimed: number;
}

/**
 * What deleting `roots` means once everything that stays is protected (ARCHITECTURE §4.3):
 *
 *   removal ← the roots and all that belongs to them (children, referrers, to any depth)
 *   staying ← every tagged image not a root, every untagged manifest outside `removal` —
 *             except a referrer whose subject is in `removal`: it goes with its subject —
 *             and every archived or schema 1 manifest, whatever selected it
 *   delete  ← removal − all that belongs to what stays
 *
 * and in which order: waves in which a manifest goes only after everything that points at it
 * (the indexes naming it, its referrers), so that no interruption leaves a broken index or a
 * signature of nothing behind.
 */
export function planDeletion(
  images: readonly Image[],
  manifests: ManifestsByDigest,
  roots: readonly Root[],
  /** Images that stay whatever else happens (what the rules keep, orphans in their grace period). */
  kept: ReadonlySet<Digest> = new Set(),
): DeletionPlan {
  const graph = new ReferenceGraph(images, manifests);
  const rootDigests = new Set(roots.map((root) => root.digest));
  const removal = graph.reachableFrom(rootDigests);
  // A referrer goes with its subject when nothing else speaks for it: untagged, or tagged only by a
  // referrer scheme (cosign's, the fallback index's), and not kept for a reason of its own.
  const follows = (image: Image) => {
    const subject = graph.subjectOf(image.digest);
    const anonymous = image.tags.every((tag) => referrerTag.test(tag));
    return subject !== undefined && removal.has(subject) && anonymous && !kept.has(image.digest);
  };
  // Archived images (they may be restored; ECR's archive bills 90 days) and schema 1 manifests
  // (a human decides) stay whatever happens.
  const untouchable = (image: Image) => image.archived === true || isLegacy(image);
  const stayingRoots = images
    .filter((image) => untouchable(image) || (!rootDigests.has(image.digest) && !follows(image)))
    .filter(
      (image) =>
        image.tags.length > 0 || !removal.has(image.digest) || kept.has(image.digest) || untouchable(image),
    )
    .map((image) => image.digest);
  // Whatever is kept stays even when the listing does not show it (an in-use platform manifest of
  // a registry that lists only tags): it, and all it reaches, is needed.
  const needed = graph.reachableFrom([...stayingRoots, ...kept], { withSubjects: true });
  const imagesByDigest = new Map(images.map((image) => [image.digest, image]));
  const describe = (digest: Digest) => {
    const image = imagesByDigest.get(digest);
    if (image === undefined) return shortDigest(digest);
    return image.tags.length > 0
      ? `${image.tags.join(', ')} (${shortDigest(digest)})`
      : `untagged ${shortDigest(digest)}`;
  };

  const counted = new Set<Digest>();
  const groups = roots.map((root): DigestGroup => {
    const members = [...graph.reachableFrom([root.digest]).keys()].map((digest): GroupMember => {
      const role =
        digest === root.digest ? 'root' : graph.subjectOf(digest) !== undefined ? 'referrer' : 'child';
      const sizeBytes = reclaimableSize(imagesByDigest.get(digest), manifests.get(digest)?.kind === 'index');
      const neededBy = needed.get(digest);
      if (neededBy === undefined) return { digest, role, fate: 'delete', sizeBytes };
      const keptBecause =
        neededBy === digest
          ? `it is itself an image that stays (${describe(digest)})`
          : `${describe(neededBy)} still needs it`;
      return { digest, role, fate: 'keep', keptBecause, sizeBytes };
    });
    let bytes = 0;
    for (const member of members) {
      if (member.fate === 'delete' && !counted.has(member.digest)) {
        counted.add(member.digest);
        bytes += member.sizeBytes;
      }
    }
    const manifest = manifests.get(root.digest);
    const rootMediaType =
      imagesByDigest.get(root.digest)?.mediaType ??
      (manifest && 'mediaType' in manifest ? manifest.mediaType : undefined) ??
      'unknown';
    const pushedAt = imagesByDigest.get(root.digest)?.pushedAt;
    return {
      tag: root.label,
      ...(root.untagged && { untagged: true }),
      ...(root.why !== undefined && { why: root.why }),
      ...(pushedAt && { pushedAt }),
      rootDigest: root.digest,
      rootMediaType,
      members,
      bytes,
    };
  });

  const doomed = [...removal.keys()].filter((digest) => !needed.has(digest));
  return {
    groups,
    waves: orderPointersFirst(doomed, graph),
    bytesReclaimed: groups.reduce((total, group) => total + group.bytes, 0),
  };
}

/**
 * Waves of deletions: a digest goes only after every doomed manifest pointing at it. ECR refuses
 * to delete a manifest a live index references; other registries allow it, and a run stopped
 * between the two would leave a broken index (or a referrer of nothing) behind.
 */
function orderPointersFirst(doomed: readonly Digest[], graph: ReferenceGraph): Deletion[][] {
  const doomedSet = new Set(doomed);
  const pointers = new Map<Digest, Set<Digest>>(doomed.map((digest) => [digest, new Set()]));
  for (const digest of doomed) {
    for (const child of graph.childrenOf(digest)) if (doomedSet.has(child)) pointers.get(child)?.add(digest);
    const subject = graph.subjectOf(digest);
    if (subject !== undefined && doomedSet.has(subject)) pointers.get(subject)?.add(digest);
  }
  const depth = new Map<Digest, number>();
  const depthOf = (digest: Digest, path: Set<Digest>): number => {
    const known = depth.get(digest);
    if (known !== undefined) return known;
    if (path.has(digest)) throw new Error(`manifests point at each other in a cycle through ${digest}`);
    path.add(digest);
    const own =
      Math.max(-1, ...[...(pointers.get(digest) ?? [])].map((pointer) => depthOf(pointer, path))) + 1;
    path.delete(digest);
    depth.set(digest, own);
    return own;
  };
  const waves: Deletion[][] = [];
  for (const digest of [...doomed].sort()) {
    const level = depthOf(digest, new Set());
    while (waves.length <= level) waves.push([]);
    waves[level]?.push({ digest, parents: [...(pointers.get(digest) ?? [])].sort() });
  }
  return waves;
}

/** An index's reported size is its largest child (ECR), so only image manifests count as bytes. */
function reclaimableSize(image: Image | undefined, isIndex: boolean): number {
  if (image === undefined || isIndex || !isKnownSingleManifest(image)) return 0;
  return image.sizeBytes ?? 0;
}

/**
 * Reported as a type that cannot name other manifests: an image manifest, or schema 1. Anything
 * else — an index, or a type we do not know, which might be an index by another name — is read
 * before the plan trusts it. `; charset=…` and case do not change the type.
 */
export function isKnownSingleManifest(image: Image): boolean {
  if (image.mediaType === undefined) return false;
  const mediaType = normalizeMediaType(image.mediaType);
  return singleManifestMediaTypes.has(mediaType) || legacyMediaTypes.has(mediaType);
}

export function shortDigest(digest: Digest): string {
  const [algorithm, hex] = digest.split(':');
  return hex === undefined ? digest : `${algorithm}:${hex.slice(0, 12)}`;
}
