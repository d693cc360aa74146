import type { HandlerReport } from '../cleanup/handler.js';
import { confirmedDeletions } from '../cleanup/outcome.js';
import { plural } from '../cli/format.js';
import { type ImageDecision, notableSkipReasons, type Plan } from '../core/types.js';
import { formatDuration } from '../duration.js';

/**
 * What every rendering of a run agrees on — the terminal table, the HTML page and the Markdown
 * summary: a handler's status, its counts, the run's totals, and the words for each reason.
 */
export type StatusKind = 'error' | 'blocked' | 'failed' | 'deleted' | 'would-delete' | 'nothing';

export interface HandlerStatus {
  readonly kind: StatusKind;
  readonly text: string;
}

export function handlerStatus(report: HandlerReport): HandlerStatus {
  if (report.error) return { kind: 'error', text: 'failed' };
  if (report.plan && report.plan.blockers.length > 0) return { kind: 'blocked', text: 'blocked' };
  const execution = report.execution;
  if (execution) {
    const failed = execution.failed.length;
    const deleted = `${plural(execution.deleted.length, 'digest')} deleted`;
    if (failed > 0) return { kind: 'failed', text: `${deleted}, ${failed} failed` };
    const gone = execution.alreadyGone.length > 0 ? `, ${execution.alreadyGone.length} already gone` : '';
    return { kind: 'deleted', text: `${deleted}${gone}` };
  }
  if (report.mode === 'apply' || (report.plan?.groups.length ?? 0) === 0)
    return { kind: 'nothing', text: 'nothing to do' };
  return { kind: 'would-delete', text: 'would delete' };
}

/** Whether a handler needs a person's eyes before anything else: it failed or deleted nothing on purpose. */
export function needsAttention(status: HandlerStatus): boolean {
  return status.kind === 'error' || status.kind === 'blocked' || status.kind === 'failed';
}

/**
 * What is wrong with a handler, in one line: the error, the first blocker (a repository full of
 * unreadable manifests has one each), or the failures. Its section lists everything.
 */
export function problemSummary(report: HandlerReport): string {
  if (report.error) return `the run failed: ${report.error}`;
  const blockers = report.plan?.blockers ?? [];
  if (blockers.length > 0)
    return `blocked, nothing deleted: ${blockers[0]?.message}${blockers.length > 1 ? ` (and ${blockers.length - 1} more)` : ''}`;
  return handlerStatus(report).text;
}

export interface HandlerCounts {
  /** Images going (digest groups), and every digest deleted with them. */
  readonly images: number;
  readonly digests: number;
  /** Bytes the plan reclaims. */
  readonly bytes: number;
  /** What `apply` really did: digests the registry confirmed deleted, their bytes, and failures. */
  readonly deleted: number;
  readonly deletedBytes: number;
  readonly failed: number;
}

export function handlerCounts(report: HandlerReport): HandlerCounts {
  const plan = report.plan;
  const execution = report.execution;
  const confirmed = plan && execution ? confirmedDeletions(plan, execution) : undefined;
  return {
    images: plan?.groups.length ?? 0,
    digests: plan?.waves.reduce((total, wave) => total + wave.length, 0) ?? 0,
    bytes: plan?.bytesReclaimed ?? 0,
    deleted: confirmed?.digests ?? 0,
    deletedBytes: confirmed?.bytes ?? 0,
    failed: execution?.failed.length ?? 0,
  };
}

export interface RunTotals extends HandlerCounts {
  readonly handlers: number;
  /** Handlers that failed, are blocked, or could not delete everything. */
  readonly attention: number;
}

export function runTotals(reports: readonly HandlerReport[]): RunTotals {
  const totals = { images: 0, digests: 0, bytes: 0, deleted: 0, deletedBytes: 0, failed: 0 };
  let attention = 0;
  for (const report of reports) {
    const counts = handlerCounts(report);
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counts[key];
    if (needsAttention(handlerStatus(report))) attention += 1;
  }
  return { ...totals, handlers: reports.length, attention };
}

/**
 * Bytes per repository, largest first: what the plan reclaims, or, after `apply`, what the
 * registry confirmed deleted. Every repository of the run has an entry, even at zero.
 */
export function bytesByRepository(
  reports: readonly HandlerReport[],
): { repository: string; bytes: number }[] {
  const bytes = new Map<string, number>();
  for (const report of reports) {
    const counts = handlerCounts(report);
    const value = report.mode === 'apply' ? counts.deletedBytes : counts.bytes;
    bytes.set(report.repository, (bytes.get(report.repository) ?? 0) + value);
  }
  return [...bytes]
    .map(([repository, value]) => ({ repository, bytes: value }))
    .sort((left, right) => right.bytes - left.bytes || (left.repository < right.repository ? -1 : 1));
}

/** Short labels for the kinds of reason; the decision's explanation gives the particulars. */
const reasonLabels: Readonly<Record<string, string>> = {
  newest: 'newest',
  young: 'younger than',
  protected: 'protected',
  pulled: 'recently pulled',
  'kept-by-another-rule': 'kept by another rule',
  'beyond-drop-limit': "beyond this run's limit",
  'in-use': 'in use',
  retagged: 'tagged since listed',
  blocked: 'handler blocked',
  'older-than-newest': 'older than the newest',
  'no-tag': 'no tag',
  'several-tags': 'several tags',
  'no-push-time': 'no push time',
  'prefix-mismatch': "another rule's tag",
  'legacy-media-type': 'schema 1 manifest',
  'referrer-tag': 'referrer tag',
};

/** A reason kind this version does not know yet is shown as its own words, never dropped. */
export function reasonLabel(reason: string): string {
  return reasonLabels[reason] ?? reason.replaceAll('-', ' ');
}

/**
 * A skipped image worth a person's attention: it looks like the rule's but is passed over (several
 * tags, no push time, a schema 1 manifest). Tags of other rules are not this handler's business.
 */
export function isWorthShowing(decision: ImageDecision): boolean {
  return decision.fate === 'skip' && notableSkipReasons.has(decision.reason);
}

export interface Staying {
  readonly tag: string;
  readonly decision: ImageDecision;
  readonly reason: string;
  readonly explanation: string;
}

/**
 * Every candidate that stays, newest first, with its reason: those the rule keeps, and — when the
 * handler is blocked — those it selected, since a blocked handler deletes nothing.
 */
export function stayingImages(plan: Plan): Staying[] {
  const blocked = plan.blockers.length > 0;
  const staying: Staying[] = [];
  for (let index = plan.decisions.length - 1; index >= 0; index -= 1) {
    const decision = plan.decisions[index] as ImageDecision;
    if (decision.fate === 'keep')
      staying.push({
        tag: decision.tag,
        decision,
        reason: decision.reason,
        explanation: decision.explanation,
      });
    else if (decision.fate === 'delete' && blocked)
      staying.push({
        tag: decision.tag,
        decision,
        reason: 'blocked',
        explanation: `${decision.explanation}, but the handler is blocked`,
      });
  }
  return staying;
}

/** How many images stay for each kind of reason, in the order they first appear (newest first). */
export function keptByReason(plan: Plan): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const { reason } of stayingImages(plan)) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count }));
}

/** `keep 10 newest, drop at most 5 a run, younger than 14d, protect latest` — the rule in one line. */
export function describeRule(plan: Plan): string {
  const rule = plan.rule;
  if (rule.untaggedOlderThanMs !== undefined)
    return `untagged manifests nothing tagged reaches, older than ${formatDuration(rule.untaggedOlderThanMs)}; at most ${rule.drop} a run`;
  return [
    `keep the newest ${rule.keep}`,
    `delete at most ${rule.drop} a run`,
    rule.keepYoungerThanMs !== undefined && `keep younger than ${formatDuration(rule.keepYoungerThanMs)}`,
    rule.keepPulledWithinMs !== undefined && `keep pulled within ${formatDuration(rule.keepPulledWithinMs)}`,
    rule.protect?.length && `protect ${rule.protect.join(', ')}`,
  ]
    .filter(Boolean)
    .join(' · ');
}
