import Table from 'cli-table3';
import type { IntegrityReport } from '../cleanup/integrity.js';
import { formatBytes, palette, plural, shortDigest } from './format.js';

type CheckResult = IntegrityReport | { readonly repository: string; readonly error: string };

/** The check as a person reads it: one row per repository, then what is wrong, then the verdict. */
export function renderCheck(
  results: readonly CheckResult[],
  verdict: 'healthy' | 'broken' | 'unknown',
  colorful: boolean,
): string {
  const color = palette(colorful);
  const table = new Table({
    head: ['repository', 'images', 'indexes', 'broken', 'dangling referrers', 'orphans', 'orphan bytes'],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: colorful ? ['cyan'] : [], border: colorful ? ['grey'] : [] },
  });
  const details: string[] = [];
  for (const result of results) {
    if ('error' in result) {
      table.push([result.repository, '', '', '', '', '', color.yellow('could not read (see below)')]);
      details.push(color.yellow(`${result.repository}: could not read it: ${result.error}`));
      continue;
    }
    const bad = (count: number) => (count > 0 ? color.red(String(count)) : '0');
    table.push([
      result.repository,
      String(result.images),
      String(result.indexes),
      bad(result.broken.length),
      bad(result.danglingReferrers.length),
      String(result.orphans.length),
      formatBytes(result.orphanBytes),
    ]);
    for (const index of result.broken) {
      details.push(
        color.red(
          `${result.repository}: index ${shortDigest(index.digest)} (${index.tags.join(', ') || 'untagged'}) misses ${index.missingChildren.map(shortDigest).join(', ')}`,
        ),
      );
    }
    for (const entry of result.unreadable)
      details.push(color.yellow(`${result.repository}: could not read ${entry.digest}: ${entry.reason}`));
    for (const referrer of result.danglingReferrers) {
      details.push(
        color.red(
          `${result.repository}: ${shortDigest(referrer.digest)} refers to ${shortDigest(referrer.subject)}, which is gone`,
        ),
      );
    }
  }
  if (results.some((result) => !('error' in result) && result.referrers === 'tags')) {
    details.push(
      color.yellow(
        'note: this registry has no referrers API, so only referrers a tag names (their own tag, cosign’s ' +
          'sha256-<hex>.sig/.att/.sbom, the sha256-<hex> fallback index) can be seen; a referrer pushed ' +
          'without any of these is invisible here, and is left behind when its image goes',
      ),
    );
  }
  return `${[table.toString(), ...details, verdictLine(results, verdict, color)].join('\n')}\n`;
}

function verdictLine(
  results: readonly CheckResult[],
  verdict: 'healthy' | 'broken' | 'unknown',
  color: ReturnType<typeof palette>,
): string {
  if (verdict === 'broken') return color.red('✘ something is broken (see above)');
  if (verdict === 'healthy') return color.green('✔ no broken index, no referrer of a missing image');
  const unread = results.filter((result) => 'error' in result || result.unreadable.length > 0).length;
  return color.yellow(
    `? could not read all of ${plural(unread, 'repository', 'repositories')} (see above): nothing broken found in what was read, but that is no verdict on the rest`,
  );
}
