import picomatch from 'picomatch';
import { referrerTag } from './graph.js';
import {
  type Candidate,
  type Image,
  type ImageDecision,
  legacyMediaTypes,
  normalizeMediaType,
  type Rule,
  type SkipReason,
} from './types.js';

/**
 * `tags: sha`: a commit hash, short or full — lower-case hex digits only, 7 to 64 of them. The
 * seed's `Sha` prefix set (0–9, a–f) meant the same, but as a prefix test it also takes `dev`,
 * `beta`, `cache`, `edge`, `feature-login`; those are passed over here, with the reason.
 */
export const commitHash = /^[0-9a-f]{7,64}$/;
/** The seed's literal `Sha` prefix set, for a config that wants exactly the original behaviour. */
export const seedShaPrefixes: readonly string[] = '0123456789abcdef'.split('');
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
 * tag matches the rule. Everything else is passed over with its reason. Untagged manifests
 * (platform children, attestations, orphans) are not a tag rule's business.
 */
export function matchCandidates(images: readonly Image[], rule: Rule): MatchResult {
  const candidates: Candidate[] = [];
  const skipped: Extract<ImageDecision, { fate: 'skip' }>[] = [];
  let untaggedCount = 0;
  const matches = tagMatcher(rule);
  for (const image of images) {
    if (image.tags.length === 0) {
      untaggedCount += 1;
      continue;
    }
    const skip = (reason: SkipReason, explanation: string) =>
      skipped.push({ fate: 'skip', image, reason, explanation });
    const [tag] = image.tags;
    const passedOver = neverCandidate(image);
    if (passedOver) {
      skip(passedOver.reason, passedOver.explanation);
      continue;
    }
    if (image.tags.length > 1) {
      // Several tags: which one names the image is ambiguous, so the seed leaves it alone.
      if (image.tags.some(matches)) {
        skip(
          'several-tags',
          `has ${image.tags.length} tags (${image.tags.join(', ')}); only single-tag images are cleaned`,
        );
      } else {
        skip('prefix-mismatch', `no tag of ${image.tags.join(', ')} matches ${describeMatcher(rule)}`);
      }
      continue;
    }
    if (tag === undefined || !matches(tag)) {
      if (tag !== undefined && rule.commitHashes && /^[0-9a-f]/.test(tag) && !matchesOtherwise(rule, tag)) {
        skip(
          'not-a-commit-hash',
          `tag ${tag} starts like a commit hash but is not one (sha takes tags of 7 to 64 hex digits only)`,
        );
      } else {
        skip('prefix-mismatch', `tag ${tag} does not match ${describeMatcher(rule)}`);
      }
      continue;
    }
    if (image.pushedAt === undefined || Number.isNaN(image.pushedAt.getTime())) {
      skip('no-push-time', `tag ${tag} has no push or creation time, so its age is unknown`);
      continue;
    }
    candidates.push({ image, tag, pushedAt: image.pushedAt });
  }
  return { candidates, skipped, untaggedCount };
}

/**
 * Images no tag rule ever takes, whatever its matcher: referrers named by a tag scheme (they go
 * and stay with their subject, never on their own), media types the tool never deletes, and ECR's
 * archived images.
 */
function neverCandidate(image: Image): { reason: SkipReason; explanation: string } | undefined {
  const scheme = image.tags.find((tag) => referrerTag.test(tag));
  if (scheme !== undefined) {
    return {
      reason: 'referrer-tag',
      explanation: `${scheme} names a referrer of another image: it goes with that image and stays with it`,
    };
  }
  const mediaType = image.mediaType === undefined ? undefined : normalizeMediaType(image.mediaType);
  if (mediaType !== undefined && legacyMediaTypes.has(mediaType)) {
    return {
      reason: 'legacy-media-type',
      explanation: `schema1 (${image.mediaType}): never cleaned; delete it by hand if it is no longer needed`,
    };
  }
  if (image.archived) {
    return {
      reason: 'archived',
      explanation: 'archived in ECR: never deleted here (ECR lifecycle policies manage the archive)',
    };
  }
  return undefined;
}

/** Whether a tag matches the rule's prefixes, globs or regexes, leaving its commit-hash test aside. */
function matchesOtherwise(rule: Rule, tag: string): boolean {
  return tagMatcher({ ...rule, commitHashes: false })(tag);
}

const compiled = new WeakMap<Rule, (tag: string) => boolean>();

/**
 * A rule's tag test, compiled once: the tag starts with one of its prefixes, or matches one of its
 * globs or regular expressions — and matches none of its exclusions.
 */
export function tagMatcher(rule: Rule): (tag: string) => boolean {
  const known = compiled.get(rule);
  if (known) return known;
  const includes = [
    ...(rule.commitHashes ? [(tag: string) => commitHash.test(tag)] : []),
    ...rule.prefixes.map((prefix) => (tag: string) => tag.startsWith(prefix)),
    ...(rule.globs ?? []).map((glob) => picomatch(glob)),
    ...(rule.regexes ?? []).map((source) => {
      const pattern = new RegExp(source, 'u');
      return (tag: string) => pattern.test(tag);
    }),
  ];
  const excluded = (rule.exclude ?? []).map((glob) => picomatch(glob));
  const matcher = (tag: string) => includes.some((test) => test(tag)) && !excluded.some((test) => test(tag));
  compiled.set(rule, matcher);
  return matcher;
}

export function tagMatches(tag: string, rule: Rule): boolean {
  return tagMatcher(rule)(tag);
}

/** `"v"`, `any of "a", "b"`, `glob release-*`… as a person would say it. */
export function describeMatcher(rule: Rule): string {
  const parts = [
    ...(rule.commitHashes ? ['a commit hash (7 to 64 hex digits)'] : []),
    ...(rule.prefixes.length === 1
      ? [`"${rule.prefixes[0]}"`]
      : rule.prefixes.length > 1
        ? [`any of ${rule.prefixes.map((prefix) => `"${prefix}"`).join(', ')}`]
        : []),
    ...(rule.globs ?? []).map((glob) => `glob ${glob}`),
    ...(rule.regexes ?? []).map((source) => `/${source}/`),
  ];
  const exclusions = rule.exclude?.length ? ` (except ${rule.exclude.join(', ')})` : '';
  return `${parts.join(' or ')}${exclusions}`;
}
