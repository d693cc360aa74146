import type { Candidate, ImageDecision, Rule } from './types.js';

export interface Selection {
  /** Oldest first: the images this run removes, at most `drop`, never one of the newest `keep`. */
  readonly remove: readonly Candidate[];
  readonly decisions: readonly ImageDecision[];
}

/**
 * The seed's selection: sort oldest first and take `min(drop, max(0, n − keep))` of the oldest.
 * Equal push times are ordered by tag, then digest, so two runs over the same inventory always
 * choose the same images. The input is never mutated.
 */
export function selectForRemoval(
  candidates: readonly Candidate[],
  rule: Pick<Rule, 'keep' | 'drop'>,
): Selection {
  const oldestFirst = [...candidates].sort(compareOldestFirst);
  const removeCount = Math.min(rule.drop, Math.max(0, oldestFirst.length - rule.keep));
  const protectedFrom = oldestFirst.length - rule.keep; // index of the oldest of the newest `keep`
  const decisions: ImageDecision[] = oldestFirst.map((candidate, index) => {
    const { image, tag } = candidate;
    if (index < removeCount) {
      return {
        fate: 'delete',
        image,
        tag,
        reason: 'older-than-newest',
        explanation: `older than the newest ${rule.keep}`,
      };
    }
    if (index >= protectedFrom) {
      const rank = oldestFirst.length - index;
      return {
        fate: 'keep',
        image,
        tag,
        reason: 'newest',
        explanation: `one of the newest ${rule.keep} (#${rank})`,
      };
    }
    return {
      fate: 'keep',
      image,
      tag,
      reason: 'beyond-drop-limit',
      explanation: `older than the newest ${rule.keep}, but this run deletes at most ${rule.drop}`,
    };
  });
  return { remove: oldestFirst.slice(0, removeCount), decisions };
}

export function compareOldestFirst(left: Candidate, right: Candidate): number {
  return (
    left.pushedAt.getTime() - right.pushedAt.getTime() ||
    compareText(left.tag, right.tag) ||
    compareText(left.image.digest, right.image.digest)
  );
}

function compareText(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
