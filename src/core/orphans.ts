import { ReferenceGraph } from './graph.js';
import {
  type Digest,
  type Image,
  legacyMediaTypes,
  type ManifestsByDigest,
  normalizeMediaType,
  type Rule,
} from './types.js';

export interface OrphanSelection {
  /** Orphans old enough to go, not held by another orphan, oldest first, at most `drop`. */
  readonly roots: readonly Image[];
  /** How many such orphans there are in all (the rule's "candidates"). */
  readonly found: number;
  /** Old unreachable manifests that stay because they are in use, or reach what is (for the plan's reasons). */
  readonly spared: readonly Image[];
}

/**
 * Orphans: untagged manifests that no tagged image reaches — the registry's own leftovers
 * (platform manifests of an overwritten tag, a push that never got its index), what an interrupted
 * run left behind, and referrers whose subject is gone. Only those older than the grace period
 * are taken, because a push in progress looks exactly like this for a moment: buildx pushes the
 * platform manifests before the index that names them.
 */
export function selectOrphans(
  images: readonly Image[],
  manifests: ManifestsByDigest,
  rule: Pick<Rule, 'drop' | 'untaggedOlderThanMs' | 'keepPulledWithinMs'>,
  now: Date,
  /** In-use digests and what reaches them (see in-use.ts): never orphans, nor is anything they reach. */
  inUse: ReadonlyMap<Digest, string> = new Map(),
): OrphanSelection {
  const graph = new ReferenceGraph(images, manifests);
  const reachable = graph.reachableFrom(
    images.filter((image) => image.tags.length > 0).map((image) => image.digest),
  );
  // A pod pins a digest: untagged, unreachable from any tag, and still running.
  const usedReach = inUse.size > 0 ? graph.reachableFrom(inUse.keys()) : new Map<Digest, Digest>();
  const cutoff = now.getTime() - (rule.untaggedOlderThanMs ?? Number.POSITIVE_INFINITY);
  // An untagged manifest pulled recently is in use, by digest (Kubernetes pins digests): not an orphan.
  const pulledSince = now.getTime() - (rule.keepPulledWithinMs ?? Number.NEGATIVE_INFINITY);
  const unused = images.filter(
    (image) =>
      (image.lastPulledAt?.getTime() ?? Number.NEGATIVE_INFINITY) < pulledSince &&
      image.tags.length === 0 &&
      !image.archived &&
      !isLegacy(image) &&
      !reachable.has(image.digest) &&
      image.pushedAt !== undefined &&
      image.pushedAt.getTime() <= cutoff,
  );
  const old = unused.filter((image) => !usedReach.has(image.digest));
  const spared = unused.filter((image) => inUse.has(image.digest));
  // An orphan index takes its orphan children with it: count and cap the top-level ones only.
  const heldByAnother = new Set<string>();
  for (const orphan of old) {
    for (const digest of graph.reachableFrom(graph.belongingTo(orphan.digest)).keys())
      heldByAnother.add(digest);
  }
  const topLevel = old
    .filter((image) => !heldByAnother.has(image.digest))
    .sort(
      (left, right) =>
        (left.pushedAt?.getTime() ?? 0) - (right.pushedAt?.getTime() ?? 0) ||
        (left.digest < right.digest ? -1 : 1),
    );
  return { roots: topLevel.slice(0, rule.drop), found: topLevel.length, spared };
}

/** Schema 1 is never deleted: a human decides (see legacyMediaTypes). */
export function isLegacy(image: Image): boolean {
  return image.mediaType !== undefined && legacyMediaTypes.has(normalizeMediaType(image.mediaType));
}
