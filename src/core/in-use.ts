import { shortDigest } from './deletion.js';
import type { ReferenceGraph } from './graph.js';
import type { Digest } from './types.js';

/**
 * Digests something runs or names (a workload, a list of references), each with why:
 * `in use by ecs service prod/api (task definition api:42)`. Built by the cleanup layer from the
 * in-use sources; the planner only reads it.
 */
export type InUse = ReadonlyMap<Digest, string>;

/**
 * What stays because it is in use: every in-use digest, every manifest whose digest group
 * reaches one — the index that names a platform manifest a pod pins by digest, the index above
 * that, the image a used referrer is about — and everything those reach. Deleting any of them
 * would take the used digest with it, or leave an index that no longer pulls. Each gets a reason a
 * person can follow back.
 */
export function heldByInUse(graph: ReferenceGraph, inUse: InUse): Map<Digest, string> {
  const held = new Map<Digest, string>(inUse);
  const pending = [...inUse.keys()];
  while (pending.length > 0) {
    const digest = pending.pop() as Digest;
    const reason = held.get(digest) as string;
    for (const holder of graph.holdersOf(digest)) {
      if (held.has(holder)) continue;
      // The reason names the digest a workload uses, however many indexes up the holder is.
      const used = inUse.has(digest) ? digest : undefined;
      held.set(
        holder,
        used === undefined
          ? reason
          : `its ${graph.subjectOf(digest) === holder ? 'referrer' : 'manifest'} ${shortDigest(used)} is ${reason}`,
      );
      pending.push(holder);
    }
  }
  // And all that they reach (children, referrers) stays with them: counted as kept here, it never
  // takes a place of the run's `drop` as a selected image that then deletes nothing.
  for (const [digest, root] of graph.reachableFrom([...held.keys()])) {
    if (!held.has(digest)) held.set(digest, `needed by ${shortDigest(root)}, which stays: ${held.get(root)}`);
  }
  return held;
}
