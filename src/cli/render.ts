import Table from 'cli-table3';
import type { HandlerReport } from '../cleanup/handler.js';
import { confirmedDeletions } from '../cleanup/outcome.js';
import { type ImageDecision, notableSkipReasons, type Plan } from '../core/types.js';
import { formatDuration } from '../duration.js';
import type { InUseSnapshot } from '../inuse/snapshot.js';
import { formatBytes, formatTime, palette, plural, shortDigest } from './format.js';
import { describeInUse } from './in-use-summary.js';

type Colors = ReturnType<typeof palette>;

/**
 * What a person reads before and after a cleanup: one summary row per handler, then for every
 * handler that deletes, each image that goes, what it takes with it and what it leaves and why.
 */
export function renderReports(
  reports: readonly HandlerReport[],
  options: { color: boolean; registry: string; mode?: 'plan' | 'apply'; inUse?: InUseSnapshot },
): string {
  const color = palette(options.color);
  const mode = options.mode ?? reports[0]?.mode ?? 'plan';
  const heading =
    mode === 'plan'
      ? `Plan for ${plural(reports.length, 'handler')} on ${options.registry} — nothing has been deleted`
      : `Cleanup of ${plural(reports.length, 'handler')} on ${options.registry}`;
  const sections = [
    color.bold(heading),
    ...(options.inUse ? [describeInUse(options.inUse, color)] : []),
    renderSummary(reports, color, mode === 'apply'),
  ];
  for (const report of reports) {
    const detail = renderHandler(report, color);
    if (detail) sections.push(detail);
  }
  return `${sections.join('\n\n')}\n`;
}

/**
 * What a handler deletes: in a plan, what it would; after an apply, only what the registry
 * confirmed — a run whose deletes all failed reclaimed nothing.
 */
function deletions(report: HandlerReport): { images: number; digests: number; bytes: number } {
  const plan = report.plan;
  if (plan === undefined) return { images: 0, digests: 0, bytes: 0 };
  if (report.execution) return confirmedDeletions(plan, report.execution);
  return {
    images: plan.groups.length,
    digests: plan.waves.reduce((total, wave) => total + wave.length, 0),
    bytes: plan.bytesReclaimed,
  };
}

function renderSummary(reports: readonly HandlerReport[], color: Colors, apply: boolean): string {
  const table = new Table({
    head: [
      'handler',
      'images',
      'kept',
      apply ? 'deleted' : 'deleting',
      'digests',
      apply ? 'reclaimed' : 'reclaims',
      'skipped',
      'status',
    ],
    ...tableStyle(color),
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  });
  let groups = 0;
  let digests = 0;
  let bytes = 0;
  for (const report of reports) {
    const plan = report.plan;
    const done = deletions(report);
    groups += done.images;
    digests += done.digests;
    bytes += done.bytes;
    table.push([
      report.handler,
      plan ? String(plan.candidateCount) : '—',
      plan ? String(plan.candidateCount - done.images) : '—',
      done.images > 0 ? color.yellow(String(done.images)) : '0',
      String(done.digests),
      formatBytes(done.bytes),
      plan ? String(plan.decisions.filter(isWorthShowing).length) : '—',
      status(report, color),
    ]);
  }
  table.push([
    color.bold('total'),
    '',
    '',
    color.bold(String(groups)),
    color.bold(String(digests)),
    color.bold(formatBytes(bytes)),
    '',
    '',
  ]);
  return table.toString();
}

function status(report: HandlerReport, color: Colors): string {
  // The error itself is said once, in full, under the table.
  if (report.error) return color.red('failed (see below)');
  if (report.plan && report.plan.blockers.length > 0) return color.red('blocked (see below)');
  const execution = report.execution;
  if (execution) {
    const failed = execution.failed.length;
    const deleted = `${plural(execution.deleted.length, 'digest')} deleted`;
    const gone = execution.alreadyGone.length > 0 ? `, ${execution.alreadyGone.length} already gone` : '';
    return failed > 0 ? color.red(`${deleted}, ${failed} failed`) : color.green(`${deleted}${gone}`);
  }
  if (report.mode === 'apply' || (report.plan?.groups.length ?? 0) === 0) return color.green('nothing to do');
  return 'would delete';
}

function renderHandler(report: HandlerReport, color: Colors): string | undefined {
  const plan = report.plan;
  const lines: string[] = [];
  if (report.error) lines.push(color.red(`  error: ${report.error}`));
  if (plan) {
    for (const blocker of plan.blockers)
      lines.push(
        color.red(
          `  blocked (nothing ${report.mode === 'apply' ? 'was' : 'will be'} deleted): ${blocker.message}`,
        ),
      );
    if (plan.groups.length > 0) lines.push(renderGroups(plan, color));
    for (const decision of plan.decisions) {
      if (decision.fate === 'keep' && decision.reason === 'in-use')
        lines.push(color.green(`  kept ${describeImage(decision.image)}: ${decision.explanation}`));
    }
    for (const decision of plan.decisions.filter(isWorthShowing)) {
      if (decision.fate === 'skip')
        lines.push(color.dim(`  skipped ${decision.image.tags.join(', ')}: ${decision.explanation}`));
    }
  }
  for (const { digest, tags } of report.retagged ?? []) {
    lines.push(
      color.yellow(
        `  kept ${shortDigest(digest)}: tagged ${tags.join(', ')} after the listing, so it stays with all it needs`,
      ),
    );
  }
  const execution = report.execution;
  if (execution) {
    for (const failure of execution.failed) {
      lines.push(color.red(`  failed ${failure.digest}: ${failure.code}: ${failure.reason}`));
    }
    if (execution.keptBecauseStillReferenced.length > 0) {
      lines.push(
        color.yellow(
          `  kept ${plural(execution.keptBecauseStillReferenced.length, 'digest')} the registry says an index still references`,
        ),
      );
    }
    if (execution.keptBecauseParentRemained.length > 0) {
      lines.push(
        color.yellow(
          `  kept ${plural(execution.keptBecauseParentRemained.length, 'child', 'children')} whose parent index could not be deleted`,
        ),
      );
    }
    if (execution.notAttempted.length > 0) {
      lines.push(
        color.yellow(`  stopped before deleting ${plural(execution.notAttempted.length, 'digest')}`),
      );
    }
  }
  if (lines.length === 0) return undefined;
  const rule = plan?.rule;
  let title = report.handler;
  if (rule?.untaggedOlderThanMs !== undefined) {
    title = `${report.handler} — ${plan?.groups.length} of ${plan?.candidateCount} orphans going (untagged, unreachable, older than ${formatDuration(rule.untaggedOlderThanMs)}; at most ${rule.drop} a run)`;
  } else if (rule && plan && report.execution) {
    const deleted = confirmedDeletions(plan, report.execution).images;
    const failed = report.execution.failed.length;
    title = `${report.handler} — ${deleted} of ${plan.groups.length} planned deleted${failed > 0 ? `, ${plural(failed, 'digest')} failed` : ''} (keep ${rule.keep}, drop at most ${rule.drop})`;
  } else if (rule) {
    title = `${report.handler} — ${plan?.groups.length} of ${plan?.candidateCount} going (keep ${rule.keep}, drop at most ${rule.drop})`;
  }
  return [color.bold(title), ...lines].join('\n');
}

function renderGroups(plan: Plan, color: Colors): string {
  const table = new Table({
    head: ['tag', 'pushed (UTC)', 'digest', 'kind', 'deleting', 'bytes', 'why'],
    ...tableStyle(color),
  });
  const keptNotes: string[] = [];
  for (const group of plan.groups) {
    const deleting = group.members.filter((member) => member.fate === 'delete').length;
    const children = group.members.length - 1;
    table.push([
      group.tag,
      formatTime(group.pushedAt),
      shortDigest(group.rootDigest),
      children > 0 ? `index + ${plural(children, 'child', 'children')}` : 'image',
      String(deleting),
      formatBytes(group.bytes),
      group.why ?? '',
    ]);
    for (const member of group.members) {
      if (member.fate === 'keep') {
        keptNotes.push(
          color.green(`  keeping ${shortDigest(member.digest)} of ${group.tag}: ${member.keptBecause}`),
        );
      }
    }
  }
  return [table.toString(), ...keptNotes].join('\n');
}

/** `v0.3.0 (sha256:0a1b2c3d4e5f)`, or `untagged sha256:0a1b2c3d4e5f`. */
function describeImage(image: { digest: string; tags: readonly string[] }): string {
  return image.tags.length > 0
    ? `${image.tags.join(', ')} (${shortDigest(image.digest)})`
    : `untagged ${shortDigest(image.digest)}`;
}

/**
 * A skipped image worth a person's attention: it looks like the rule's but is passed over (several
 * tags, no push time, only starts like a commit hash, schema 1). Tags of other rules, referrers and
 * archived images are not this handler's business.
 */
function isWorthShowing(decision: ImageDecision): boolean {
  return decision.fate === 'skip' && notableSkipReasons.has(decision.reason);
}

/** Compact tables: no line between rows; colours only on a terminal. */
function tableStyle(color: Colors) {
  return {
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: color.isColorSupported ? ['cyan'] : [], border: color.isColorSupported ? ['grey'] : [] },
  };
}
