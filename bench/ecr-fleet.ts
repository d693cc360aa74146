/**
 * ECR at fleet scale: `janitor plan` and `janitor apply` against the emulator with an injected
 * round-trip time, over repositories × images (most of them indexes with three children).
 * Reports wall time, requests by operation, peak RSS, and the latency-bound minimum
 * Σ requests × RTT ÷ concurrency.
 *
 *   npx tsx bench/ecr-fleet.ts [--repositories 1000] [--images 1000] [--runs 5] [--latency 20] [--concurrency 8]
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

const repositories = argument('repositories', 1000);
const images = argument('images', 1000);
const runs = argument('runs', 5);
const latencyMs = argument('latency', 20);
const concurrency = argument('concurrency', 8);
const indexShare = 0.8;

const emulator = await startEmulatorProcess({ repositories, images, indexShare, latencyMs });
const config = await writeConfig(
  `registry: { type: ecr, concurrency: ${concurrency} }\nrules:\n  - { repositories: ["**"], tags: sha, keep: 10, drop: 5 }\n`,
);
const environment = emulatorEnvironment(emulator.endpoint);
const lines: string[] = [];
const indexesPerRepository = Math.ceil(images * indexShare);
const manifestsPerRepository = emulator.manifests / repositories;

for (const mode of ['plan', 'apply'] as const) {
  const walls: number[] = [];
  const rss: number[] = [];
  let counts: Record<string, number> = {};
  let peak = 0;
  for (let run = 0; run < runs; run += 1) {
    await emulator.reset();
    const measured = await runJanitor([mode, '--config', config, '--log-level', 'silent'], environment);
    if (measured.exitCode !== 0) throw new Error(`${mode} exited ${measured.exitCode}`);
    walls.push(measured.wallSeconds);
    rss.push(measured.peakRssMiB);
    ({ counts, peakConcurrency: peak } = await emulator.counts());
  }
  const requests = Object.values(counts).reduce((total, count) => total + count, 0);
  const minimum = (requests * latencyMs) / 1000 / concurrency;
  // The fewest requests the job allows: pages of 1000, batches of 100, one delete round for parents and one for children.
  const deletes = mode === 'apply' ? 2 : 0;
  const least =
    Math.ceil(repositories / 1000) +
    repositories *
      (Math.ceil(manifestsPerRepository / 1000) + Math.ceil(indexesPerRepository / 100) + deletes);
  lines.push(
    `| ${mode} | ${summary(walls)} | ${minimum.toFixed(1)} | ${(Number(summary(walls, 3).split(' ')[0]) / minimum).toFixed(2)} | ${requests} (${least}) | ${Object.entries(
      counts,
    )
      .map(([operation, count]) => `${operation} ${count}`)
      .join(', ')} | ${peak} | ${summary(rss, 0)} |`,
  );
}
await emulator.stop();

process.stdout.write(`### ECR at fleet scale: ${repositories} repositories × ${images} images

- Machine: ${machine()}
- Date: ${new Date().toISOString().slice(0, 10)}
- Command: \`npx tsx bench/ecr-fleet.ts --repositories ${repositories} --images ${images} --runs ${runs} --latency ${latencyMs} --concurrency ${concurrency}\`
- Fleet: ${emulator.manifests} manifests (${Math.round(indexShare * 100)} % of the tagged images are indexes with 2 platforms and an attestation), seeded in ${emulator.seedSeconds.toFixed(0)} s; rule: \`repositories: ["**"]\`, \`tags: sha\`, keep 10, drop 5; ${latencyMs} ms injected before every answer; concurrency ${concurrency}.
- Median of ${runs} runs (min–max). Minimum = Σ requests × RTT ÷ concurrency. Requests: total (the fewest the job allows).
  Each \`apply\` run deletes from the fleet the previous run left (5 fewer images per repository each time).

| mode | wall s | minimum s | wall ÷ minimum | requests (fewest) | by operation (last run) | peak in flight | peak RSS MiB |
| --- | --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}
`);
