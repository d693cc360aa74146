/**
 * GitHub Container Registry at 10,000 versions: requests and time for `plan` (cold and warm
 * manifest cache) and for `apply` with deletes paced under GitHub's secondary limit, against the
 * GitHub stand-in (test/support) enforcing that limit in real time: 900 points a minute, a GET 1,
 * a DELETE 5, answered with 403 and `retry-after` beyond it. Manifests are held in memory by the
 * ghcr.io-like front (no registry process), so the time is the tool's, the stand-in's and HTTP's.
 *
 *   npx tsx bench/ghcr.ts [--runs 5] [--images 2000] [--drop 5]
 *
 * Each image is an index, two platform images and their two attestations: 2,000 images are
 * 10,000 versions. The rule is `tags: sha, keep: 10, drop: D`. Progress goes to stderr; stdout
 * is one Markdown section for BENCHMARKS.md.
 */
import os from 'node:os';
import { runHandler } from '../src/cleanup/handler.js';
import type { HandlerSpec } from '../src/core/types.js';
import { silentLogger } from '../src/log.js';
import { holdMultiArchImages, startGhcrStandIn } from '../test/support/ghcr.js';
import { argument, machine, summary } from './support.js';

const runs = argument('runs', 5);
const images = argument('images', 2000);
const drop = argument('drop', 5);
const handler: HandlerSpec = {
  name: 'app:sha',
  repository: 'app',
  rule: { name: 'sha', prefixes: [], commitHashes: true, keep: 10, drop },
};

interface Sample {
  readonly seconds: number;
  readonly requests: Record<string, number>;
}

const samples: Record<'cold' | 'warm' | 'apply', Sample[]> = { cold: [], warm: [], apply: [] };
const deleteRates: number[] = [];
let refusals = 0;
let deleted = 0;

/** A fresh stand-in (its limit's window empty) holding the package, and a fresh driver (cold cache). */
async function freshStandIn() {
  const standIn = await startGhcrStandIn(undefined, {
    secondaryLimit: { pointsPerMinute: 900, secondMs: 1000 },
  });
  holdMultiArchImages(standIn, 'app', images);
  return { standIn, driver: standIn.driver({ secondMs: 1000 }) };
}

async function measure(
  { standIn, driver }: Awaited<ReturnType<typeof freshStandIn>>,
  mode: 'plan' | 'apply',
): Promise<Sample & { deleted: number }> {
  const github = standIn.github.requests.length;
  const front = standIn.front.requests.length;
  const started = performance.now();
  const report = await runHandler(driver, handler, { mode, logger: silentLogger });
  const seconds = (performance.now() - started) / 1000;
  if (!report.success) throw new Error(`${mode} failed: ${report.error ?? JSON.stringify(report.execution)}`);
  const requests: Record<string, number> = {};
  const count = (key: string) => {
    requests[key] = (requests[key] ?? 0) + 1;
  };
  for (const request of standIn.github.requests.slice(github))
    count(`REST ${request.method}${request.status === 403 ? ' 403' : ''}`);
  for (const request of standIn.front.requests.slice(front))
    count(request.path.startsWith('/token') ? 'token' : `OCI ${request.method}`);
  return { seconds, requests, deleted: report.execution?.deleted.length ?? 0 };
}

for (let run = 1; run <= runs; run += 1) {
  // plan twice on one driver: the second run finds every manifest in its cache, as a daemon's does.
  const planning = await freshStandIn();
  samples.cold.push(await measure(planning, 'plan'));
  samples.warm.push(await measure(planning, 'plan'));
  refusals += planning.standIn.github.requests.filter((request) => request.status === 403).length;
  await planning.standIn.stop();
  // apply as a one-off run does it (the GitHub Action): a fresh process, nothing cached.
  const applying = await freshStandIn();
  const applied = await measure(applying, 'apply');
  samples.apply.push(applied);
  deleted = applied.deleted;
  const deletes = applying.standIn.github.requests.filter((request) => request.method === 'DELETE');
  refusals += applying.standIn.github.requests.filter((request) => request.status === 403).length;
  // Deletes a minute, from the first DELETE to the last (the listings before them excluded).
  const span = (deletes.at(-1)?.at ?? 0) - (deletes[0]?.at ?? 0);
  if (deletes.length > 1) deleteRates.push(((deletes.length - 1) / span) * 60_000);
  process.stderr.write(
    `run ${run}/${runs}: plan ${samples.cold.at(-1)?.seconds.toFixed(1)} s cold, ` +
      `${samples.warm.at(-1)?.seconds.toFixed(1)} s warm; apply ${applied.seconds.toFixed(1)} s, ${applied.deleted} deleted\n`,
  );
  await applying.standIn.stop();
}

const requestsOf = (sample: Sample | undefined) =>
  Object.entries(sample?.requests ?? {})
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
const row = (name: string, list: Sample[]) =>
  `| ${name} | ${summary(list.map((sample) => sample.seconds))} | ${requestsOf(list.at(-1))} |`;

process.stdout.write(
  [
    `### GitHub Container Registry: ${images * 5} versions`,
    '',
    `- Machine: ${machine()}; ${os.type()} ${os.release()}; shared with other agents' work while measured (load average at the end: ${os
      .loadavg()
      .map((load) => load.toFixed(1))
      .join(', ')}).`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Command: \`npx tsx bench/ghcr.ts --runs ${runs} --images ${images} --drop ${drop}\``,
    `- Package: ${images} images × (index, 2 platform images, 2 attestations) = ${images * 5} versions; rule \`tags: sha, keep: 10, drop: ${drop}\`; stand-in enforcing 900 points a minute in real time; deletes paced at the default 150 a minute.`,
    `- Median of ${runs} runs (min–max), seconds. Requests of the last run. Each run: plan twice on one driver and stand-in, then apply on a fresh driver and stand-in (the limit's window empty, nothing cached: a one-off run, as the GitHub Action makes).`,
    '',
    '| run | seconds | requests |',
    '| --- | --- | --- |',
    row('plan, cold cache', samples.cold),
    row('plan, warm cache (the same driver again)', samples.warm),
    row(`apply, cold (${deleted} deletes)`, samples.apply),
    '',
    `Deletes a minute, first to last DELETE: ${summary(deleteRates)}. Answers 403 for the secondary limit over all runs: ${refusals}.`,
    '',
  ].join('\n'),
);
