import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../src/cleanup/integrity.js';
import { seedRepositories } from '../../src/config/config.js';
import { matchCandidates } from '../../src/core/match.js';
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

async function writeConfig(): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'janitor-daemon-')), 'daemon.yaml');
  await writeFile(path, config);
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
    const deadline = Date.now() + 20_000;
    let runs = new Map<string, number>();
    while (Date.now() < deadline) {
      runs = await successfulRuns(metricsUrl);
      if (runs.size === 10 && [...runs.values()].every((count) => count >= 3)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
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

  it('refuses a bad metrics address before starting', async () => {
    daemon = startCli(['daemon', '--config', 'builtin:seed', '--metrics-addr', 'nowhere'], ecr.environment);
    expect((await daemon.exited).code).toBe(2);
    expect(daemon.output()).toContain('--metrics-addr must be HOST:PORT');
  });
});
