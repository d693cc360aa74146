import type { HandlerReport } from '../cleanup/handler.js';
import { formatBytes, formatTime, plural, shortDigest } from '../cli/format.js';
import type { DigestGroup, GroupMember, Plan } from '../core/types.js';
import { html, join, type Markup } from './markup.js';
import { describeGroup, keptMembers, memberRole, type Outcome, outcomesByDigest } from './outcome.js';
import {
  describeRule,
  handlerCounts,
  handlerStatus,
  isWorthShowing,
  keptByReason,
  needsAttention,
  reasonLabel,
  stayingImages,
} from './summary.js';

/**
 * One handler: its status, what blocks or failed it, each image that goes (an index opens to its
 * children and referrers, each with its fate), and — folded, since they can be thousands — the
 * images that stay and those passed over, each with its reason.
 */
export function handlerSection(report: HandlerReport, id: string): Markup {
  const status = handlerStatus(report);
  const plan = report.plan;
  const outcomes = outcomesByDigest(report.execution);
  return html`<section class="card handler${needsAttention(status) ? ' needs-attention' : ''}" id="${id}">
<header><h2>${report.handler}</h2><span class="badge ${status.kind}">${status.text}</span></header>
${plan && html`<p class="rule">${describeRule(plan)}</p>`}
${problems(report)}
${plan && goingList(plan, report.mode, outcomes, handlerCounts(report).digests)}
${plan && stayingList(plan)}
${plan && passedOver(plan)}
</section>`;
}

function problems(report: HandlerReport): Markup {
  const parts: Markup[] = [];
  if (report.error)
    parts.push(html`<div class="problem"><strong>The run failed:</strong> ${report.error}</div>`);
  const blockers = report.plan?.blockers ?? [];
  if (blockers.length > 0) {
    parts.push(html`<div class="problem"><strong>Blocked: nothing ${report.mode === 'apply' ? 'was' : 'will be'} deleted by this handler.</strong>
<ul>${blockers.map((blocker) => html`<li>${blocker.message}</li>`)}</ul></div>`);
  }
  const execution = report.execution;
  if (execution && execution.failed.length > 0) {
    parts.push(html`<div class="problem"><strong>${plural(execution.failed.length, 'digest')} could not be deleted:</strong>
<ul>${execution.failed.map((failure) => html`<li><code>${failure.digest}</code>: ${failure.code}: ${failure.reason}</li>`)}</ul></div>`);
  }
  const notes: [readonly string[], string][] = execution
    ? [
        [execution.keptBecauseParentRemained, 'kept because their parent index could not be deleted'],
        [
          execution.keptBecauseStillReferenced,
          'kept because the registry says an index still references them',
        ],
        [execution.notAttempted, 'not attempted: the run was asked to stop'],
      ]
    : [];
  for (const [digests, text] of notes) {
    if (digests.length > 0)
      parts.push(html`<p class="note">${plural(digests.length, 'digest')} ${text}.</p>`);
  }
  return join(parts);
}

function goingList(
  plan: Plan,
  mode: 'plan' | 'apply',
  outcomes: ReadonlyMap<string, Outcome>,
  digests: number,
): Markup {
  if (plan.groups.length === 0) return html``;
  const pushed = new Map<string, Date | undefined>();
  for (const decision of plan.decisions)
    if (decision.fate === 'delete') pushed.set(decision.image.digest, decision.image.pushedAt);
  const reasons = new Map(
    plan.decisions.flatMap((decision) =>
      decision.fate === 'delete' ? [[decision.image.digest, decision] as const] : [],
    ),
  );
  const title = mode === 'apply' ? 'Deleted' : 'Going';
  const rows = plan.groups.map((group) => {
    const decision = reasons.get(group.rootDigest);
    const kept = keptMembers(group).length;
    const deleting = group.members.length - kept;
    const done = group.members.filter((member) => outcomes.get(member.digest)?.done).length;
    const cells = html`<span class="tag">${group.tag}</span>
<span class="mono">${formatTime(pushed.get(group.rootDigest))}</span>
<code title="${group.rootDigest}">${shortDigest(group.rootDigest)}</code>
<span>${describeGroup(group)}${kept > 0 && html`<br><span class="chip">${plural(kept, 'digest stays', 'digests stay')}</span>`}</span>
<span class="number${mode === 'apply' && done < deleting ? ' chip bad' : ''}">${mode === 'apply' ? `${done}/${deleting}` : deleting}</span>
<span class="number">${formatBytes(group.bytes)}</span>
<span>${decision ? decision.explanation : 'no tagged image reaches it'}</span>`;
    if (group.members.length === 1) return html`<div class="row">${cells}</div>`;
    return html`<details class="group"><summary class="row">${cells}</summary>
<ul class="members">${group.members.map((member) => memberItem(member, group, mode, outcomes))}</ul></details>`;
  });
  return html`<h3>${title}: ${plural(plan.groups.length, 'image')}, ${plural(digests, 'digest')}, ${formatBytes(plan.bytesReclaimed)}</h3>
${plan.groups.some((group) => group.members.length > 1) ? html`<p class="hint">Open an image to see every digest that goes with it — platform manifests, attestations, signatures — and why any of them stays.</p>` : ''}
<div class="rows going"><div class="row head"><span>tag</span><span>pushed (UTC)</span><span>digest</span><span>what</span><span class="number">${mode === 'apply' ? 'deleted' : 'digests'}</span><span class="number">bytes</span><span>why it goes</span></div>
${rows}</div>`;
}

function memberItem(
  member: GroupMember,
  group: DigestGroup,
  mode: 'plan' | 'apply',
  outcomes: ReadonlyMap<string, Outcome>,
): Markup {
  let fate: Markup;
  if (member.fate === 'keep') {
    fate = html`<span class="fate-keep">stays: ${member.keptBecause ?? 'something that stays needs it'}</span>`;
  } else if (mode === 'apply') {
    const outcome = outcomes.get(member.digest) ?? { done: false, text: 'not sent' };
    fate = html`<span class="${outcome.done ? 'fate-delete' : 'fate-bad'}">${outcome.text}</span>`;
  } else {
    fate = html`<span class="fate-delete">goes</span>`;
  }
  return html`<li class="member"><span>${memberRole(member, group)}</span><code title="${member.digest}">${shortDigest(member.digest)}</code><span class="size">${member.role === 'root' && member.sizeBytes === 0 ? '—' : formatBytes(member.sizeBytes)}</span>${fate}</li>`;
}

function stayingList(plan: Plan): Markup {
  const staying = stayingImages(plan);
  if (staying.length === 0) return html``;
  const summary = keptByReason(plan)
    .map(({ reason, count }) => `${count} ${reasonLabel(reason)}`)
    .join(', ');
  return html`<details class="list stays"><summary><span class="stay">${plural(staying.length, 'image stays', 'images stay')}</span> <span class="muted">— ${summary}</span></summary>
<table><thead><tr><th>tag</th><th>pushed (UTC)</th><th>digest</th><th>reason</th><th>why it stays</th></tr></thead><tbody>
${staying.map(({ tag, decision, reason, explanation }) => html`<tr><td>${tag}</td><td class="mono">${formatTime(decision.image.pushedAt)}</td><td><code>${shortDigest(decision.image.digest)}</code></td><td><span class="badge reason">${reasonLabel(reason)}</span></td><td>${explanation}</td></tr>\n`)}
</tbody></table></details>`;
}

function passedOver(plan: Plan): Markup {
  const worth = plan.decisions.filter(isWorthShowing);
  const others = plan.decisions.filter((decision) => decision.fate === 'skip').length - worth.length;
  if (worth.length === 0 && others === 0) return html``;
  const note = others > 0 ? ` (and ${plural(others, 'tag')} of other rules)` : '';
  if (worth.length === 0)
    return html`<p class="muted">Passed over: ${plural(others, 'tag')} of other rules.</p>`;
  return html`<details class="list skipped"><summary>${plural(worth.length, 'image')} passed over <span class="muted">— never deleted by this rule${note}</span></summary>
<table><thead><tr><th>tags</th><th>digest</th><th>reason</th><th>why</th></tr></thead><tbody>
${worth.map((decision) => html`<tr><td>${decision.image.tags.join(', ')}</td><td><code>${shortDigest(decision.image.digest)}</code></td><td><span class="badge reason">${reasonLabel(decision.reason)}</span></td><td>${decision.explanation}</td></tr>\n`)}
</tbody></table></details>`;
}
