import type { Candidate, Image, ImageDecision, Rule, SkipReason } from './types.js';

/** The seed's `Sha` prefix set: tags that are hexadecimal commit hashes. */
export const shaPrefixes: readonly string[] = '0123456789abcdef'.split('');
/** The seed's `Tag` prefix set: semver release tags such as `v0.2.2`. */
export const releaseTagPrefixes: readonly string[] = ['v'];

export interface MatchResult {
  readonly candidates: readonly Candidate[];
  /** Tagged images passed over, each with its reason. Untagged images are only counted. */
  readonly skipped: readonly Extract<ImageDecision, { fate: 'skip' }>[];
  readonly untaggedCount: number;
}

/**
 * The seed's matching: an image is a candidate when it has exactly one tag, a push time, and that
 * tag starts with one of the rule's prefixes. Everything else is passed over with its reason.
 * Untagged manifests (platform children, attestations, orphans) are not the rule's business.
 */
export function matchCandidates(images: readonly Image[], rule: Rule): MatchResult {
  const candidates: Candidate[] = [];
  const skipped: Extract<ImageDecision, { fate: 'skip' }>[] = [];
  let untaggedCount = 0;
  for (const image of images) {
    if (image.tags.length === 0) {
      untaggedCount += 1;
      continue;
    }
    const skip = (reason: SkipReason, explanation: string) =>
      skipped.push({ fate: 'skip', image, reason, explanation });
    const [tag] = image.tags;
    if (image.tags.length > 1) {
      // Several tags: which one names the image is ambiguous, so the seed leaves it alone.
      if (image.tags.some((each) => tagMatches(each, rule))) {
        skip(
          'several-tags',
          `has ${image.tags.length} tags (${image.tags.join(', ')}); only single-tag images are cleaned`,
        );
      } else {
        skip('prefix-mismatch', `no tag of ${image.tags.join(', ')} starts with ${describePrefixes(rule)}`);
      }
      continue;
    }
    if (tag === undefined || !tagMatches(tag, rule)) {
      skip('prefix-mismatch', `tag ${tag} does not start with ${describePrefixes(rule)}`);
      continue;
    }
    if (image.pushedAt === undefined || Number.isNaN(image.pushedAt.getTime())) {
      skip('no-push-time', `tag ${tag} has no push time, so its age is unknown`);
      continue;
    }
    candidates.push({ image, tag, pushedAt: image.pushedAt });
  }
  return { candidates, skipped, untaggedCount };
}

export function tagMatches(tag: string, rule: Rule): boolean {
  return rule.prefixes.some((prefix) => tag.startsWith(prefix));
}

function describePrefixes(rule: Rule): string {
  if (rule.prefixes.length === 1) return `"${rule.prefixes[0]}"`;
  return `any of ${rule.prefixes.map((prefix) => `"${prefix}"`).join(', ')}`;
}
