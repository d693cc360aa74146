import { formatBytes } from '../cli/format.js';
import { html, type Markup } from './markup.js';

/** A fleet of a thousand repositories would make a chart nobody reads: the largest ones, then a note. */
const mostBars = 25;
const rowHeight = 30;
const labelWidth = 190;
const barWidth = 520;
const width = labelWidth + barWidth + 110;

/**
 * Horizontal bars, one per repository, labelled with its name and its bytes, as inline SVG: no
 * script, no external asset. Bars are scaled to the largest repository.
 */
export function bytesChart(
  repositories: readonly { repository: string; bytes: number }[],
  title: string,
): Markup {
  const shown = repositories.slice(0, mostBars);
  const rest = repositories.slice(mostBars);
  const largest = Math.max(1, ...shown.map((entry) => entry.bytes));
  const height = shown.length * rowHeight + 8;
  const bars = shown.map((entry, index) => {
    const y = 4 + index * rowHeight;
    const length = entry.bytes === 0 ? 0 : Math.max(2, Math.round((entry.bytes / largest) * barWidth));
    const label = entry.repository.length > 26 ? `${entry.repository.slice(0, 25)}…` : entry.repository;
    return html`<g class="entry" data-repository="${entry.repository}">
<title>${entry.repository}: ${formatBytes(entry.bytes)}</title>
<text x="${labelWidth - 10}" y="${y + 19}" text-anchor="end">${label}</text>
<rect class="track" x="${labelWidth}" y="${y + 4}" width="${barWidth}" height="${rowHeight - 8}" rx="3"/>
<rect class="bar" x="${labelWidth}" y="${y + 4}" width="${length}" height="${rowHeight - 8}" rx="3"/>
<text class="value" x="${labelWidth + length + 8}" y="${y + 19}">${formatBytes(entry.bytes)}</text>
</g>`;
  });
  const others = rest.reduce((total, entry) => total + entry.bytes, 0);
  return html`<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg">
${bars}
</svg>${rest.length > 0 && html`<p class="muted">…and ${rest.length} more repositories with ${formatBytes(others)} in all.</p>`}`;
}
