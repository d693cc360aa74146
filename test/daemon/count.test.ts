import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupJob } from '../../src/cleanup/job.js';
import type { HandlerSpec } from '../../src/core/types.js';
import { countCleanup } from '../../src/daemon/count.js';
import { seedDemoFleet } from '../../src/emulator/fleet.js';
import { instrument } from '../../src/engine/instrument.js';
import { createMetrics } from '../../src/engine/metrics.js';
import { RunRecords } from '../../src/engine/records.js';
import { withTimeout } from '../../src/engine/timeout.js';
import { silentLogger } from '../../src/log.js';
import type { RegistryDriver } from '../../src/registry/driver.js';
import { OciDriver } from '../../src/registry/oci/driver.js';
import { skipWithoutDistribution, startDistribution } from '../support/distribution.js';
import { type EmulatedEcr, startEmulatedEcr } from '../support/emulator.js';
import { commitHashRule } from '../support/inventory.js';
import { sample } from '../support/metrics.js';
import { OciPusher } from '../support/oci-push.js';

const context = { stopping: new AbortController().signal, abort: new AbortController().signal };
const hour = 3_600_000;
const kayronSha: HandlerSpec = { name: 'kayron:sha', repository: 'kayron', rule: commitHashRule };

function newMetrics() {
  const records = new RunRecords();
  const metrics = createMetrics(records, { everyMs: hour });
  metrics.addHandler(kayronSha);
  return { records, metrics };
}

describe('countCleanup: what runs delete, as the registry confirms it', () => {
  let ecr: EmulatedEcr;
  beforeEach(async () => {
    ecr = await startEmulatedEcr();
    seedDemoFleet(ecr.emulator.state);
  });
  afterEach(async () => {
    await ecr.emulator.stop();
  });

  it('counts deleted images and reclaimed bytes per repository from a real run', async () => {
    const { metrics } = newMetrics();
    const report = await countCleanup(cleanupJob(ecr.driver, kayronSha, silentLogger), metrics).run(context);
    expect(report.success).toBe(true);
    expect(await sample(metrics, 'janitor_images_deleted_total', { repository: 'kayron' })).toBe(4);
    expect(await sample(metrics, 'janitor_bytes_reclaimed_total', { repository: 'kayron' })).toBe(
      report.plan?.bytesReclaimed,
    );
    expect(
      await sample(metrics, 'janitor_handler_blocked', { handler: 'kayron:sha', kind: 'circuit-breaker' }),
    ).toBe(0);
  });

  it('counts what a run deleted before its deadline, and the run as a failure', async () => {
    const { records, metrics } = newMetrics();
    // The indexes go in the first delete batch; then the registry stops answering, so the batch of
    // their children is still in flight at the deadline.
    const stallsAfterFirstDelete: RegistryDriver = {
      description: ecr.driver.description,
      deleteBatchSize: ecr.driver.deleteBatchSize,
      listRepositories: (options) => ecr.driver.listRepositories(options),
      listImages: (repository, options) => ecr.driver.listImages(repository, options),
      getManifests: (repository, digests, options) => ecr.driver.getManifests(repository, digests, options),
      presentDigests: (repository, digests, options) =>
        ecr.driver.presentDigests(repository, digests, options),
      currentTags: (repository, digests, options) => ecr.driver.currentTags(repository, digests, options),
      referenceHosts: () => ecr.driver.referenceHosts(),
      deleteDigests: async (repository, digests, options) => {
        const outcomes = await ecr.driver.deleteDigests(repository, digests, options);
        ecr.emulator.setFaults({ latencyMs: 3_000 });
        return outcomes;
      },
    };
    const before = new Set(ecr.emulator.state.listImages('kayron').map((image) => image.digest));
    const job = records.watch(
      instrument(
        countCleanup(
          withTimeout(cleanupJob(stallsAfterFirstDelete, kayronSha, silentLogger), 1_000),
          metrics,
        ),
        metrics,
      ),
    );
    await expect(job.run(context)).rejects.toThrow('timed out after 1000 ms');
    const gone = [...before].filter(
      (digest) => !ecr.emulator.state.listImages('kayron').some((image) => image.digest === digest),
    );
    expect(gone).toHaveLength(4);
    // The children's batch — 4 indexes × 2 platforms and 2 attestations, less the platform manifest
    // the newest release shares — was cut off at the deadline: it counts as failed under the abort's
    // code once the aborted request returns.
    await expect
      .poll(() =>
        sample(metrics, 'janitor_delete_failures_total', { repository: 'kayron', code: 'AbortError' }),
      )
      .toBe(15);
    expect(await sample(metrics, 'janitor_images_deleted_total', { repository: 'kayron' })).toBe(4);
    // An index's bytes are its children's, and the children were still there at the deadline.
    expect(await sample(metrics, 'janitor_bytes_reclaimed_total', { repository: 'kayron' })).toBe(0);
    expect(
      await sample(metrics, 'worker_handler_execution_total', { handler: 'kayron:sha', success: 'false' }),
    ).toBe(1);
    expect(
      await sample(metrics, 'janitor_handler_failing_since_timestamp_seconds', { handler: 'kayron:sha' }),
    ).toBeGreaterThan(0);
    expect(await sample(metrics, 'janitor_last_success_timestamp_seconds', { handler: 'kayron:sha' })).toBe(
      0,
    );
  });

  it('counts a circuit-breaker trip, shows the handler blocked by kind, and clears it after a run that is not', async () => {
    const { metrics } = newMetrics();
    const tripping = { ...kayronSha, rule: { ...commitHashRule, maxDeleteShare: 0.1 } };
    const blocked = await countCleanup(cleanupJob(ecr.driver, tripping, silentLogger), metrics).run(context);
    expect(blocked.plan?.blockers.map((blocker) => blocker.kind)).toEqual(['circuit-breaker']);
    const labels = { handler: 'kayron:sha', kind: 'circuit-breaker' };
    expect(await sample(metrics, 'janitor_circuit_breaker_trips_total', { handler: 'kayron:sha' })).toBe(1);
    expect(await sample(metrics, 'janitor_handler_blocked', labels)).toBe(1);
    expect(
      await sample(metrics, 'janitor_handler_blocked', {
        handler: 'kayron:sha',
        kind: 'unreadable-manifest',
      }),
    ).toBe(0);
    await countCleanup(cleanupJob(ecr.driver, kayronSha, silentLogger), metrics).run(context);
    expect(await sample(metrics, 'janitor_handler_blocked', labels)).toBe(0);
    expect(await sample(metrics, 'janitor_circuit_breaker_trips_total', { handler: 'kayron:sha' })).toBe(1);
  });
});

describe.skipIf(skipWithoutDistribution)('countCleanup against distribution with deletes disabled', () => {
  it('counts each refused digest by its code as the registry answers', async () => {
    const registry = await startDistribution({ deletes: false });
    try {
      const pusher = new OciPusher(registry.url);
      const hourAgo = (hours: number) => new Date(Date.UTC(2026, 0, 1) - hours * hour);
      for (const [index, tag] of ['a1', 'a2', 'a3'].entries())
        await pusher.pushImage('refusing', { seed: `refusing/${tag}`, created: hourAgo(10 - index) }, tag);
      const spec: HandlerSpec = {
        name: 'refusing:a',
        repository: 'refusing',
        rule: { name: 'a', prefixes: ['a'], keep: 1, drop: 5 },
      };
      const metrics = createMetrics(new RunRecords(), { everyMs: hour });
      const driver = new OciDriver({ url: registry.url });
      const report = await countCleanup(cleanupJob(driver, spec, silentLogger), metrics).run(context);
      expect(report.execution?.failed.map((failure) => failure.code)).toEqual(['UNSUPPORTED', 'UNSUPPORTED']);
      expect(
        await sample(metrics, 'janitor_delete_failures_total', {
          repository: 'refusing',
          code: 'UNSUPPORTED',
        }),
      ).toBe(2);
      expect(
        await sample(metrics, 'janitor_images_deleted_total', { repository: 'refusing' }),
      ).toBeUndefined();
    } finally {
      await registry.stop();
    }
  });
});
