import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Faults } from '../src/emulator/server.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export interface EmulatorProcess {
  readonly endpoint: string;
  readonly manifests: number;
  readonly seedSeconds: number;
  counts(): Promise<{ counts: Record<string, number>; peakConcurrency: number; throttled: number }>;
  setFaults(faults: Faults): Promise<void>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** The emulator in a process of its own, seeded with a fleet (or the demo's), answering after `latencyMs`. */
export async function startEmulatorProcess(
  shape:
    | { repositories: number; images: number; indexShare: number; latencyMs: number }
    | { demo: true; latencyMs: number },
): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(
    here('./emulator-process.ts'),
    'demo' in shape
      ? ['demo', String(shape.latencyMs)]
      : [shape.repositories, shape.images, shape.indexShare, shape.latencyMs].map(String),
    {
      execArgv: ['--max-old-space-size=20000', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const next = <T>() =>
    new Promise<T>((resolve) => child.once('message', (message) => resolve(message as T)));
  const ready = await next<{ endpoint: string; manifests: number; seedSeconds: number }>();
  return {
    ...ready,
    counts: async () => {
      const answer = next<{ counts: Record<string, number>; peakConcurrency: number; throttled: number }>();
      child.send({ command: 'counts' });
      return answer;
    },
    setFaults: async (faults) => {
      const answer = next();
      child.send({ command: 'faults', faults });
      await answer;
    },
    reset: async () => {
      const answer = next();
      child.send({ command: 'reset' });
      await answer;
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ command: 'stop' });
      await exited;
    },
  };
}

export interface Measured {
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
  readonly exitCode: number | null;
}

/** Runs the built `janitor` as a user would, timing it and reading its peak RSS. */
export async function runJanitor(
  args: readonly string[],
  environment: Record<string, string>,
): Promise<Measured> {
  const rssFile = join(await mkdtemp(join(tmpdir(), 'janitor-bench-')), 'rss');
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', here('./peak-rss.mjs'), here('../bin/janitor.js'), ...args],
    {
      env: { ...process.env, ...environment, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    wallSeconds: (performance.now() - started) / 1000,
    peakRssMiB: Number(await readFile(rssFile, 'utf8')),
    exitCode,
  };
}

export async function writeConfig(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'janitor-bench-')), 'janitor.yaml');
  await writeFile(path, text);
  return path;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `12.3 (11.9–13.0)`: the median, then min–max. */
export function summary(values: readonly number[], digits = 1): string {
  return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
}

export function machine(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

export const emulatorEnvironment = (endpoint: string) => ({
  AWS_ENDPOINT_URL_ECR: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
});
