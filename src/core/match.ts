import picomatch from 'picomatch';
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
      skip('prefix-mismatch', `tag ${tag} does not match ${describeMatcher(rule)}`);
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

const compiled = new WeakMap<Rule, (tag: string) => boolean>();

/**
 * A rule's tag test, compiled once: the tag starts with one of its prefixes, or matches one of its
 * globs or regular expressions — and matches none of its exclusions.
 */
export function tagMatcher(rule: Rule): (tag: string) => boolean {
  const known = compiled.get(rule);
  if (known) return known;
  const includes = [
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
