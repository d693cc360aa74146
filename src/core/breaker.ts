import type { Blocker, Image, Rule } from './types.js';

/**
 * The circuit breaker: a run that would delete more than `maxDeleteShare` of a repository's images
 * deletes nothing and says so. What it guards against is not the rule but the inventory — a
 * listing cut short, a registry answering from a stale replica — which would make most of a
 * repository look old or unreferenced. Tag rules count tagged images; orphan rules count manifests.
 */
export function circuitBreaker(
  rule: Rule,
  repository: string,
  images: readonly Image[],
  deleting: { readonly images: number; readonly digests: number },
): Blocker | undefined {
  const limit = rule.maxDeleteShare;
  if (limit === undefined) return undefined;
  const orphans = rule.untaggedOlderThanMs !== undefined;
  const total = orphans ? images.length : images.filter((image) => image.tags.length > 0).length;
  const count = orphans ? deleting.digests : deleting.images;
  if (total === 0 || count / total <= limit) return undefined;
  const what = orphans ? 'manifests' : 'tagged images';
  return {
    kind: 'circuit-breaker',
    message:
      `circuit breaker: this run would delete ${count} of the ${total} ${what} of ${repository} ` +
      `(${percent(count / total)}), more than maxDeleteShare ${percent(limit)} allows. ` +
      'If that is intended, raise maxDeleteShare for this rule or set it to off.',
  };
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}
