/**
 * `janitor apply` against the cleanup script people write today (bench/skopeo-cleanup.sh: skopeo
 * list-tags, inspect and delete, one call at a time), on a real distribution registry.
 *
 *   npm run build && npx tsx bench/oci-vs-skopeo.ts [--runs 5] [--repositories 10] [--tags 200]
 *
 * Every measured run gets a fresh registry seeded with the same images, so both tools always start
 * from identical data; runs alternate between the tools so that a drift of the machine (another
 * process, a warming cache) touches both. After each run the remaining tags of every repository
 * must be exactly the newest `keep` by creation time. Progress goes to stderr; stdout is one
 * Markdown section for BENCHMARKS.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDistribution } from '../test/support/distribution.js';
import { OciPusher } from '../test/support/oci-push.js';
import { machine, median } from './support.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const janitorBinary = join(root, 'bin/janitor.js');
const skopeoScript = join(root, 'bench/skopeo-cleanup.sh');

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    repositories: { type: 'string', default: '10' },
    tags: { type: 'string', default: '200' },
    keep: { type: 'string', default: '10' },
  },
});

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}

const runs = positiveInteger('runs', options.runs);
const repositoryCount = positiveInteger('repositories', options.repositories);
const tagsPerRepository = positiveInteger('tags', options.tags);
const keep = positiveInteger('keep', options.keep);
/** Pushes in flight while seeding: 2,000 images one by one would take minutes per run. */
const pushConcurrency = 8;
/** Requests janitor keeps in flight (its default). */
const janitorConcurrency = 8;

const repositories = Array.from(
  { length: repositoryCount },
  (_, index) => `app-${String(index + 1).padStart(2, '0')}`,
);

/** A small deterministic generator (mulberry32), so every run seeds exactly the same images. */
function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface SeedImage {
  readonly repository: string;
  readonly tag: string;
  readonly created: Date;
}

/**
 * Every repository's tags, each image an hour older or newer than another so the order is never
 * ambiguous. Ages are shuffled against tag names: a tool that sorted by name instead of creation
 * time would end in another state, and the check after each run would say so.
 */
const images: SeedImage[] = repositories.flatMap((repository, repositoryIndex) => {
  const random = randomGenerator(repositoryIndex + 1);
  const hours = Array.from({ length: tagsPerRepository }, (_, index) => index);
  for (let index = hours.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [hours[index], hours[other]] = [hours[other] as number, hours[index] as number];
  }
  const start = Date.UTC(2025, 0, 1);
  return hours.map((hour, index) => ({
    repository,
    tag: `build-${String(index + 1).padStart(4, '0')}`,
    created: new Date(start + hour * 3_600_000),
  }));
});

/** What must remain: per repository, the newest `keep` tags by creation time, sorted by name. */
const expectedState = new Map(
  repositories.map((repository) => [
    repository,
    images
      .filter((image) => image.repository === repository)
      .sort((left, right) => right.created.getTime() - left.created.getTime())
      .slice(0, keep)
      .map((image) => image.tag)
      .sort(),
  ]),
);
const expectedDeletions = images.length - repositories.length * Math.min(keep, tagsPerRepository);

async function seed(url: string): Promise<void> {
  const pusher = new OciPusher(url);
  let next = 0;
  // A fixed pool of workers taking the next image: never more than pushConcurrency in flight.
  const worker = async () => {
    for (let image = images[next++]; image !== undefined; image = images[next++]) {
      await pusher.pushImage(
        image.repository,
        { seed: `${image.repository}/${image.tag}`, created: image.created, format: 'oci' },
        image.tag,
      );
    }
  };
  await Promise.all(Array.from({ length: pushConcurrency }, worker));
}

/** Every repository's tags, read over the distribution API and sorted, following pagination. */
async function remainingTags(url: string): Promise<Map<string, string[]>> {
  const state = new Map<string, string[]>();
  for (const repository of repositories) {
    const tags: string[] = [];
    let next: string | undefined = `${url}/v2/${repository}/tags/list?n=1000`;
    while (next !== undefined) {
      const response: Response = await fetch(next);
      if (!response.ok) throw new Error(`listing the tags of ${repository}: HTTP ${response.status}`);
      const body = (await response.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = response.headers.get('link')?.match(/<([^>]+)>/)?.[1];
      next = link === undefined ? undefined : new URL(link, url).toString();
    }
    state.set(repository, tags.sort());
  }
  return state;
}

function sameState(left: Map<string, string[]>, right: Map<string, string[]>): boolean {
  return repositories.every(
    (repository) => JSON.stringify(left.get(repository)) === JSON.stringify(right.get(repository)),
  );
}

interface ProcessResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly milliseconds: number;
}

/** Runs a command to its end; the time is from spawn to exit, start-up included, as a user waits. */
function timedProcess(command: string, args: readonly string[]): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (exitCode) =>
      resolve({ exitCode, stdout, stderr, milliseconds: performance.now() - started }),
    );
  });
}

function requireSuccess(tool: string, result: ProcessResult): void {
  if (result.exitCode !== 0) {
    throw new Error(
      `${tool} exited ${result.exitCode}\n${result.stderr.slice(-2000)}\n${result.stdout.slice(-2000)}`,
    );
  }
}

interface ToolRun {
  readonly milliseconds: number;
  /** Images the tool says it deleted. */
  readonly deleted: number;
}

interface Tool {
  readonly name: string;
  run(url: string): Promise<ToolRun>;
}

const janitor: Tool = {
  name: 'janitor apply',
  async run(url) {
    const directory = await mkdtemp(join(os.tmpdir(), 'janitor-oci-bench-'));
    try {
      const configPath = join(directory, 'janitor.yaml');
      // One rule over every repository and every tag; drop is far above what goes, and the circuit
      // breaker is off, because this run deletes 95 % of each repository on purpose.
      await writeFile(
        configPath,
        `registry: {type: oci, url: "${url}", concurrency: ${janitorConcurrency}}\n` +
          `rules:\n  - {repositories: [${repositories.join(', ')}], tags: {globs: ["*"]}, ` +
          `keep: ${keep}, drop: ${tagsPerRepository}, maxDeleteShare: off}\n`,
      );
      const result = await timedProcess(process.execPath, [
        janitorBinary,
        'apply',
        '--config',
        configPath,
        '--log-level',
        'silent',
        '--json',
      ]);
      requireSuccess('janitor apply', result);
      const report = JSON.parse(result.stdout) as {
        handlers: { execution?: { deleted: readonly string[] } }[];
      };
      const deleted = report.handlers.reduce(
        (sum, handler) => sum + (handler.execution?.deleted.length ?? 0),
        0,
      );
      return { milliseconds: result.milliseconds, deleted };
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  },
};

const skopeo: Tool = {
  name: 'skopeo script',
  async run(url) {
    const result = await timedProcess('bash', [
      skopeoScript,
      new URL(url).host,
      String(keep),
      ...repositories,
    ]);
    requireSuccess('bench/skopeo-cleanup.sh', result);
    const deleted = result.stdout.split('\n').filter((line) => line.startsWith('deleted ')).length;
    return { milliseconds: result.milliseconds, deleted };
  },
};

interface Measurement extends ToolRun {
  readonly tool: string;
  readonly run: number;
  /** Tags that went, as the registry lists them before and after. */
  readonly tagsRemoved: number;
  readonly expectedEndState: boolean;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function measure(tool: Tool, run: number): Promise<Measurement> {
  const registry = await startDistribution();
  try {
    const seedingStarted = performance.now();
    await seed(registry.url);
    const before = await remainingTags(registry.url);
    const tagsBefore = [...before.values()].reduce((sum, tags) => sum + tags.length, 0);
    if (tagsBefore !== images.length) throw new Error(`seeded ${tagsBefore} tags, not ${images.length}`);
    log(
      `run ${run}, ${tool.name}: seeded ${images.length} images in ${seconds(performance.now() - seedingStarted)} s`,
    );
    const result = await tool.run(registry.url);
    const after = await remainingTags(registry.url);
    const tagsAfter = [...after.values()].reduce((sum, tags) => sum + tags.length, 0);
    const measurement: Measurement = {
      tool: tool.name,
      run,
      ...result,
      tagsRemoved: tagsBefore - tagsAfter,
      expectedEndState: sameState(after, expectedState),
    };
    log(
      `run ${run}, ${tool.name}: ${seconds(result.milliseconds)} s, deleted ${result.deleted} ` +
        `(${measurement.tagsRemoved} tags gone), end state ${measurement.expectedEndState ? 'as expected' : 'WRONG'}`,
    );
    return measurement;
  } finally {
    await registry.stop();
  }
}

function seconds(milliseconds: number): string {
  return (milliseconds / 1000).toFixed(milliseconds < 10_000 ? 2 : 1);
}

function versionOf(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

// Fail before ten minutes of seeding, not after.
if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('build janitor first: npm run build');
for (const command of ['skopeo', 'jq']) {
  if (versionOf(command, ['--version']) === 'unknown')
    throw new Error(`${command} is missing: apt-get install -y ${command}`);
}
// Another busy process on the machine skews both tools; the section records how busy it was.
const loadAtStart = os.loadavg()[0] ?? 0;

const tools = [janitor, skopeo];
const measurements: Measurement[] = [];
const benchStarted = performance.now();
for (let run = 1; run <= runs; run++) {
  for (const tool of tools) measurements.push(await measure(tool, run));
}
log(`done in ${seconds(performance.now() - benchStarted)} s`);

const summaries = tools.map((tool) => {
  const own = measurements.filter((measurement) => measurement.tool === tool.name);
  const times = own.map((measurement) => measurement.milliseconds);
  return {
    tool: tool.name,
    median: median(times),
    min: Math.min(...times),
    max: Math.max(...times),
    deleted: [...new Set(own.map((measurement) => measurement.deleted))],
    tagsRemoved: [...new Set(own.map((measurement) => measurement.tagsRemoved))],
    allExpected: own.every((measurement) => measurement.expectedEndState),
  };
});
const [janitorSummary, skopeoSummary] = summaries as [(typeof summaries)[0], (typeof summaries)[0]];
const ratio = skopeoSummary.median / janitorSummary.median;
const allMatched = measurements.every((measurement) => measurement.expectedEndState);

const commit = versionOf('git', ['-C', root, 'describe', '--always', '--dirty']);
const command =
  `npx tsx bench/oci-vs-skopeo.ts --runs ${runs} --repositories ${repositoryCount} --tags ${tagsPerRepository}` +
  (keep === 10 ? '' : ` --keep ${keep}`);
const number = (value: number) => value.toLocaleString('en-US');

const lines = [
  '## OCI: janitor against a skopeo script',
  '',
  `A local distribution registry seeded with ${number(images.length)} tagged single-platform OCI images ` +
    `(${repositoryCount} repositories × ${tagsPerRepository} tags, creation times an hour apart and shuffled ` +
    `against tag names); keep the newest ${keep} of each repository, delete the rest ` +
    `(${number(expectedDeletions)} images). Every run starts from a fresh registry seeded with the same ` +
    'images; runs alternate between the tools. Times are wall time from starting the process to its exit.',
  '',
  `- janitor: \`janitor apply --log-level silent --json\`, registry concurrency ${janitorConcurrency}, ` +
    `one rule \`tags: {globs: ["*"]}, keep: ${keep}\`, circuit breaker off.`,
  '- skopeo: `bench/skopeo-cleanup.sh HOST:PORT KEEP REPOSITORY...` — per repository `skopeo list-tags`; ' +
    "per tag `skopeo inspect --no-tags --format '{{.Created.UnixNano}}'` (the creation time, nothing to " +
    'parse); sort; `skopeo delete` for all but the newest KEEP; one call at a time.',
  `- Machine: ${machine()}; ${os.type()} ${os.release()}; ` +
    `${versionOf('/usr/bin/docker-registry', ['--version'])}; ${versionOf('skopeo', ['--version'])}; ` +
    `janitor ${commit}; load average ${loadAtStart.toFixed(2)} at the start.`,
  `- Date: ${new Date().toISOString().slice(0, 10)}.`,
  `- Command: \`npm run build && ${command}\``,
  '',
  '| tool | runs | median | min–max | images deleted per run | tags gone per run | end state as expected |',
  '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ...summaries.map(
    (summary) =>
      `| ${summary.tool} | ${runs} | ${seconds(summary.median)} s | ${seconds(summary.min)}–${seconds(summary.max)} s ` +
      `| ${summary.deleted.map(number).join(', ')} | ${summary.tagsRemoved.map(number).join(', ')} ` +
      `| ${summary.allExpected ? `yes, ${runs} of ${runs}` : 'NO'} |`,
  ),
  '',
  `janitor is **${ratio.toFixed(1)}×** faster (ratio of medians). ` +
    (allMatched
      ? 'In every run both tools left exactly the same tags in every repository: the newest ' +
        `${keep} by creation time.`
      : 'The end states did NOT match in every run: see the per-run table.'),
  '',
  '| run | janitor apply | skopeo script |',
  '| ---: | ---: | ---: |',
  ...Array.from({ length: runs }, (_, index) => {
    const cells = tools.map((tool) => {
      const measurement = measurements.find((each) => each.run === index + 1 && each.tool === tool.name);
      return measurement === undefined
        ? '—'
        : `${seconds(measurement.milliseconds)} s${measurement.expectedEndState ? '' : ' (wrong end state)'}`;
    });
    return `| ${index + 1} | ${cells.join(' | ')} |`;
  }),
  '',
];
process.stdout.write(lines.join('\n'));
if (!allMatched) process.exitCode = 1;
