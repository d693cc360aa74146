import picomatch from 'picomatch';
import type { Candidate, Digest, ImageDecision, KeepReason, Rule } from './types.js';

export interface Selection {
  /** Oldest first: the images this run removes, at most `drop`, never one of the newest `keep`. */
  readonly remove: readonly Candidate[];
  readonly decisions: readonly ImageDecision[];
}

export interface SelectionContext {
  /** The handler's name, for explanations such as "one of the newest 10 of kayron:v". */
  readonly handlerName?: string;
  /** The time ages and pulls are measured against. */
  readonly now?: Date;
  /** Images another rule over the same repository keeps, with that rule's reason. */
  readonly keptElsewhere?: ReadonlyMap<Digest, string>;
  /** Images something runs or names, or whose group reaches such a digest, with why (see in-use.ts). */
  readonly inUse?: ReadonlyMap<Digest, string>;
}

/**
 * The seed's selection, with keep conditions on top: the newest `keep` candidates always stay;
 * so does any candidate a keep condition holds (in use by a workload, a protected tag, younger
 * than `keepYoungerThan`, pulled within `keepPulledWithin`, kept by another rule). Of the rest, the oldest go, at most
 * `drop` a run. Without conditions this is exactly `min(drop, max(0, n − keep))` of the oldest.
 * Equal push times are ordered by tag, then digest, so every run chooses alike. Input is not mutated.
 */
export function selectForRemoval(
  candidates: readonly Candidate[],
  rule: Pick<Rule, 'keep' | 'drop' | 'keepYoungerThanMs' | 'keepPulledWithinMs' | 'protect'>,
  context: SelectionContext = {},
): Selection {
  const oldestFirst = [...candidates].sort(compareOldestFirst);
  const newestFrom = oldestFirst.length - rule.keep; // index of the oldest of the newest `keep`
  const of = context.handlerName ? ` of ${context.handlerName}` : '';
  const held = keepConditions(rule, context);
  const remove: Candidate[] = [];
  // One string each, shared by every decision that gives it: a repository may hold a million images.
  const olderThanNewest = `older than the newest ${rule.keep}${of}`;
  const beyondDropLimit = `${olderThanNewest}, but this run deletes at most ${rule.drop}`;
  const decisions: ImageDecision[] = oldestFirst.map((candidate, index) => {
    const { image, tag } = candidate;
    const keep = (reason: KeepReason, explanation: string): ImageDecision => ({
      fate: 'keep',
      image,
      tag,
      reason,
      explanation,
    });
    if (index >= newestFrom)
      return keep('newest', `one of the newest ${rule.keep}${of} (#${oldestFirst.length - index})`);
    const condition = held(candidate);
    if (condition) return keep(condition.reason, condition.explanation);
    if (remove.length >= rule.drop) return keep('beyond-drop-limit', beyondDropLimit);
    remove.push(candidate);
    return { fate: 'delete', image, tag, reason: 'older-than-newest', explanation: olderThanNewest };
  });
  return { remove, decisions };
}

/** The first keep condition that holds a candidate, with its reason, if any. */
function keepConditions(
  rule: Pick<Rule, 'keepYoungerThanMs' | 'keepPulledWithinMs' | 'protect'>,
  context: SelectionContext,
): (candidate: Candidate) => { reason: KeepReason; explanation: string } | undefined {
  const now = (context.now ?? new Date()).getTime();
  const isProtected = rule.protect?.length ? picomatch([...rule.protect]) : undefined;
  return ({ image, tag, pushedAt }) => {
    // First, because it says the most: deleting this image would break something that runs.
    const used = context.inUse?.get(image.digest);
    if (used !== undefined) return { reason: 'in-use', explanation: used };
    if (isProtected?.(tag)) return { reason: 'protected', explanation: `carries the protected tag ${tag}` };
    if (rule.keepYoungerThanMs !== undefined && now - pushedAt.getTime() < rule.keepYoungerThanMs) {
      return {
        reason: 'young',
        explanation: `younger than ${days(rule.keepYoungerThanMs)} (${days(now - pushedAt.getTime())} old)`,
      };
    }
    const pulled = image.lastPulledAt?.getTime();
    if (
      rule.keepPulledWithinMs !== undefined &&
      pulled !== undefined &&
      now - pulled < rule.keepPulledWithinMs
    ) {
      return {
        reason: 'pulled',
        explanation: `pulled ${days(now - pulled)} ago (keepPulledWithin ${days(rule.keepPulledWithinMs)})`,
      };
    }
    const elsewhere = context.keptElsewhere?.get(image.digest);
    if (elsewhere) return { reason: 'kept-by-another-rule', explanation: elsewhere };
    return undefined;
  };
}

/** 3 days, 5 h, 12 min: a duration as a person reads it in a reason. */
function days(milliseconds: number): string {
  const hours = milliseconds / 3_600_000;
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  if (hours >= 1) return `${Math.floor(hours)} h`;
  return `${Math.max(0, Math.floor(milliseconds / 60_000))} min`;
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
