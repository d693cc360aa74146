import type { HandlerReport } from '../cleanup/handler.js';
import { formatBytes, formatTime, palette, plural } from '../cli/format.js';
import { describeInUse } from '../cli/in-use-summary.js';
import type { InUseSnapshot } from '../inuse/snapshot.js';
import { bytesChart } from './chart.js';
import { handlerSection } from './html-handler.js';
import { html, Markup } from './markup.js';
import { style } from './style.js';
import {
  bytesByRepository,
  handlerCounts,
  handlerStatus,
  needsAttention,
  problemSummary,
  type RunTotals,
  runTotals,
} from './summary.js';

export interface ReportContext {
  /** The registry as the terminal report names it: `ECR us-east-1`, `the OCI registry https://…`. */
  readonly registry: string;
  readonly generatedAt: Date;
  /** What the in-use sources said, when the config has any. */
  readonly inUse?: InUseSnapshot;
}

/**
 * The whole run as one HTML file a person reads before trusting a cleanup: totals, bytes per
 * repository, one line per handler, then each handler in detail. Self-contained — inline style and
 * SVG, no script, no external asset, and a content security policy that allows nothing else — so it
 * opens offline, as a CI artifact, or attached to a change request.
 */
export function renderHtmlReport(reports: readonly HandlerReport[], context: ReportContext): string {
  const mode = reports[0]?.mode ?? 'plan';
  const totals = runTotals(reports);
  const title = mode === 'plan' ? 'Cleanup plan' : 'Cleanup report';
  const ids = reports.map((_, index) => `handler-${index + 1}`);
  const generated = formatTime(context.generatedAt);
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>registry-janitor: ${title.toLowerCase()} (${generated} UTC)</title>
<style>${new Markup(style)}</style>
</head>
<body><main>
<h1>${title}</h1>
<p class="lede">${mode === 'plan' ? html`<strong>Nothing has been deleted.</strong> ` : ''}${plural(reports.length, 'handler')} on ${context.registry} · ${generated} UTC</p>
${context.inUse && html`<p class="${context.inUse.failures.length > 0 ? 'problem' : 'note'}">${describeInUse(context.inUse, palette(false))}</p>`}
${totalCards(totals, mode)}
${attentionList(reports, ids)}
<section class="card chart"><h2>${mode === 'plan' ? 'Reclaimable' : 'Reclaimed'} by repository</h2>
${bytesChart(bytesByRepository(reports), `bytes ${mode === 'plan' ? 'reclaimable' : 'reclaimed'} per repository`)}</section>
${summaryTable(reports, ids)}
${reports.map((report, index) => handlerSection(report, ids[index] as string))}
<footer>registry-janitor · bytes count each image manifest once; layers shared with images that stay are freed only when nothing uses them, so they are an upper bound.</footer>
</main></body>
</html>
`;
  return document.text;
}

function totalCards(totals: RunTotals, mode: 'plan' | 'apply'): Markup {
  const card = (value: string, label: string, kind = '') =>
    html`<div class="total${kind ? ` ${kind}` : ''}"><span class="value">${value}</span><span class="label">${label}</span></div>`;
  const cards =
    mode === 'plan'
      ? [
          card(String(totals.images), 'images going', 'go'),
          card(String(totals.digests), 'digests with them'),
          card(formatBytes(totals.bytes), 'reclaimable', 'go'),
        ]
      : [
          card(`${totals.deleted}`, `digests deleted of ${totals.digests} planned`, 'go'),
          card(formatBytes(totals.deletedBytes), 'reclaimed', 'go'),
          card(String(totals.failed), 'deletions failed', totals.failed > 0 ? 'bad' : ''),
        ];
  cards.push(
    totals.attention > 0
      ? card(String(totals.attention), `of ${plural(totals.handlers, 'handler')} need attention`, 'bad')
      : card(String(totals.handlers), 'handlers, all fine'),
  );
  return html`<section class="totals">${cards}</section>`;
}

function attentionList(reports: readonly HandlerReport[], ids: readonly string[]): Markup {
  const items = reports.flatMap((report, index) => {
    const status = handlerStatus(report);
    if (!needsAttention(status)) return [];
    return [html`<li><a href="#${ids[index]}">${report.handler}</a> — ${problemSummary(report)}</li>`];
  });
  if (items.length === 0) return html``;
  return html`<section class="card attention"><strong>${plural(items.length, 'handler needs', 'handlers need')} attention</strong><ul>${items}</ul></section>`;
}

function summaryTable(reports: readonly HandlerReport[], ids: readonly string[]): Markup {
  const apply = reports[0]?.mode === 'apply';
  const rows = reports.map((report, index) => {
    const status = handlerStatus(report);
    const counts = handlerCounts(report);
    const plan = report.plan;
    const candidates = plan ? plan.candidateCount : undefined;
    return html`<tr${needsAttention(status) ? html` class="attention-row"` : ''}>
<td><a href="#${ids[index]}">${report.handler}</a></td>
<td class="number">${candidates ?? '—'}</td>
<td class="number">${candidates === undefined ? '—' : candidates - counts.images}</td>
<td class="number">${counts.images}</td>
<td class="number">${apply && counts.digests > 0 ? `${counts.deleted}/${counts.digests}` : counts.digests}</td>
<td class="number">${formatBytes(apply ? counts.deletedBytes : counts.bytes)}</td>
<td><span class="badge ${status.kind}">${status.text}</span></td></tr>`;
  });
  return html`<section class="card"><h2>Handlers</h2>
<table class="summary"><thead><tr><th>handler</th><th class="number">images</th><th class="number">stay</th><th class="number">going</th><th class="number">${apply ? 'deleted' : 'digests'}</th><th class="number">${apply ? 'reclaimed' : 'reclaims'}</th><th>status</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}
