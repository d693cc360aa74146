import { formatDuration } from '../duration.js';
import { circuitBreaker } from './breaker.js';
import { isKnownSingleManifest, planDeletion, shortDigest } from './deletion.js';
import { ReferenceGraph } from './graph.js';
import { heldByInUse, type InUse } from './in-use.js';
import { matchCandidates } from './match.js';
import { selectOrphans } from './orphans.js';
import { selectForRemoval } from './select.js';
import {
  type Blocker,
  type Candidate,
  type Digest,
  type HandlerSpec,
  type Image,
  type ImageDecision,
  indexMediaTypes,
  type Manifest,
  type ManifestsByDigest,
  normalizeMediaType,
  type Plan,
  singleManifestMediaTypes,
} from './types.js';

export { shortDigest };

export interface PlanInput {
  readonly handler: HandlerSpec;
  /** Every manifest of the repository the registry shows, tagged or not. */
  readonly images: readonly Image[];
  /** The manifests of every index (and of every image whose type is unknown) in the repository. */
  readonly manifests: ManifestsByDigest;
  /** The time orphan ages are measured against. */
  readonly now?: Date;
  /** Digests a workload runs or a list names, with why: they, and all that reaches them, stay. */
  readonly inUse?: InUse;
}

const nothingInUse: InUse = new Map();

/**
 * The digests whose manifests the plan needs: none when the rule selects nothing, else every index
 * of the repository and every image of unknown type — a staying index anywhere in the repository
 * may reference what a selected image would take with it.
 */
export function manifestsNeeded(
  handler: HandlerSpec,
  images: readonly Image[],
  now = new Date(),
  inUse: InUse = nothingInUse,
): Digest[] {
  const orphanRule = handler.rule.untaggedOlderThanMs !== undefined;
  // Which untagged manifests are orphans depends on every index, so an orphan rule reads them all.
  // Without the indexes, only the in-use digests themselves are known to stay; what names them is
  // found once the indexes are read — and keeping more never makes an empty selection non-empty.
  const anything = orphanRule
    ? mayHaveOrphans(handler, images, now)
    : selectedBy(handler, images, now, inUse).length > 0;
  if (!anything) return [];
  return images.filter((image) => !isKnownSingleManifest(image)).map((image) => image.digest);
}

/** Every digest that would go with the selected images if nothing stayed: whose referrers to look up. */
export function digestsGoingWith(
  handler: HandlerSpec,
  images: readonly Image[],
  manifests: ManifestsByDigest,
  now = new Date(),
  inUse: InUse = nothingInUse,
): Digest[] {
  const roots = selectedBy(handler, images, now, inUse, manifests).map((candidate) => candidate.image.digest);
  return [...new ReferenceGraph(images, manifests).reachableFrom(roots).keys()];
}

/** The images the seed's selection takes from this repository, oldest first (none for orphan rules). */
export function selectedBy(
  handler: HandlerSpec,
  images: readonly Image[],
  now = new Date(),
  inUse: InUse = nothingInUse,
  manifests: ManifestsByDigest = new Map(),
) {
  if (handler.rule.untaggedOlderThanMs !== undefined) return [];
  const candidates = matchCandidates(images, handler.rule).candidates;
  return selectionOf(handler, candidates, images, now, held(images, manifests, inUse)).remove;
}

/** The handler's selection, with its keep conditions and what the other rules of its repository keep. */
function selectionOf(
  handler: HandlerSpec,
  candidates: readonly Candidate[],
  images: readonly Image[],
  now: Date,
  inUse: InUse,
) {
  return selectForRemoval(candidates, handler.rule, {
    handlerName: handler.name,
    now,
    keptElsewhere: keptBySiblings(handler, images, now),
    inUse,
  });
}

/** The in-use digests and every manifest that reaches one (none without in-use sources). */
function held(images: readonly Image[], manifests: ManifestsByDigest, inUse: InUse): InUse {
  if (inUse.size === 0) return inUse;
  return heldByInUse(new ReferenceGraph(images, manifests), inUse);
}

/**
 * Precedence between rules over one repository: an image goes only if no rule that matches it
 * keeps it. What each other active tag rule keeps for itself — its newest, its protected, young or
 * recently pulled images — is kept here too, with that rule's reason.
 */
function keptBySiblings(handler: HandlerSpec, images: readonly Image[], now: Date): Map<Digest, string> {
  const kept = new Map<Digest, string>();
  for (const sibling of handler.siblings ?? []) {
    if (sibling.active === false || sibling.rule.untaggedOlderThanMs !== undefined) continue;
    const candidates = matchCandidates(images, sibling.rule).candidates;
    for (const decision of selectForRemoval(candidates, sibling.rule, { handlerName: sibling.name, now })
      .decisions) {
      if (
        decision.fate === 'keep' &&
        decision.reason !== 'beyond-drop-limit' &&
        !kept.has(decision.image.digest)
      ) {
        kept.set(decision.image.digest, `kept by ${sibling.name}: ${decision.explanation}`);
      }
    }
  }
  return kept;
}

function mayHaveOrphans(handler: HandlerSpec, images: readonly Image[], now: Date): boolean {
  const cutoff = now.getTime() - (handler.rule.untaggedOlderThanMs ?? 0);
  return images.some(
    (image) => image.tags.length === 0 && (image.pushedAt?.getTime() ?? Number.POSITIVE_INFINITY) <= cutoff,
  );
}

/**
 * An orphan rule's run: the oldest top-level orphans past the grace period, at most `drop`, each
 * with what belongs to it, minus whatever still stays. Blocked, like any run, when an index it
 * would have to read cannot be read.
 */
function buildOrphanPlan({ handler, images, manifests, now = new Date(), inUse }: PlanInput): Plan {
  const common = {
    handler: handler.name,
    repository: handler.repository,
    rule: handler.rule,
    untaggedImageCount: images.filter((image) => image.tags.length === 0).length,
  };
  const nothing = { groups: [], waves: [], bytesReclaimed: 0 };
  if (!mayHaveOrphans(handler, images, now))
    return { ...common, decisions: [], candidateCount: 0, ...nothing, blockers: [] };
  const blockers = unreadableManifests(images, manifests);
  if (blockers.length > 0) return { ...common, decisions: [], candidateCount: 0, ...nothing, blockers };
  const inUseHeld = held(images, manifests, inUse ?? nothingInUse);
  const { roots, found, spared } = selectOrphans(images, manifests, handler.rule, now, inUseHeld);
  // What would have gone as an orphan but is in use is shown, with why, like a tag rule's keeps.
  const base = {
    ...common,
    decisions: spared.map(
      (image): ImageDecision => ({
        fate: 'keep',
        image,
        tag: '',
        reason: 'in-use',
        explanation: inUseHeld.get(image.digest) ?? '',
      }),
    ),
  };
  if (roots.length === 0) return { ...base, candidateCount: found, ...nothing, blockers: [] };
  const why = `an orphan: untagged, no tagged image reaches it, pushed over ${formatDuration(handler.rule.untaggedOlderThanMs ?? 0)} ago`;
  const labelled = roots.map((root) => ({
    digest: root.digest,
    label: `untagged ${shortDigest(root.digest)}`,
    untagged: true,
    why,
  }));
  // Untagged manifests within the grace period (or of unknown age) stay, referrers included.
  const cutoff = now.getTime() - (handler.rule.untaggedOlderThanMs ?? 0);
  const young = images.filter(
    (image) => image.tags.length === 0 && (image.pushedAt?.getTime() ?? Number.POSITIVE_INFINITY) > cutoff,
  );
  const deletion = planDeletion(
    images,
    manifests,
    labelled,
    new Set([...young.map((image) => image.digest), ...inUseHeld.keys()]),
  );
  const digests = deletion.waves.reduce((total, wave) => total + wave.length, 0);
  const tripped = circuitBreaker(handler.rule, handler.repository, images, {
    images: deletion.groups.length,
    digests,
  });
  if (tripped) return { ...base, candidateCount: found, ...nothing, blockers: [tripped] };
  return { ...base, candidateCount: found, ...deletion, blockers: [] };
}

/**
 * The whole decision for one run of one handler, pure: `(images, manifests) → Plan`.
 *
 *   candidates ← images with one tag, a push time, a matching prefix (the rest skipped, with reason)
 *   selected   ← the oldest min(drop, max(0, n − keep)) candidates
 *   delete     ← each selected image with all that belongs to it, minus what stays (planDeletion)
 *
 * When a selected image has an unsupported media type, or any manifest that could reach a deleted
 * digest cannot be read, the plan is blocked: it deletes nothing and says why.
 */
export function buildPlan(input: PlanInput): Plan {
  if (input.handler.rule.untaggedOlderThanMs !== undefined) return buildOrphanPlan(input);
  const { handler, images, manifests, now = new Date() } = input;
  const { candidates, skipped, untaggedCount } = matchCandidates(images, handler.rule);
  const inUseHeld = held(images, manifests, input.inUse ?? nothingInUse);
  const selection = selectionOf(handler, candidates, images, now, inUseHeld);
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

  const blockers = [
    ...unsupportedSelections(handler, manifests, selection.remove),
    ...unreadableManifests(images, manifests),
  ];
  if (blockers.length > 0) return { ...base, ...nothing, blockers };
  const explanations = new Map(
    selection.decisions.flatMap((decision) =>
      decision.fate === 'delete' ? [[decision.image.digest, decision.explanation] as const] : [],
    ),
  );
  const roots = selection.remove.map((candidate) => ({
    digest: candidate.image.digest,
    label: candidate.tag,
    why: explanations.get(candidate.image.digest) ?? '',
  }));
  // What this rule keeps, what the other rules of the repository keep and what is in use (tagged
  // or not) stays, whatever it is.
  const kept = new Set([
    ...selection.decisions.flatMap((decision) => (decision.fate === 'keep' ? [decision.image.digest] : [])),
    ...keptBySiblings(handler, images, now).keys(),
    ...inUseHeld.keys(),
  ]);
  const deletion = planDeletion(images, manifests, roots, kept);
  const digests = deletion.waves.reduce((total, wave) => total + wave.length, 0);
  const tripped = circuitBreaker(handler.rule, handler.repository, images, {
    images: deletion.groups.length,
    digests,
  });
  if (tripped) return { ...base, ...nothing, blockers: [tripped] };
  return { ...base, ...deletion, blockers: [] };
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
        kind: 'unsupported-media-type',
        message: `${handler.repository}:${tag} has media type ${reported}, which is neither an image index nor an image manifest; a human should look at it`,
      },
    ];
  });
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
