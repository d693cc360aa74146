import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../src/cleanup/integrity.js';
import { seedRepositories } from '../../src/config/config.js';
import { matchCandidates } from '../../src/core/match.js';
import { seedDemoWorkloads } from '../../src/emulator/demo-workloads.js';
import { demoFleetShape, seedDemoFleet } from '../../src/emulator/fleet.js';
import { type RunningCli, startCli } from '../support/cli.js';
import { type EmulatedEcr, startEmulatedEcr } from '../support/emulator.js';
import { commitHashRule, releaseRule } from '../support/inventory.js';

const config = `
registry: { type: ecr }
schedule: { every: 2s, jitter: 0.01 }
rules:
  - { repositories: [alloy, kayron, server, specta, splits-lite], tags: sha, keep: 10, drop: 5 }
  - { repositories: [alloy, kayron, server, specta, splits-lite], tags: tag, keep: 10, drop: 5 }
`;

async function writeConfig(text = config): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'janitor-daemon-')), 'daemon.yaml');
  await writeFile(path, text);
  return path;
}

/** Successful runs per handler, read from the daemon's /metrics. */
async function successfulRuns(metricsUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const runs = new Map<string, number>();
  for (const match of text.matchAll(
    /^worker_handler_execution_total\{handler="([^"]+)",success="true"\} (\d+)$/gm,
  )) {
    runs.set(match[1] as string, Number(match[2]));
  }
  return runs;
}

/** Polls /metrics until each of the ten handlers ran `least` times (or 20 s passed); the last counts. */
async function waitForRuns(metricsUrl: string, least: number): Promise<Map<string, number>> {
  const deadline = Date.now() + 20_000;
  let runs = new Map<string, number>();
  while (Date.now() < deadline) {
    runs = await successfulRuns(metricsUrl);
    if (runs.size === 10 && [...runs.values()].every((count) => count >= least)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return runs;
}

describe('janitor daemon (child process against the emulator)', () => {
  let ecr: EmulatedEcr;
  let daemon: RunningCli | undefined;
  beforeEach(async () => {
    ecr = await startEmulatedEcr();
  });
  afterEach(async () => {
    daemon?.child.kill('SIGKILL');
    await ecr.emulator.stop();
  });

  /** Starts the daemon with this config on a free port; resolves once it has started. */
  async function startDaemon(
    configText: string,
    environment: Record<string, string> = {},
  ): Promise<{ running: RunningCli; base: string }> {
    const running = startCli(
      ['daemon', '--config', await writeConfig(configText), '--metrics-addr', '127.0.0.1:0'],
      { ...ecr.environment, ...environment },
    );
    daemon = running;
    const started = JSON.parse(await running.waitForLine(/"msg":"daemon started"/));
    return { running, base: (started.metrics as string).replace(/\/metrics$/, '') };
  }

  it('runs every handler on its schedule, converges, reports metrics and health, and stops on SIGTERM', async () => {
    seedDemoFleet(ecr.emulator.state);
    daemon = startCli(
      ['daemon', '--config', await writeConfig(), '--metrics-addr', '127.0.0.1:0'],
      ecr.environment,
    );
    const started = JSON.parse(await daemon.waitForLine(/"msg":"daemon started"/));
    const metricsUrl: string = started.metrics;
    const healthUrl = metricsUrl.replace('/metrics', '/healthz');

    // Every handler needs two runs to converge (alloy:sha has 18 images: 18 → 13 → 10).
    const runs = await waitForRuns(metricsUrl, 3);
    expect(
      [...runs.values()].every((count) => count >= 3),
      JSON.stringify([...runs]),
    ).toBe(true);
    expect((await fetch(healthUrl)).status).toBe(200);
    const scrape = await (await fetch(metricsUrl)).text();
    expect(scrape).toMatch(/^janitor_images_deleted_total\{repository="alloy"\} 10$/m);
    expect(scrape).toContain('worker_handler_execution_duration_seconds_bucket');

    for (const repository of seedRepositories) {
      const images = await ecr.driver.listImages(repository);
      for (const [rule, seeded] of [
        [commitHashRule, demoFleetShape[repository]?.shaImages],
        [releaseRule, demoFleetShape[repository]?.releaseImages],
      ] as const) {
        const { candidates } = matchCandidates(images, rule);
        expect(candidates.length, `${repository}:${rule.name}`).toBe(Math.min(seeded ?? 0, 10));
      }
      expect((await checkIntegrity(ecr.driver, repository)).broken).toEqual([]);
    }

    const stopping = Date.now();
    daemon.child.kill('SIGTERM');
    const exit = await daemon.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect(daemon.output()).toContain('"msg":"daemon stopped"');
  }, 40_000);

  it('exits 0 within its shutdown timeout even when the registry hangs', async () => {
    seedDemoFleet(ecr.emulator.state);
    ecr.emulator.setFaults({ latencyMs: 20_000 });
    const args = [
      'daemon',
      '--config',
      await writeConfig(),
      '--metrics-addr',
      '127.0.0.1:0',
      '--shutdown-timeout',
      '3s',
    ];
    daemon = startCli(args, ecr.environment);
    await daemon.waitForLine(/"msg":"daemon started"/);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const signalled = Date.now();
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(3_500);
    expect(daemon.output()).toContain('aborted');
  });

  it('exits at once on a second signal while runs are still in flight', async () => {
    seedDemoFleet(ecr.emulator.state);
    ecr.emulator.setFaults({ latencyMs: 5_000 });
    daemon = startCli(
      ['daemon', '--config', await writeConfig(), '--metrics-addr', '127.0.0.1:0'],
      ecr.environment,
    );
    await daemon.waitForLine(/"msg":"daemon started"/);
    // Every first run starts within 2 s, and each registry call now takes 5 s: runs are in flight.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    daemon.child.kill('SIGTERM');
    await daemon.waitForLine(/"msg":"stopping/);
    const signalled = Date.now();
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(1);
    expect(Date.now() - signalled).toBeLessThan(2_000);
  });

  it('counts runs that time out as failures and says so on /healthz, which stays 200: a restart would not help', async () => {
    seedDemoFleet(ecr.emulator.state);
    ecr.emulator.setFaults({ latencyMs: 5_000 });
    const { running, base } = await startDaemon(
      'registry: { type: ecr }\nschedule: { every: 1s, jitter: 0, timeout: 1s }\n' +
        'rules:\n  - { repositories: [kayron], tags: sha, keep: 10, drop: 5 }\n',
    );
    const failures = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(
        /^worker_handler_execution_total\{handler="kayron:sha",success="false"\} (\d+)$/m.exec(text)?.[1],
      );
    };
    await expect.poll(failures, { timeout: 10_000, interval: 200 }).toBeGreaterThanOrEqual(2);

    const scrape = await (await fetch(`${base}/metrics`)).text();
    expect(scrape).toMatch(/^worker_handler_execution_total\{handler="kayron:sha",success="true"\} 0$/m);
    expect(scrape).toMatch(
      /^worker_handler_execution_duration_seconds_count\{handler="kayron:sha",success="false"\} [1-9]/m,
    );
    expect(scrape).toMatch(/^janitor_last_success_timestamp_seconds\{handler="kayron:sha"\} 0$/m);
    expect(scrape).toMatch(
      /^janitor_handler_failing_since_timestamp_seconds\{handler="kayron:sha"\} 1\d{9}/m,
    );
    expect(scrape).toMatch(/^janitor_handler_cooldown_seconds\{handler="kayron:sha"\} 1$/m);

    const healthz = await fetch(`${base}/healthz`);
    expect(healthz.status).toBe(200);
    const text = await healthz.text();
    expect(text).toMatch(/^degraded: 1 of 1 handlers failing/);
    expect(text).toMatch(/kayron:sha: failing since .* run timed out after 1000 ms/);
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  }, 20_000);

  it('gives a repository that appears its handler’s series, and drops those of one that is gone', async () => {
    seedDemoFleet(ecr.emulator.state);
    const { base } = await startDaemon(
      'registry: { type: ecr }\nschedule: { every: 1s, jitter: 0 }\n' +
        "rules:\n  - { repositories: ['**'], tags: sha, keep: 10, drop: 5 }\n",
    );
    const scrape = async () => (await fetch(`${base}/metrics`)).text();
    const lastSuccess = /^janitor_last_success_timestamp_seconds\{handler="specta:sha"\} [1-9]/m;
    await expect.poll(scrape, { timeout: 10_000, interval: 200 }).toMatch(lastSuccess);

    ecr.emulator.state.deleteRepository('specta');
    ecr.emulator.state.createRepository('newcomer');
    await expect
      .poll(scrape, { timeout: 10_000, interval: 200 })
      .toMatch(/^janitor_handler_blocked\{handler="newcomer:sha",kind="circuit-breaker"\} 0$/m);
    // Its gauges go (its counters stay, as counters do: they never fire an alert on their own).
    await expect
      .poll(scrape, { timeout: 10_000, interval: 200 })
      .not.toMatch(/^janitor_(?:last_success|handler_\w+)\{handler="specta:sha"/m);
    const health = await (await fetch(`${base}/healthz`)).text();
    expect(health).not.toContain('specta:sha');
  }, 30_000);

  it('reads the in-use sources once per inUse.refresh for all its handlers, and keeps what runs', async () => {
    const fleet = seedDemoFleet(ecr.emulator.state);
    const running = seedDemoWorkloads(
      ecr.emulator.workloads,
      fleet,
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    );
    const { base } = await startDaemon(
      `${config}inUse:\n  ecs: [{region: us-east-1}]\n  lambda: [{region: us-east-1}]\n  refresh: 10m\n`,
      { AWS_ENDPOINT_URL_ECS: ecr.emulator.endpoint, AWS_ENDPOINT_URL_LAMBDA: ecr.emulator.endpoint },
    );
    const metricsUrl = `${base}/metrics`;
    // Two runs of each of the ten handlers (every 2 s): twenty runs, one read of ECS and Lambda.
    const runs = await waitForRuns(metricsUrl, 2);
    expect(
      [...runs.values()].every((count) => count >= 2),
      JSON.stringify([...runs]),
    ).toBe(true);
    const counts = ecr.emulator.requestCounts();
    expect([counts.ListClusters, counts.ListFunctions]).toEqual([1, 1]);
    for (const image of [running.ecsRelease, running.lambdaBuild])
      expect(ecr.emulator.state.hasImage(image.repository, image.digest), image.tags[0]).toBe(true);
  }, 40_000);

  it('refuses a bad metrics address before starting', async () => {
    daemon = startCli(['daemon', '--config', 'builtin:seed', '--metrics-addr', 'nowhere'], ecr.environment);
    expect((await daemon.exited).code).toBe(2);
    expect(daemon.output()).toContain('--metrics-addr must be HOST:PORT');
  });
});
