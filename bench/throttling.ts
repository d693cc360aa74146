/**
 * Throttling: how the ECR client's retry modes fare against a registry that throttles at random
 * (30 % of requests, whatever the pace) and against one that enforces a rate (a token bucket),
 * through the real SDK against the emulator. For each mode: the wall time of one `apply` of the
 * demo fleet, throttled and not; and a `plan` over a fleet against the rate limit — throughput as
 * a share of the enforced rate, and throttled answers per successful request (a storm is many).
 *
 * First the tool as people run it: `janitor apply --config builtin:seed` (the default pacing)
 * against the emulator in a process of its own, unthrottled and 30 % throttled.
 *
 *   npx tsx bench/throttling.ts [--runs 5] [--modes paced,standard,adaptive] [--rate 50] [--repositories 60]
 */
import { runPass } from '../src/cleanup/pass.js';
import { defaultConfigFile, handlersOf, resolveConfig } from '../src/config/config.js';
import { parseConfig } from '../src/config/load.js';
import { seedDemoFleet } from '../src/emulator/fleet.js';
import { EcrEmulator } from '../src/emulator/server.js';
import { silentLogger } from '../src/log.js';
import { createEcrClient, type RetryPacing } from '../src/registry/ecr/client.js';
import { EcrDriver } from '../src/registry/ecr/driver.js';
import { seedFleet } from './fleet.js';
import {
  argument,
  emulatorEnvironment,
  machine,
  runJanitor,
  startEmulatorProcess,
  summary,
} from './support.js';

const runs = argument('runs', 5);
const rate = argument('rate', 50);
const repositories = argument('repositories', 60);
const modesIndex = process.argv.indexOf('--modes');
const modes = (modesIndex >= 0 ? (process.argv[modesIndex + 1] ?? '') : 'standard,adaptive,paced').split(
  ',',
) as RetryPacing[];

function driverFor(endpoint: string, pacing: RetryPacing): EcrDriver {
  return new EcrDriver(
    createEcrClient({
      region: 'us-east-1',
      maxInFlight: 8,
      pacing,
      overrides: { endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } },
    }),
    { concurrency: 8 },
  );
}

/** One apply of a freshly seeded demo fleet, with or without 30 % random throttling. */
async function demoApply(pacing: RetryPacing, throttleRate: number) {
  const emulator = await EcrEmulator.start();
  try {
    seedDemoFleet(emulator.state);
    emulator.setFaults({ throttleRate });
    const handlers = handlersOf(resolveConfig(defaultConfigFile, 'builtin:seed'));
    const started = performance.now();
    const reports = await runPass(driverFor(emulator.endpoint, pacing), handlers, {
      mode: 'apply',
      logger: silentLogger,
    });
    const seconds = (performance.now() - started) / 1000;
    if (!reports.every((report) => report.success)) throw new Error(`${pacing}: a handler failed`);
    const requests = Object.values(emulator.requestCounts()).reduce((total, count) => total + count, 0);
    return { seconds, requests, throttled: emulator.throttledCount() };
  } finally {
    await emulator.stop();
  }
}

/** One plan over a fleet behind a token bucket of `rate` requests a second. */
async function rateLimitedPlan(pacing: RetryPacing) {
  const emulator = await EcrEmulator.start();
  try {
    seedFleet(emulator.state, { repositories, images: 300, indexShare: 0.8 });
    const config = parseConfig(
      'registry: { type: ecr }\nrules:\n  - { repositories: ["**"], tags: sha, keep: 10, drop: 5 }\n',
      'bench',
    );
    const driver = driverFor(emulator.endpoint, pacing);
    const handlers = handlersOf(config, await driver.listRepositories());
    emulator.resetRequestCounts();
    emulator.setFaults({ rateLimit: { perSecond: rate, burst: 10 } });
    const started = performance.now();
    const reports = await runPass(
      driver,
      handlers,
      { mode: 'plan', logger: silentLogger },
      { repositoryConcurrency: 8 },
    );
    const seconds = (performance.now() - started) / 1000;
    if (!reports.every((report) => report.success)) throw new Error(`${pacing}: a handler failed`);
    const answered = Object.values(emulator.requestCounts()).reduce((total, count) => total + count, 0);
    const succeeded = answered - emulator.throttledCount();
    return {
      seconds,
      succeeded,
      throughputShare: succeeded / seconds / rate,
      stormRatio: emulator.throttledCount() / succeeded,
    };
  } finally {
    await emulator.stop();
  }
}

/** `janitor apply` through the CLI on a fresh demo fleet, with `throttleRate` of its requests throttled. */
async function cliApply(throttleRate: number) {
  const emulator = await startEmulatorProcess({ demo: true, latencyMs: 0 });
  try {
    await emulator.setFaults({ throttleRate });
    const measured = await runJanitor(
      ['apply', '--config', 'builtin:seed', '--log-level', 'silent'],
      emulatorEnvironment(emulator.endpoint),
    );
    if (measured.exitCode !== 0) throw new Error(`janitor apply exited ${measured.exitCode}`);
    const { counts, throttled } = await emulator.counts();
    return {
      seconds: measured.wallSeconds,
      requests: Object.values(counts).reduce((a, b) => a + b, 0),
      throttled,
    };
  } finally {
    await emulator.stop();
  }
}

console.log(`machine: ${machine()}; date: ${new Date().toISOString().slice(0, 10)}; runs: ${runs}`);
{
  const clean: number[] = [];
  const throttled: number[] = [];
  let last = { requests: 0, throttled: 0 };
  for (let run = 0; run < runs; run += 1) {
    clean.push((await cliApply(0)).seconds);
    const faulted = await cliApply(0.3);
    throttled.push(faulted.seconds);
    last = faulted;
  }
  console.log(
    '| janitor apply (CLI, default pacing) | unthrottled s | 30 % throttled s | ratio | requests (throttled) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  console.log(
    `| demo fleet | ${summary(clean, 2)} | ${summary(throttled, 2)} | ${summary(
      throttled.map((seconds, index) => seconds / (clean[index] as number)),
      1,
    )} | ${last.requests} (${last.throttled}) |`,
  );
  console.log('');
}
console.log(
  '| mode | demo apply, unthrottled s | demo apply, 30 % throttled s | ratio | requests (throttled) | rate-limited plan: share of the rate | throttled per success |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const mode of modes) {
  const clean: number[] = [];
  const throttled: number[] = [];
  const shares: number[] = [];
  const storms: number[] = [];
  let last = { requests: 0, throttled: 0 };
  for (let run = 0; run < runs; run += 1) {
    clean.push((await demoApply(mode, 0)).seconds);
    const faulted = await demoApply(mode, 0.3);
    throttled.push(faulted.seconds);
    last = faulted;
    const limited = await rateLimitedPlan(mode);
    shares.push(limited.throughputShare * 100);
    storms.push(limited.stormRatio);
  }
  const ratio = summary(
    throttled.map((seconds, index) => seconds / (clean[index] as number)),
    1,
  );
  console.log(
    `| ${mode} | ${summary(clean, 2)} | ${summary(throttled, 2)} | ${ratio} | ${last.requests} (${last.throttled}) | ${summary(shares, 0)} % | ${summary(storms, 2)} |`,
  );
}
