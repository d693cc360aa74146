import { shortDigest } from './deletion.js';
import { ReferenceGraph } from './graph.js';
import type { Digest, Image, ImageDecision, ManifestsByDigest, Plan } from './types.js';

/** A digest that gained a tag between the listing and its deletion, and the tags it carries now. */
export interface Retagged {
  readonly digest: Digest;
  readonly tags: readonly string[];
}

/**
 * The retag race. Deleting by digest removes every tag on it, so a tag pushed onto an old image
 * after the listing (a rollback moving `prod` back, a promotion) would go with it. Given the tags
 * each doomed digest carries now, this drops from the plan every digest that gained a tag, and
 * everything that image needs (its children, its referrers, the image it is about): it now stays.
 * Never adds a deletion; pure.
 *
 *   retagged ← doomed digests carrying a tag now that they did not carry when listed
 *   staying  ← everything the retagged reach (children, referrers, subjects)
 *   plan     ← the plan without `staying`, its decisions and groups saying why
 */
export function withoutRetagged(
  plan: Plan,
  images: readonly Image[],
  manifests: ManifestsByDigest,
  tagsNow: ReadonlyMap<Digest, readonly string[]>,
): { plan: Plan; retagged: Retagged[] } {
  const listed = new Map(images.map((image) => [image.digest, new Set(image.tags)]));
  const retagged: Retagged[] = [];
  for (const deletion of plan.waves.flat()) {
    const now = tagsNow.get(deletion.digest) ?? [];
    const before = listed.get(deletion.digest) ?? new Set<string>();
    if (now.some((tag) => !before.has(tag))) retagged.push({ digest: deletion.digest, tags: [...now] });
  }
  if (retagged.length === 0) return { plan, retagged };

  const graph = new ReferenceGraph(images, manifests);
  const staying = graph.reachableFrom(
    retagged.map((entry) => entry.digest),
    { withSubjects: true },
  );
  const because = new Map(
    [...staying].map(([digest, root]) => {
      const tags = retagged.find((entry) => entry.digest === root)?.tags.join(', ') ?? '';
      const what = digest === root ? 'it' : `${shortDigest(root)}, which needs it,`;
      return [digest, `${what} was tagged ${tags} after the listing: it stays`] as const;
    }),
  );
  const waves = plan.waves
    .map((wave) => wave.filter((deletion) => !staying.has(deletion.digest)))
    .filter((wave) => wave.length > 0);
  // Bytes as planDeletion counts them: each deleted digest once, in the first group that has it.
  const counted = new Set<Digest>();
  const groups = plan.groups
    .map((group) => {
      const members = group.members.map((member) => {
        const keptBecause = member.fate === 'delete' ? because.get(member.digest) : undefined;
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
    const keptBecause = decision.fate === 'delete' ? because.get(decision.image.digest) : undefined;
    if (decision.fate !== 'delete' || keptBecause === undefined) return decision;
    return { ...decision, fate: 'keep', reason: 'retagged', explanation: keptBecause };
  });
  return {
    plan: {
      ...plan,
      waves,
      groups,
      decisions,
      bytesReclaimed: groups.reduce((total, group) => total + group.bytes, 0),
    },
    retagged,
  };
}
