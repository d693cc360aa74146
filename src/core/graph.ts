import type { Digest, ManifestsByDigest } from './types.js';

/** The digests an index names; nothing for an image manifest or a manifest we do not have. */
export function childrenOf(digest: Digest, manifests: ManifestsByDigest): readonly Digest[] {
  const manifest = manifests.get(digest);
  return manifest?.kind === 'index' ? manifest.children : [];
}

/**
 * Everything reachable from `roots` (the roots included), following index → child edges to any
 * depth. Returns, for each reached digest, the root it was first reached from, so a kept digest
 * can say which staying image needs it.
 */
export function reachableFrom(roots: Iterable<Digest>, manifests: ManifestsByDigest): Map<Digest, Digest> {
  const reachedFrom = new Map<Digest, Digest>();
  const pending: Array<[Digest, Digest]> = [];
  for (const root of roots) pending.push([root, root]);
  while (pending.length > 0) {
    const [digest, root] = pending.pop() as [Digest, Digest];
    if (reachedFrom.has(digest)) continue;
    reachedFrom.set(digest, root);
    for (const child of childrenOf(digest, manifests)) {
      if (!reachedFrom.has(child)) pending.push([child, root]);
    }
  }
  return reachedFrom;
}
