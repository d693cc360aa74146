import { shortDigest } from './deletion.js';
import { ReferenceGraph } from './graph.js';
import type { Deletion, Digest, Image, ImageDecision, ManifestsByDigest, Plan } from './types.js';

/** What the registry says of a digest right before it is deleted. */
export interface CurrentState {
  readonly tags: readonly string[];
  /** ECR's archive storage class (or on its way back from it). */
  readonly archived?: boolean;
}

/** A doomed digest that is not as the listing showed it, or a manifest tagged since the listing. */
export interface Retagged {
  readonly digest: Digest;
  readonly tags: readonly string[];
  /** Why it stays, in words: `tagged prod after the listing`, `archived after the listing`. */
  readonly change: string;
}

/**
 * The retag race. Deleting by digest removes every tag on it, and the registry may not refuse to
 * delete what a new index names: so right before deleting, what the registry says now is compared
 * with the listing. A doomed digest changed when its tags differ in any way (one gained — a
 * rollback moving `prod` back —, or lost — moved onto a new index that may name it) or it was
 * archived; a digest a tag names now that the listing never saw is new (a manifest pushed since,
 * which may name doomed ones). Pure.
 */
export function changesSince(
  images: readonly Image[],
  doomed: readonly Digest[],
  now: ReadonlyMap<Digest, CurrentState>,
): { changed: Retagged[]; appeared: Retagged[] } {
  const listed = new Map(images.map((image) => [image.digest, image]));
  const changed: Retagged[] = [];
  for (const digest of doomed) {
    const state = now.get(digest);
    // Not answered for: gone since (deleting it is done already), never a reason to keep.
    if (state === undefined) continue;
    const before = new Set(listed.get(digest)?.tags ?? []);
    const gained = state.tags.filter((tag) => !before.has(tag));
    const lost = [...before].filter((tag) => !state.tags.includes(tag));
    const change = state.archived
      ? 'archived after the listing'
      : gained.length > 0
        ? `tagged ${gained.join(', ')} after the listing`
        : lost.length > 0
          ? `lost the tag${lost.length > 1 ? 's' : ''} ${lost.join(', ')} after the listing (perhaps moved onto an image that names it)`
          : undefined;
    if (change !== undefined) changed.push({ digest, tags: [...state.tags], change });
  }
  const appeared = [...now]
    .filter(([digest, state]) => !listed.has(digest) && state.tags.length > 0)
    .map(([digest, state]) => ({
      digest,
      tags: [...state.tags],
      change: `tagged ${state.tags.join(', ')} after the listing`,
    }));
  return { changed, appeared };
}

/**
 * What stays because of the changes: each changed or new digest, and everything it reaches
 * (children, referrers, the image a referrer is about), with why. `images` and `manifests` must
 * include the new digests and their manifests.
 */
export function stayingAfter(
  images: readonly Image[],
  manifests: ManifestsByDigest,
  changes: readonly Retagged[],
): Map<Digest, string> {
  const graph = new ReferenceGraph(images, manifests);
  const byDigest = new Map(changes.map((entry) => [entry.digest, entry]));
  const staying = new Map<Digest, string>();
  for (const [digest, root] of graph.reachableFrom(byDigest.keys(), { withSubjects: true })) {
    const change = byDigest.get(root)?.change ?? '';
    staying.set(
      digest,
      digest === root
        ? `it was ${change}: it stays`
        : `${shortDigest(root)}, which needs it, was ${change}: it stays`,
    );
  }
  return staying;
}

/** The waves without what stays: never a deletion added, nothing emptied left behind. */
export function wavesWithout(
  waves: readonly (readonly Deletion[])[],
  staying: ReadonlyMap<Digest, string>,
): Deletion[][] {
  return waves
    .map((wave) => wave.filter((deletion) => !staying.has(deletion.digest)))
    .filter((wave) => wave.length > 0);
}

/** A plan without what stays after the changes, its decisions and groups saying why. */
export function planWithout(plan: Plan, staying: ReadonlyMap<Digest, string>): Plan {
  if (staying.size === 0) return plan;
  // Bytes as planDeletion counts them: each deleted digest once, in the first group that has it.
  const counted = new Set<Digest>();
  const groups = plan.groups
    .map((group) => {
      const members = group.members.map((member) => {
        const keptBecause = member.fate === 'delete' ? staying.get(member.digest) : undefined;
        return keptBecause === undefined ? member : { ...member, fate: 'keep' as const, keptBecause };
      });
      let bytes = 0;
      for (const member of members) {
        if (member.fate !== 'delete' || counted.has(member.digest)) continue;
        counted.add(member.digest);
        bytes += member.sizeBytes;
      }
      return { ...group, members, bytes };
    })
    .filter((group) => group.members.some((member) => member.fate === 'delete'));
  const decisions = plan.decisions.map((decision): ImageDecision => {
    const keptBecause = decision.fate === 'delete' ? staying.get(decision.image.digest) : undefined;
    if (decision.fate !== 'delete' || keptBecause === undefined) return decision;
    return { ...decision, fate: 'keep', reason: 'retagged', explanation: keptBecause };
  });
  return {
    ...plan,
    waves: wavesWithout(plan.waves, staying),
    groups,
    decisions,
    bytesReclaimed: groups.reduce((total, group) => total + group.bytes, 0),
  };
}
