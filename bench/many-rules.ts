/**
 * Many rules over one repository: the planner alone (no registry), since what this measures is
 * its cost in the number of rules — each rule's keeps are computed once per repository, so the
 * work grows with rules × images, not rules² × images.
 *
 *   npx tsx bench/many-rules.ts [--runs 5] [--images 5000]
 */
import { handlersOf } from '../src/config/config.js';
import { parseConfig } from '../src/config/load.js';
import { planRepository } from '../src/core/plan.js';
import { selectRepository } from '../src/core/selection.js';
import { type Image, MediaType } from '../src/core/types.js';
import { argument, machine, summary } from './support.js';

const runs = argument('runs', 5);
const imageCount = argument('images', 5000);

console.log(
  `machine: ${machine()}; date: ${new Date().toISOString().slice(0, 10)}; runs: ${runs}; images: ${imageCount}`,
);
console.log('| rules | every decision s | notable decisions only s | deletions |');
console.log('| --- | --- | --- | --- |');
for (const count of [200, 1000]) {
  const rules = Array.from(
    { length: count },
    (_, index) =>
      `  - {repositories: [web], name: r${index}, tags: {prefixes: [v${index}.]}, keep: 3, drop: 5}`,
  ).join('\n');
  const handlers = handlersOf(parseConfig(`registry: {type: ecr}\nrules:\n${rules}\n`, 'bench'));
  const images: Image[] = Array.from({ length: imageCount }, (_, index) => ({
    digest: `sha256:${index.toString(16).padStart(64, '0')}`,
    tags: [`v${index % count}.${Math.floor(index / count)}`],
    pushedAt: new Date(Date.UTC(2026, 0, 1) + index * 60_000),
    sizeBytes: 1000,
    mediaType: MediaType.ociManifest,
  }));
  const times = { every: [] as number[], notable: [] as number[] };
  let deletions = 0;
  for (let run = 0; run < runs; run += 1) {
    for (const skips of ['every', 'notable'] as const) {
      const started = performance.now();
      const selection = selectRepository({
        repository: 'web',
        running: handlers,
        others: [],
        images,
        manifests: new Map(),
        now: new Date(),
        skips,
      });
      deletions = planRepository(selection, images, new Map()).waves.flat().length;
      times[skips].push((performance.now() - started) / 1000);
    }
  }
  console.log(`| ${count} | ${summary(times.every, 2)} | ${summary(times.notable, 2)} | ${deletions} |`);
}
