import { circuitBreaker } from './breaker.js';
import {
  type DeletionPlan,
  isKnownSingleManifest,
  planDeletion,
  type Root,
  shortDigest,
} from './deletion.js';
import type { InUse } from './in-use.js';
import {
  manifestsToRead,
  needsManifests,
  type RepositorySelection,
  type RuleSelection,
  selectRepository,
} from './selection.js';
import type {
  Blocker,
  Deletion,
  Digest,
  HandlerSpec,
  Image,
  Manifest,
  ManifestsByDigest,
  Plan,
} from './types.js';

export { shortDigest };

/** Every running rule's plan over one listing, and the deletions of all of them in one order. */
export interface RepositoryPlan {
  readonly repository: string;
  /** One per running rule, in their order. */
  readonly plans: readonly Plan[];
  /** All the rules' deletions together: whatever points at a manifest goes first, whoever's it is. */
  readonly waves: readonly (readonly Deletion[])[];
  /** Which running rule each digest of `waves` is deleted for (the first whose image reaches it). */
  readonly owners: ReadonlyMap<Digest, string>;
}

/**
 * The decision for one repository, pure: `(selection, images, manifests) → plans`.
 *
 *   roots    ← every running rule's selected images (or orphans), unless the rule is blocked
 *   delete   ← all of them with what belongs to them, minus what stays (one planDeletion: an image
 *              two rules delete shares its platform manifests with no one that stays)
 *   breaker  ← a rule that would delete more than its maxDeleteShare deletes nothing
 *   plans    ← per rule: its decisions, its groups, its share of the deletions
 *
 * When any manifest that could reach a deleted digest cannot be read, every rule that would
 * delete is blocked: it deletes nothing and says why.
 */
export function planRepository(
  selection: RepositorySelection,
  images: readonly Image[],
  manifests: ManifestsByDigest,
): RepositoryPlan {
  const unreadable = unreadableManifests(images, manifests);
  const blockersOf = (rule: RuleSelection): readonly Blocker[] =>
    rule.roots.length === 0 ? [] : rule.blockers.length > 0 ? rule.blockers : unreadable;
  let deleting = selection.rules.filter((rule) => rule.roots.length > 0 && blockersOf(rule).length === 0);
  const tripped = new Map<string, Blocker>();
  // A rule's breaker counts its own images (tag rules) or digests (orphan rules), so it is judged
  // on the joint plan; a rule that trips leaves it, and the rest is planned again without it.
  for (;;) {
    const deletion = planDeletion(
      images,
      manifests,
      deleting.flatMap((rule) => rule.roots),
      selection.kept,
    );
    const owners = ownersOf(deleting, deletion);
    const newlyTripped = deleting.filter((rule) => {
      const digests = [...owners.values()].filter((name) => name === rule.handler.name).length;
      const blocker = circuitBreaker(rule.handler.rule, selection.repository, images, {
        images: rule.roots.length,
        digests,
      });
      if (blocker) tripped.set(rule.handler.name, blocker);
      return blocker !== undefined;
    });
    if (newlyTripped.length === 0) return assemble(selection, deletion, owners, blockersOf, tripped);
    deleting = deleting.filter((rule) => !newlyTripped.includes(rule));
  }
}

function assemble(
  selection: RepositorySelection,
  deletion: DeletionPlan,
  owners: ReadonlyMap<Digest, string>,
  blockersOf: (rule: RuleSelection) => readonly Blocker[],
  tripped: ReadonlyMap<string, Blocker>,
): RepositoryPlan {
  const plans = selection.rules.map((rule): Plan => {
    const name = rule.handler.name;
    const blockers = tripped.has(name) ? [tripped.get(name) as Blocker] : blockersOf(rule);
    const roots = new Set(rule.roots.map((root) => root.digest));
    const groups = blockers.length > 0 ? [] : deletion.groups.filter((group) => roots.has(group.rootDigest));
    const waves = deletion.waves
      .map((wave) => wave.filter((deletionOf) => owners.get(deletionOf.digest) === name))
      .filter((wave) => wave.length > 0);
    return {
      handler: name,
      repository: selection.repository,
      rule: rule.handler.rule,
      candidateCount: rule.candidateCount,
      decisions: rule.decisions,
      groups,
      waves: blockers.length > 0 ? [] : waves,
      bytesReclaimed: groups.reduce((total, group) => total + group.bytes, 0),
      blockers,
      untaggedImageCount: rule.untaggedCount,
    };
  });
  return { repository: selection.repository, plans, waves: deletion.waves, owners };
}

/** Each deleted digest belongs to the first rule (in config order) whose group deletes it. */
function ownersOf(rules: readonly RuleSelection[], deletion: DeletionPlan): Map<Digest, string> {
  const ruleOfRoot = new Map(
    rules.flatMap((rule) => rule.roots.map((root) => [root.digest, rule.handler.name] as const)),
  );
  const owners = new Map<Digest, string>();
  for (const group of deletion.groups) {
    const owner = ruleOfRoot.get(group.rootDigest);
    if (owner === undefined) continue;
    for (const member of group.members)
      if (member.fate === 'delete' && !owners.has(member.digest)) owners.set(member.digest, owner);
  }
  return owners;
}

export interface PlanInput {
  readonly handler: HandlerSpec;
  /** Every manifest of the repository the registry shows, tagged or not. */
  readonly images: readonly Image[];
  /** The manifests of every index (and of every image whose type is unknown) in the repository. */
  readonly manifests: ManifestsByDigest;
  /** The time ages are measured against. */
  readonly now?: Date;
  /** Digests a workload runs or a list names, with why: they, and all that reaches them, stay. */
  readonly inUse?: InUse;
}

/**
 * One rule's plan, the other rules of its repository (its `siblings`) keeping what they keep:
 * the repository plan with that rule alone running. What a daemon's handler run and the tables
 * of tests ask for.
 */
export function buildPlan(input: PlanInput): Plan {
  const selection = selectRepository({
    repository: input.handler.repository,
    running: [input.handler],
    others: input.handler.siblings ?? [],
    images: input.images,
    manifests: input.manifests,
    now: input.now ?? new Date(),
    ...(input.inUse && { inUse: input.inUse }),
  });
  return planRepository(selection, input.images, input.manifests).plans[0] as Plan;
}

/** The digests one rule's plan needs read (see needsManifests): none when it would select nothing. */
export function manifestsNeeded(
  handler: HandlerSpec,
  images: readonly Image[],
  now = new Date(),
  inUse?: InUse,
): Digest[] {
  const input = {
    repository: handler.repository,
    running: [handler],
    others: handler.siblings ?? [],
    images,
    now,
    ...(inUse && { inUse }),
  };
  return needsManifests(input) ? manifestsToRead(images) : [];
}

/**
 * A plan that deletes nothing and says why, for a handler stopped before it looked at its
 * repository (an in-use source that could not be read: planning without it would show images
 * as going that a workload still runs).
 */
export function blockedPlan(handler: HandlerSpec, blockers: readonly Blocker[]): Plan {
  return {
    handler: handler.name,
    repository: handler.repository,
    rule: handler.rule,
    candidateCount: 0,
    decisions: [],
    groups: [],
    waves: [],
    bytesReclaimed: 0,
    blockers,
    untaggedImageCount: 0,
  };
}

/** Fail closed: a manifest we could not read might reference anything we are about to delete. */
export function unreadableManifests(images: readonly Image[], manifests: ManifestsByDigest): Blocker[] {
  return images.flatMap((image): Blocker[] => {
    if (isKnownSingleManifest(image)) return [];
    const manifest = manifests.get(image.digest);
    const unreadable = (message: string): Blocker[] => [{ kind: 'unreadable-manifest', message }];
    if (manifest === undefined)
      return unreadable(
        `the manifest of ${describeImage(image)} was not fetched, so what it references is unknown`,
      );
    if (manifest.kind === 'unreadable')
      return unreadable(
        `the manifest of ${describeImage(image, manifest)} cannot be read (${manifest.reason})`,
      );
    return [];
  });
}

/** `v1 (sha256:…) [media type …]`, `untagged sha256:…, archived, [media type …]`: for blockers. */
function describeImage(image: Image, manifest?: Manifest): string {
  const name =
    image.tags.length > 0 ? `${image.tags.join(', ')} (${image.digest})` : `untagged ${image.digest}`;
  const archived = image.archived ? ', archived,' : '';
  const mediaType = image.mediaType ?? (manifest && 'mediaType' in manifest ? manifest.mediaType : undefined);
  return `${name}${archived} [media type ${mediaType ?? 'not reported'}]`;
}

export type { Root };
