import { isKnownSingleManifest, planDeletion, shortDigest } from './deletion.js';
import { ReferenceGraph } from './graph.js';
import { matchCandidates } from './match.js';
import { selectForRemoval } from './select.js';
import {
  type Digest,
  type HandlerSpec,
  type Image,
  indexMediaTypes,
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
}

/**
 * The digests whose manifests the plan needs: none when the rule selects nothing, else every index
 * of the repository and every image of unknown type — a staying index anywhere in the repository
 * may reference what a selected image would take with it.
 */
export function manifestsNeeded(handler: HandlerSpec, images: readonly Image[]): Digest[] {
  if (selectedBy(handler, images).length === 0) return [];
  return images.filter((image) => !isKnownSingleManifest(image)).map((image) => image.digest);
}

/** Every digest that would go with the selected images if nothing stayed: whose referrers to look up. */
export function digestsGoingWith(
  handler: HandlerSpec,
  images: readonly Image[],
  manifests: ManifestsByDigest,
): Digest[] {
  const roots = selectedBy(handler, images).map((candidate) => candidate.image.digest);
  return [...new ReferenceGraph(images, manifests).reachableFrom(roots).keys()];
}

/** The images the seed's selection takes from this repository, oldest first. */
export function selectedBy(handler: HandlerSpec, images: readonly Image[]) {
  return selectForRemoval(matchCandidates(images, handler.rule).candidates, handler.rule).remove;
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

  const blockers = [
    ...unsupportedSelections(handler, manifests, selection.remove),
    ...unreadableManifests(images, manifests),
  ];
  if (blockers.length > 0) return { ...base, ...nothing, blockers };
  const roots = selection.remove.map((candidate) => ({
    digest: candidate.image.digest,
    label: candidate.tag,
  }));
  const kept = new Set(
    selection.decisions.flatMap((decision) => (decision.fate === 'keep' ? [decision.image.digest] : [])),
  );
  return { ...base, ...planDeletion(images, manifests, roots, kept), blockers: [] };
}

/** The seed: any media type but an index or an image manifest is an error for a human. */
function unsupportedSelections(
  handler: HandlerSpec,
  manifests: ManifestsByDigest,
  selected: readonly { image: Image; tag: string }[],
): string[] {
  return selected.flatMap(({ image, tag }) => {
    const manifest = manifests.get(image.digest);
    const reported =
      image.mediaType ?? (manifest && 'mediaType' in manifest ? manifest.mediaType : undefined);
    if (reported === undefined) return [];
    const mediaType = normalizeMediaType(reported);
    if (indexMediaTypes.has(mediaType) || singleManifestMediaTypes.has(mediaType)) return [];
    return [
      `${handler.repository}:${tag} has media type ${reported}, which is neither an image index nor an image manifest; a human should look at it`,
    ];
  });
}

/** Fail closed: a manifest we could not read might reference anything we are about to delete. */
export function unreadableManifests(images: readonly Image[], manifests: ManifestsByDigest): string[] {
  return images.flatMap((image) => {
    if (isKnownSingleManifest(image)) return [];
    const manifest = manifests.get(image.digest);
    if (manifest === undefined)
      return [`the manifest of ${describeImage(image)} was not fetched, so what it references is unknown`];
    if (manifest.kind === 'unreadable')
      return [`the manifest of ${describeImage(image)} cannot be read (${manifest.reason})`];
    return [];
  });
}

function describeImage(image: Image): string {
  return image.tags.length > 0 ? `${image.tags.join(', ')} (${image.digest})` : `untagged ${image.digest}`;
}
