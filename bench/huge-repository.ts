/**
 * One huge repository: `janitor plan` over a single repository of a million tagged images, most of
 * them indexes with three children. Reports wall time, requests and peak RSS.
 *
 *   npx tsx bench/huge-repository.ts [--images 1000000] [--runs 5] [--latency 20] [--concurrency 8]
 */
import {
  argument,
  emulatorEnvironment,
  machine,
  runJanitor,
  startEmulatorProcess,
  summary,
  writeConfig,
} from './support.js';

const images = argument('images', 1_000_000);
const runs = argument('runs', 5);
const latencyMs = argument('latency', 20);
const concurrency = argument('concurrency', 8);

const emulator = await startEmulatorProcess({ repositories: 1, images, indexShare: 0.8, latencyMs });
const config = await writeConfig(
  `registry: { type: ecr, concurrency: ${concurrency} }\nrules:\n  - { repositories: [fleet/r0], tags: sha, keep: 10, drop: 5 }\n`,
);
const walls: number[] = [];
const rss: number[] = [];
let counts: Record<string, number> = {};
for (let run = 0; run < runs; run += 1) {
  await emulator.reset();
  const measured = await runJanitor(
    ['plan', '--config', config, '--log-level', 'silent'],
    emulatorEnvironment(emulator.endpoint),
  );
  if (measured.exitCode !== 0) throw new Error(`plan exited ${measured.exitCode}`);
  walls.push(measured.wallSeconds);
  rss.push(measured.peakRssMiB);
  ({ counts } = await emulator.counts());
}
await emulator.stop();
const requests = Object.values(counts).reduce((total, count) => total + count, 0);

process.stdout.write(`### One huge repository: 1 repository × ${images} images

- Machine: ${machine()}
- Date: ${new Date().toISOString().slice(0, 10)}
- Command: \`npx tsx bench/huge-repository.ts --images ${images} --runs ${runs} --latency ${latencyMs} --concurrency ${concurrency}\`
- ${emulator.manifests} manifests in one repository (80 % of the tagged images are indexes with 3 children), seeded in ${emulator.seedSeconds.toFixed(0)} s; ${latencyMs} ms before every answer.
- Median of ${runs} runs (min–max).

| mode | wall s | peak RSS MiB | requests | by operation (last run) | minimum s (Σ requests × RTT ÷ ${concurrency}) |
| --- | --- | --- | --- | --- | --- |
| plan | ${summary(walls)} | ${summary(rss, 0)} | ${requests} | ${Object.entries(counts)
  .map(([operation, count]) => `${operation} ${count}`)
  .join(', ')} | ${((requests * latencyMs) / 1000 / concurrency).toFixed(1)} |
`);
