import Table from 'cli-table3';
import { discoverHandlers } from '../cleanup/discover.js';
import { checkIntegrity, type IntegrityReport, isHealthy } from '../cleanup/integrity.js';
import { ConfigError } from '../config/errors.js';
import { loadConfigFor } from '../config/load.js';
import { createDriver } from '../registry/create.js';
import { mapWithConcurrency } from '../registry/driver.js';
import { formatBytes, palette, shortDigest } from './format.js';
import { implicitSeedBanner } from './once.js';

/**
 * `janitor check`: reads every repository of the config and reports broken indexes, referrers
 * whose subject is gone, and orphans with their bytes. Exits 1 when something is broken.
 */
export async function runCheck(options: { config?: string; json?: boolean }): Promise<number> {
  let setup: { repositories: string[]; driver: Awaited<ReturnType<typeof createDriver>> };
  try {
    const loaded = await loadConfigFor('read', options.config);
    if (loaded.implicit) process.stderr.write(implicitSeedBanner);
    const config = loaded.config;
    const driver = await createDriver(config);
    const handlers = await discoverHandlers(config, driver);
    setup = { repositories: [...new Set(handlers.map((handler) => handler.repository))], driver };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const results = await mapWithConcurrency(setup.repositories, 4, async (repository) => {
    try {
      return await checkIntegrity(setup.driver, repository);
    } catch (error) {
      return { repository, error: error instanceof Error ? error.message : String(error) };
    }
  });
  const healthy = results.every((result) => !('error' in result) && isHealthy(result));
  process.stdout.write(
    options.json
      ? `${JSON.stringify({ healthy, repositories: results }, null, 2)}\n`
      : render(results, process.stdout.isTTY === true),
  );
  return healthy ? 0 : 1;
}

function render(
  results: readonly (IntegrityReport | { repository: string; error: string })[],
  colorful: boolean,
): string {
  const color = palette(colorful);
  const table = new Table({
    head: ['repository', 'manifests', 'indexes', 'broken', 'dangling referrers', 'orphans', 'orphan bytes'],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: colorful ? ['cyan'] : [], border: colorful ? ['grey'] : [] },
  });
  const details: string[] = [];
  for (const result of results) {
    if ('error' in result) {
      table.push([result.repository, '', '', '', '', '', color.red(`error: ${result.error.slice(0, 60)}`)]);
      details.push(color.red(`${result.repository}: ${result.error}`));
      continue;
    }
    const bad = (count: number) => (count > 0 ? color.red(String(count)) : '0');
    table.push([
      result.repository,
      String(result.images),
      String(result.indexes),
      bad(result.broken.length + result.unreadable.length),
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
      details.push(color.red(`${result.repository}: cannot read ${entry.digest}: ${entry.reason}`));
    for (const referrer of result.danglingReferrers) {
      details.push(
        color.yellow(
          `${result.repository}: ${shortDigest(referrer.digest)} refers to ${shortDigest(referrer.subject)}, which is gone`,
        ),
      );
    }
  }
  const tagsOnly = results.filter((result) => !('error' in result) && result.referrers === 'tags');
  if (tagsOnly.length > 0) {
    details.push(
      color.yellow(
        'note: this registry has no referrers API, so only referrers a tag names (their own tag, cosign’s ' +
          'sha256-<hex>.sig/.att/.sbom, the sha256-<hex> fallback index) can be seen; a referrer pushed ' +
          'without any of these is invisible here, and is left behind when its image goes',
      ),
    );
  }
  const verdict = results.every((result) => !('error' in result) && isHealthy(result))
    ? color.green('✔ no broken index, no referrer of a missing image')
    : color.red('✘ something is broken (see above)');
  return `${[table.toString(), ...details, verdict].join('\n')}\n`;
}
