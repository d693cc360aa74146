import { formatDuration } from '../duration.js';
import { isKnownSingleManifest, type Root, shortDigest } from './deletion.js';
import { ReferenceGraph } from './graph.js';
import { heldByInUse, type InUse } from './in-use.js';
import { matchCandidates } from './match.js';
import { selectOrphans } from './orphans.js';
import { selectForRemoval } from './select.js';
import {
  type Blocker,
  type Digest,
  type HandlerSpec,
  type Image,
  type ImageDecision,
  indexMediaTypes,
  type ManifestsByDigest,
  normalizeMediaType,
  singleManifestMediaTypes,
} from './types.js';

/** What one rule takes from a repository, and why it keeps the rest. */
export interface RuleSelection {
  readonly handler: HandlerSpec;
  /** The rule's candidates (tag rules) or orphans found (orphan rules): the seed's n. */
  readonly candidateCount: number;
  readonly untaggedCount: number;
  /** One decision for every tagged image (tag rules); in-use orphans spared (orphan rules). */
  readonly decisions: readonly ImageDecision[];
  /** The images this run would delete for the rule, oldest first, at most `drop`. */
  readonly roots: readonly Root[];
  /** Why the rule may delete nothing this run (a selected type nobody knows). */
  readonly blockers: readonly Blocker[];
}

/** Every running rule's selection over one listing of a repository, and what stays whatever happens. */
export interface RepositorySelection {
  readonly repository: string;
  readonly rules: readonly RuleSelection[];
  /** Kept by some rule's newest or keep conditions, in use, or an orphan in its grace period. */
  readonly kept: ReadonlySet<Digest>;
  /** Untagged manifests of the repository. */
  readonly untaggedCount: number;
}

export interface SelectionInput {
  readonly repository: string;
  /** The rules this run deletes for. */
  readonly running: readonly HandlerSpec[];
  /** The repository's other rules: they delete nothing now, but what they keep stays (keep wins). */
  readonly others: readonly HandlerSpec[];
  readonly images: readonly Image[];
  /** Indexes read so far (none before they are fetched: then only direct in-use digests are held). */
  readonly manifests: ManifestsByDigest;
  readonly now: Date;
  readonly inUse?: InUse;
  /** Record every passed-over image (`every`, the default), or only those worth a look. */
  readonly skips?: 'every' | 'notable';
}

/**
 * One pure selection over all the rules of a repository, from one listing:
 *
 *   keepers  ← what each active tag rule keeps for itself (its newest, its keep conditions), once
 *   held     ← what is in use, and every manifest that reaches it or that it reaches
 *   per rule ← its candidates, the oldest beyond `keep` not held by a condition, another rule or
 *              a workload, at most `drop`; or, for an orphan rule, the oldest orphans
 *   kept     ← everything any of that keeps
 *
 * Each rule's own keeps are computed once, so many rules over one repository cost linear time.
 */
export function selectRepository(input: SelectionInput): RepositorySelection {
  const { repository, images, manifests, now } = input;
  const graph = new ReferenceGraph(images, manifests);
  const held =
    input.inUse && input.inUse.size > 0 ? heldByInUse(graph, input.inUse) : new Map<Digest, string>();
  const keepers = ownKeeps([...input.running, ...input.others], images, now);
  const kept = new Set<Digest>([...keepers.keys(), ...held.keys()]);
  const untaggedCount = images.filter((image) => image.tags.length === 0).length;
  const rules = input.running.map((handler): RuleSelection => {
    if (handler.rule.untaggedOlderThanMs === undefined) {
      const { candidates, skipped } = matchCandidates(images, handler.rule, {
        skips: input.skips ?? 'every',
      });
      const elsewhere = (digest: Digest) =>
        keepers.get(digest)?.find((keeper) => keeper.handler !== handler.name)?.reason;
      const selection = selectForRemoval(candidates, handler.rule, {
        handlerName: handler.name,
        now,
        keptElsewhere: elsewhere,
        inUse: held,
      });
      for (const decision of selection.decisions)
        if (decision.fate === 'keep') kept.add(decision.image.digest);
      const explanations = new Map(
        selection.decisions.flatMap((decision) =>
          decision.fate === 'delete' ? [[decision.image.digest, decision.explanation] as const] : [],
        ),
      );
      return {
        handler,
        candidateCount: candidates.length,
        untaggedCount,
        decisions: [...skipped, ...selection.decisions],
        roots: selection.remove.map((candidate) => ({
          digest: candidate.image.digest,
          label: candidate.tag,
          why: explanations.get(candidate.image.digest) ?? '',
        })),
        blockers: unsupportedSelections(handler, manifests, selection.remove),
      };
    }
    const rule = handler.rule;
    const { roots, found, spared } = selectOrphans(images, manifests, rule, now, held);
    // Untagged manifests within the grace period (or of unknown age) stay, referrers included.
    const cutoff = now.getTime() - (rule.untaggedOlderThanMs ?? 0);
    for (const image of images) {
      if (image.tags.length === 0 && (image.pushedAt?.getTime() ?? Number.POSITIVE_INFINITY) > cutoff)
        kept.add(image.digest);
    }
    const why = `an orphan: untagged, no tagged image reaches it, pushed over ${formatDuration(rule.untaggedOlderThanMs ?? 0)} ago`;
    return {
      handler,
      candidateCount: found,
      untaggedCount,
      // What would have gone as an orphan but is in use is shown, with why, like a tag rule's keeps.
      decisions: spared.map((image) => ({
        fate: 'keep' as const,
        image,
        tag: '',
        reason: 'in-use' as const,
        explanation: held.get(image.digest) ?? '',
      })),
      roots: roots.map((root) => ({
        digest: root.digest,
        label: `untagged ${shortDigest(root.digest)}`,
        untagged: true,
        why,
      })),
      blockers: [],
    };
  });
  return { repository, rules, kept, untaggedCount };
}

/**
 * Whether the plan needs the repository's indexes: when some running rule selects anything (a
 * staying index anywhere may reference what a selected image would take with it), or an orphan
 * rule may find orphans (which are orphans depends on every index). Asked before they are read:
 * without them only direct in-use digests are held, and keeping more never makes an empty
 * selection non-empty.
 */
export function needsManifests(input: Omit<SelectionInput, 'manifests'>): boolean {
  const mayHaveOrphans = (handler: HandlerSpec) => {
    const cutoff = input.now.getTime() - (handler.rule.untaggedOlderThanMs ?? 0);
    return input.images.some(
      (image) => image.tags.length === 0 && (image.pushedAt?.getTime() ?? Number.POSITIVE_INFINITY) <= cutoff,
    );
  };
  if (
    input.running.some((handler) => handler.rule.untaggedOlderThanMs !== undefined && mayHaveOrphans(handler))
  )
    return true;
  const tagRules = input.running.filter((handler) => handler.rule.untaggedOlderThanMs === undefined);
  if (tagRules.length === 0) return false;
  const preliminary = selectRepository({ ...input, running: tagRules, manifests: new Map() });
  return preliminary.rules.some((rule) => rule.roots.length > 0);
}

/** The digests to read for a plan: every index, and every image whose type is not a known leaf. */
export function manifestsToRead(images: readonly Image[]): Digest[] {
  return images.filter((image) => !isKnownSingleManifest(image)).map((image) => image.digest);
}

/**
 * Precedence between rules over one repository: an image goes only if no rule that matches it
 * keeps it. For each digest, the first two active tag rules that keep it for themselves — their
 * newest, their protected, young, pulled or in-use images (not those beyond their drop limit) —
 * with their reason: two, so that a rule can always find another one than itself.
 */
function ownKeeps(
  handlers: readonly HandlerSpec[],
  images: readonly Image[],
  now: Date,
): Map<Digest, { handler: string; reason: string }[]> {
  const keepers = new Map<Digest, { handler: string; reason: string }[]>();
  for (const handler of handlers) {
    if (handler.active === false || handler.rule.untaggedOlderThanMs !== undefined) continue;
    const candidates = matchCandidates(images, handler.rule, { skips: 'notable' }).candidates;
    const own = selectForRemoval(candidates, handler.rule, { handlerName: handler.name, now });
    for (const decision of own.decisions) {
      if (decision.fate !== 'keep' || decision.reason === 'beyond-drop-limit') continue;
      const list = keepers.get(decision.image.digest) ?? [];
      if (list.length < 2 && !list.some((keeper) => keeper.handler === handler.name)) {
        list.push({ handler: handler.name, reason: `kept by ${handler.name}: ${decision.explanation}` });
        keepers.set(decision.image.digest, list);
      }
    }
  }
  return keepers;
}

/** The seed: any media type but an index or an image manifest is an error for a human. */
function unsupportedSelections(
  handler: HandlerSpec,
  manifests: ManifestsByDigest,
  selected: readonly { image: Image; tag: string }[],
): Blocker[] {
  return selected.flatMap(({ image, tag }) => {
    const manifest = manifests.get(image.digest);
    const reported =
      image.mediaType ?? (manifest && 'mediaType' in manifest ? manifest.mediaType : undefined);
    if (reported === undefined) return [];
    const mediaType = normalizeMediaType(reported);
    if (indexMediaTypes.has(mediaType) || singleManifestMediaTypes.has(mediaType)) return [];
    return [
      {
        kind: 'unsupported-media-type' as const,
        message: `${handler.repository}:${tag} has media type ${reported}, which is neither an image index nor an image manifest; a human should look at it`,
      },
    ];
  });
}
