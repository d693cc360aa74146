/**
 * Steady state: what a daemon's second run over an unchanged fleet costs, with the manifest cache
 * warm, against its first run. Two passes of `plan` (which changes nothing) with one driver, as
 * the daemon keeps one; repeated with a fresh driver each time.
 *
 *   npx tsx bench/steady-state.ts [--repositories 100] [--images 1000] [--runs 5] [--latency 20] [--concurrency 8]
 */
import { discoverHandlers } from '../src/cleanup/discover.js';
import { runPass } from '../src/cleanup/pass.js';
import { parseConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log.js';
import { createEcrClient } from '../src/registry/ecr/client.js';
import { EcrDriver } from '../src/registry/ecr/driver.js';
import { argument, machine, startEmulatorProcess, summary } from './support.js';

const repositories = argument('repositories', 100);
const images = argument('images', 1000);
const runs = argument('runs', 5);
const latencyMs = argument('latency', 20);
const concurrency = argument('concurrency', 8);

const emulator = await startEmulatorProcess({ repositories, images, indexShare: 0.8, latencyMs });
const config = parseConfig(
  `registry: { type: ecr, concurrency: ${concurrency} }\nrules:\n  - { repositories: ["**"], tags: sha, keep: 10, drop: 5 }\n`,
  'bench',
);
const results = { first: [] as number[], second: [] as number[] };
const requests = { first: {} as Record<string, number>, second: {} as Record<string, number> };
for (let run = 0; run < runs; run += 1) {
  const driver = new EcrDriver(
    createEcrClient({
      region: 'us-east-1',
      maxInFlight: concurrency,
      overrides: {
        endpoint: emulator.endpoint,
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      },
    }),
    { concurrency },
  );
  for (const pass of ['first', 'second'] as const) {
    await emulator.reset();
    const started = performance.now();
    const handlers = await discoverHandlers(config, driver);
    const reports = await runPass(
      driver,
      handlers,
      { mode: 'plan', logger: silentLogger },
      { repositoryConcurrency: concurrency },
    );
    if (!reports.every((report) => report.success)) throw new Error('a handler failed');
    results[pass].push((performance.now() - started) / 1000);
    requests[pass] = (await emulator.counts()).counts;
  }
}
await emulator.stop();
const describe = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ');

process.stdout.write(`### Steady state: a daemon's second run over an unchanged fleet

- Machine: ${machine()}
- Date: ${new Date().toISOString().slice(0, 10)}
- Command: \`npx tsx bench/steady-state.ts --repositories ${repositories} --images ${images} --runs ${runs} --latency ${latencyMs} --concurrency ${concurrency}\`
- ${emulator.manifests} manifests in ${repositories} repositories; two passes of \`plan\` with one driver (its manifest cache holds 100,000 manifests); ${latencyMs} ms before every answer. Median of ${runs} (min–max).

| run | wall s | requests (last repetition) |
| --- | --- | --- |
| first (cold cache) | ${summary(results.first, 2)} | ${describe(requests.first)} |
| second (warm cache) | ${summary(results.second, 2)} | ${describe(requests.second)} |
`);
