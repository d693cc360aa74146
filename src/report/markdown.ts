import type { HandlerReport } from '../cleanup/handler.js';
import { formatBytes, formatTime, palette, plural, shortDigest } from '../cli/format.js';
import { describeInUse } from '../cli/in-use-summary.js';
import type { Plan } from '../core/types.js';
import type { ReportContext } from './html.js';
import { MarkdownBudget, markdownCode, markdownText as text } from './markdown-text.js';
import { describeGroup, keptMembers, outcomesByDigest } from './outcome.js';
import {
  describeRule,
  handlerCounts,
  handlerStatus,
  isWorthShowing,
  keptByReason,
  needsAttention,
  problemSummary,
  reasonLabel,
  runTotals,
} from './summary.js';

/** GitHub refuses a job summary over 1 MiB; the rest of the margin is for what a workflow adds. */
export const githubSummaryLimitBytes = 1_000_000;
/** More rows than this in one list is not read in a comment; the HTML report has them all. */
const mostRowsPerList = 200;

/**
 * The run as GitHub-flavoured Markdown, for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the
 * totals, one summary row per handler, then per handler what goes and why, what stays although its
 * image goes, and every blocker and failure. Long lists are cut with a note to stay within GitHub's
 * limit; problems come first so a cut never hides one.
 */
export function renderMarkdownReport(
  reports: readonly HandlerReport[],
  context: ReportContext,
  options: { maxBytes?: number } = {},
): string {
  const budget = new MarkdownBudget(options.maxBytes ?? githubSummaryLimitBytes);
  const mode = reports[0]?.mode ?? 'plan';
  const totals = runTotals(reports);
  const generated = formatTime(context.generatedAt);
  budget.add(
    mode === 'plan'
      ? `## registry-janitor plan: ${plural(totals.images, 'image')} going, ${formatBytes(totals.bytes)} reclaimable\n\n` +
          `**Nothing has been deleted.** ${plural(reports.length, 'handler')} on ${text(context.registry)}, ${generated} UTC: ` +
          `${plural(totals.images, 'image')} would go with ${plural(totals.digests, 'digest')}.\n`
      : `## registry-janitor apply: ${plural(totals.deleted, 'digest')} deleted, ${formatBytes(totals.deletedBytes)} reclaimed\n\n` +
          `${plural(reports.length, 'handler')} on ${text(context.registry)}, ${generated} UTC: ` +
          `${totals.deleted} of ${plural(totals.digests, 'planned digest')} deleted, ${totals.failed} failed.\n`,
  );
  if (context.inUse) budget.add(`\n${text(describeInUse(context.inUse, palette(false)))}\n`);
  const attention = reports.filter((report) => needsAttention(handlerStatus(report)));
  if (attention.length > 0) {
    budget.add(
      `\n> [!WARNING]\n> ${plural(attention.length, 'handler needs', 'handlers need')} attention:\n`,
    );
    budget.rows(
      attention.map((report) => `> - **${text(report.handler)}**: ${text(problemSummary(report))}\n`),
      (left) => `> - …and ${left} more\n`,
    );
  }
  budget.add(
    `\n| handler | images | stay | going | ${mode === 'apply' ? 'deleted' : 'digests'} | ${mode === 'apply' ? 'reclaimed' : 'reclaims'} | status |\n` +
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |\n',
  );
  budget.rows(
    reports.map((report) => summaryRow(report)),
    (left) => `\n_…and ${plural(left, 'more handler')} not shown._\n`,
  );
  for (const report of reports) handlerDetail(report, budget);
  return budget.text();
}

function summaryRow(report: HandlerReport): string {
  const counts = handlerCounts(report);
  const plan = report.plan;
  const candidates = plan?.candidateCount;
  const apply = report.mode === 'apply';
  const status = handlerStatus(report);
  return `| ${text(report.handler)} | ${candidates ?? '—'} | ${candidates === undefined ? '—' : candidates - counts.images} | ${counts.images} | ${apply && counts.digests > 0 ? `${counts.deleted}/${counts.digests}` : counts.digests} | ${formatBytes(apply ? counts.deletedBytes : counts.bytes)} | ${needsAttention(status) ? `**${text(status.text)}**` : text(status.text)} |\n`;
}

/** A handler's own section, only when it has something to show: images going, or a problem. */
function handlerDetail(report: HandlerReport, budget: MarkdownBudget): void {
  const plan = report.plan;
  const status = handlerStatus(report);
  const problem = needsAttention(status);
  if (!problem && (plan?.groups.length ?? 0) === 0) return;
  if (!budget.hasRoom()) {
    budget.cut();
    return;
  }
  const apply = report.mode === 'apply';
  const heading = plan
    ? `${text(report.handler)}: ${plan.groups.length} of ${plural(plan.candidateCount, 'image')} ${apply ? 'deleted' : 'going'}`
    : text(report.handler);
  const stays = plan
    ? keptByReason(plan).map(({ reason, count }) => `${count} ${text(reasonLabel(reason))}`)
    : [];
  budget.add(
    `\n### ${heading}\n` +
      (plan
        ? `\n${text(describeRule(plan))}.${stays.length > 0 ? ` Stays: ${stays.join(', ')}.` : ''}\n`
        : ''),
  );
  if (problem) budget.add(`\n**Needs attention:** ${text(problemSummary(report))}\n`);
  const blockers = plan?.blockers ?? [];
  if (blockers.length > 1) {
    budget.add('\nEvery blocker:\n\n');
    budget.rows(
      blockers.map((blocker) => `- ${text(blocker.message)}\n`),
      (left) => `- …and ${left} more\n`,
      mostRowsPerList,
    );
  }
  const failed = report.execution?.failed ?? [];
  if (failed.length > 0) budget.add('\nFailed deletions:\n\n');
  budget.rows(
    failed.map(
      (failure) =>
        `- failed ${markdownCode(failure.digest)}: ${text(failure.code)}: ${text(failure.reason)}\n`,
    ),
    (left) => `- …and ${left} more failures\n`,
    mostRowsPerList,
  );
  if (plan && plan.groups.length > 0) goingTable(report, plan, budget);
  const passed = plan?.decisions.filter(isWorthShowing) ?? [];
  if (passed.length > 0) {
    const listed = passed
      .slice(0, 10)
      .map((decision) => `${text(decision.image.tags.join(', '))} (${text(reasonLabel(decision.reason))})`);
    budget.add(
      `\nPassed over, never deleted by this rule: ${listed.join('; ')}${passed.length > 10 ? `; …and ${passed.length - 10} more` : ''}.\n`,
    );
  }
}

/** The images that go, one row each, then the digests of theirs that stay and why. */
function goingTable(report: HandlerReport, plan: Plan, budget: MarkdownBudget): void {
  const apply = report.mode === 'apply';
  const outcomes = outcomesByDigest(report.execution);
  const decisions = new Map(plan.decisions.map((decision) => [decision.image.digest, decision]));
  budget.add(
    `\n| tag | pushed (UTC) | digest | what | ${apply ? 'deleted' : 'digests'} | bytes | why it goes |\n| --- | --- | --- | --- | ---: | ---: | --- |\n`,
  );
  const kept: string[] = [];
  const rows = plan.groups.map((group) => {
    const decision = decisions.get(group.rootDigest);
    const staying = keptMembers(group);
    const deleting = group.members.length - staying.length;
    const done = group.members.filter((member) => outcomes.get(member.digest)?.done).length;
    for (const member of staying)
      kept.push(
        `- ${markdownCode(shortDigest(member.digest))} of ${text(group.tag)}: ${text(member.keptBecause ?? 'something that stays needs it')}\n`,
      );
    return `| ${text(group.tag)} | ${formatTime(decision?.image.pushedAt)} | ${markdownCode(shortDigest(group.rootDigest))} | ${describeGroup(group)} | ${apply ? `${done}/${deleting}` : deleting} | ${formatBytes(group.bytes)} | ${text(decision?.explanation ?? 'no tagged image reaches it')} |\n`;
  });
  budget.rows(
    rows,
    (left) => `\n_…and ${plural(left, 'more image')}: the HTML or JSON report lists them all._\n`,
    mostRowsPerList,
  );
  if (kept.length > 0) {
    budget.add('\nStaying although their image goes, because something that stays needs them:\n\n');
    budget.rows(kept, (left) => `- …and ${left} more\n`, mostRowsPerList);
  }
}
