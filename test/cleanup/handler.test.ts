import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/cleanup/execute.js';
import { checkIntegrity } from '../../src/cleanup/integrity.js';
import { cleanupJob } from '../../src/cleanup/job.js';
import { RepositoryLocks } from '../../src/cleanup/lock.js';
import { runPass } from '../../src/cleanup/pass.js';
import { defaultConfigFile, handlersOf, resolveConfig, seedRepositories } from '../../src/config/config.js';
import type { Plan } from '../../src/core/types.js';
import { demoFleetShape, seedDemoFleet } from '../../src/emulator/fleet.js';
import { type BuiltManifest, buildImageManifest, buildIndex } from '../../src/emulator/manifests.js';
import { silentLogger } from '../../src/log.js';
import { createEcrClient } from '../../src/registry/ecr/client.js';
import { EcrDriver } from '../../src/registry/ecr/driver.js';
import { type EmulatedEcr, inventoryOf, startEmulatedEcr } from '../support/emulator.js';
import { expectedDeletions } from '../support/seed-algorithm.js';

const handlers = handlersOf(resolveConfig(defaultConfigFile, 'test'));
const run = { logger: silentLogger, sleep: async () => {} };

const present = (ecr: EmulatedEcr) => new Set(inventoryOf(ecr));

describe('cleanup handlers end to end (SDK over HTTP against the emulator)', () => {
  let ecr: EmulatedEcr;
  beforeEach(async () => {
    ecr = await startEmulatedEcr();
  });
  afterEach(async () => {
    await ecr.emulator.stop();
  });

  it('plan deletes nothing and reports what apply will delete', async () => {
    const fleet = seedDemoFleet(ecr.emulator.state);
    const before = present(ecr);
    const reports = await runPass(ecr.driver, handlers, { mode: 'plan', ...run });
    expect(present(ecr)).toEqual(before);
    expect(reports.every((report) => report.success)).toBe(true);
    const planned = new Set(
      reports.flatMap((report) =>
        (report.plan?.waves.flat() ?? []).map((deletion) => `${report.repository}@${deletion.digest}`),
      ),
    );
    expect(planned).toEqual(expectedDeletions(fleet.images));
  });

  it('apply deletes exactly the seed algorithm’s digest groups, keeps the shared child, breaks no index', async () => {
    const fleet = seedDemoFleet(ecr.emulator.state);
    const before = present(ecr);
    const expected = expectedDeletions(fleet.images);
    expect(expected.size).toBeGreaterThan(50);

    const reports = await runPass(ecr.driver, handlers, { mode: 'apply', ...run });
    expect(reports.map((report) => [report.handler, report.success, report.error])).toEqual(
      handlers.map((handler) => [handler.name, true, undefined]),
    );
    const after = present(ecr);
    const gone = new Set([...before].filter((key) => !after.has(key)));
    expect(gone).toEqual(expected);
    expect(ecr.emulator.state.hasImage(fleet.sharedChild.repository, fleet.sharedChild.digest)).toBe(true);
    for (const repository of seedRepositories) {
      expect((await checkIntegrity(ecr.driver, repository)).broken).toEqual([]);
    }
    // Per handler: the groups deleted are the seed's count, min(drop, max(0, n − keep)).
    const deletedCounts = Object.fromEntries(
      reports.map((report) => [report.handler, report.plan?.groups.length]),
    );
    expect(deletedCounts).toMatchObject({
      'alloy:sha': 5,
      'kayron:sha': 4,
      'server:sha': 0,
      'specta:sha': 0,
      'splits-lite:sha': 1,
    });
    expect(deletedCounts).toMatchObject({
      'alloy:v': 2,
      'kayron:v': 1,
      'server:v': 5,
      'specta:v': 3,
      'splits-lite:v': 0,
    });
  });

  it('converges over runs to exactly keep candidates per handler, then does nothing', async () => {
    seedDemoFleet(ecr.emulator.state);
    await runPass(ecr.driver, handlers, { mode: 'apply', ...run });
    const second = await runPass(ecr.driver, handlers, { mode: 'apply', ...run });
    expect(second.find((report) => report.handler === 'alloy:sha')?.plan?.groups).toHaveLength(3);
    expect(second.find((report) => report.handler === 'server:v')?.plan?.groups).toHaveLength(1);
    const third = await runPass(ecr.driver, handlers, { mode: 'apply', ...run });
    expect(third.every((report) => report.plan?.groups.length === 0 && report.success)).toBe(true);
    for (const report of third) {
      const shape = demoFleetShape[report.repository];
      const seeded = report.handler.endsWith(':sha') ? shape?.shaImages : shape?.releaseImages;
      expect(report.plan?.candidateCount, report.handler).toBe(Math.min(seeded ?? -1, 10));
    }
  });

  it('deletes the referrers ECR lists (subjectManifestDigest) with their subject, and keeps those of kept images', async () => {
    const push = (manifest: BuiltManifest, tag?: string, day = 1) =>
      ecr.emulator.state.putImage('signed', {
        manifest: manifest.text,
        mediaType: manifest.mediaType,
        ...(tag && { tag }),
        pushedAt: new Date(Date.UTC(2026, 0, day)),
      });
    const old = buildImageManifest({ seed: 'signed/old' });
    const kept = buildImageManifest({ seed: 'signed/kept' });
    push(old, 'v1', 1);
    push(kept, 'v2', 2);
    const oldSignature = buildImageManifest({ seed: 'signed/old-signature', subject: old, layerSizes: [10] });
    const keptSignature = buildImageManifest({
      seed: 'signed/kept-signature',
      subject: kept,
      layerSizes: [10],
    });
    push(oldSignature);
    push(keptSignature);
    const rule = { name: 'v', prefixes: ['v'], keep: 1, drop: 1 };
    const [report] = await runPass(ecr.driver, [{ name: 'signed:v', repository: 'signed', rule }], {
      mode: 'apply',
      ...run,
    });
    expect(report?.success).toBe(true);
    expect(report?.execution?.deleted).toEqual([oldSignature.digest, old.digest]);
    expect(
      ecr.emulator.state
        .listImages('signed')
        .map((image) => image.digest)
        .sort(),
    ).toEqual([kept.digest, keptSignature.digest].sort());
  });

  it('retries a child the registry refused because its parent went in the same batch', async () => {
    const child = buildImageManifest({ seed: 'retry/child' });
    const parent = buildIndex([child]);
    ecr.emulator.state.putImage('retry', { manifest: child.text, mediaType: child.mediaType });
    ecr.emulator.state.putImage('retry', { manifest: parent.text, mediaType: parent.mediaType, tag: 'abc' });
    // A plan that sends parent and child together: ECR judges references before the request, so
    // the child is refused once and must still be gone at the end of the run.
    const plan = {
      repository: 'retry',
      waves: [
        [
          { digest: parent.digest, parents: [] },
          { digest: child.digest, parents: [] },
        ],
      ],
    } as unknown as Plan;
    const report = await executePlan(ecr.driver, plan, { logger: silentLogger, sleep: async () => {} });
    expect(report.failed).toEqual([]);
    expect([...report.deleted].sort()).toEqual([parent.digest, child.digest].sort());
    expect(ecr.emulator.state.listImages('retry')).toEqual([]);
  });

  it('on a graceful stop, starts no new image but still deletes the children of a parent it deleted', async () => {
    const children = ['a', 'b'].map((name) => buildImageManifest({ seed: `stop/${name}` }));
    const first = buildIndex(children.slice(0, 1));
    const second = buildIndex(children.slice(1));
    for (const manifest of children)
      ecr.emulator.state.putImage('stop', { manifest: manifest.text, mediaType: manifest.mediaType });
    ecr.emulator.state.putImage('stop', { manifest: first.text, mediaType: first.mediaType, tag: 'abc' });
    ecr.emulator.state.putImage('stop', { manifest: second.text, mediaType: second.mediaType, tag: 'def' });
    const stop = new AbortController();
    // The stop arrives right after the first delete batch (one index) has been answered.
    const stoppingDriver = Object.create(ecr.driver, {
      deleteBatchSize: { value: 1 },
      deleteDigests: {
        value: async (...args: Parameters<EcrDriver['deleteDigests']>) => {
          const outcomes = await ecr.driver.deleteDigests(...args);
          stop.abort();
          return outcomes;
        },
      },
    }) as EcrDriver;
    const plan = {
      repository: 'stop',
      waves: [
        [
          { digest: first.digest, parents: [] },
          { digest: second.digest, parents: [] },
        ],
        [
          { digest: children[0]?.digest, parents: [first.digest] },
          { digest: children[1]?.digest, parents: [second.digest] },
        ],
      ],
    } as unknown as Plan;
    const report = await executePlan(stoppingDriver, plan, { logger: silentLogger, signal: stop.signal });
    expect(report.deleted).toEqual([first.digest, children[0]?.digest]);
    expect(report.notAttempted).toEqual([second.digest]);
    expect(report.keptBecauseParentRemained).toEqual([children[1]?.digest]);
    expect(
      ecr.emulator.state
        .listImages('stop')
        .map((image) => image.digest)
        .sort(),
    ).toEqual([second.digest, children[1]?.digest].sort());
  });

  it('runs two handlers of one repository one after the other, so a child both dropped images share goes', async () => {
    const shared = buildImageManifest({ seed: 'shared/platform' });
    ecr.emulator.state.putImage('pair', { manifest: shared.text, mediaType: shared.mediaType });
    const push = (tag: string, day: number, children: BuiltManifest[]) => {
      const own = buildImageManifest({ seed: `pair/${tag}` });
      ecr.emulator.state.putImage('pair', { manifest: own.text, mediaType: own.mediaType });
      const manifest = children.length > 0 ? buildIndex([...children, own]) : own;
      ecr.emulator.state.putImage('pair', {
        manifest: manifest.text,
        mediaType: manifest.mediaType,
        tag,
        pushedAt: new Date(Date.UTC(2026, 0, day)),
      });
    };
    push('abc', 1, [shared]);
    push('v1', 1, [shared]);
    for (let day = 2; day < 4; day += 1) {
      push(`f${day}`, day, []);
      push(`v${day}`, day, []);
    }
    const rule = (name: string, prefixes: string[]) => ({ name, prefixes, keep: 2, drop: 1 });
    const locks = new RepositoryLocks();
    const context = { stopping: new AbortController().signal, abort: new AbortController().signal };
    const jobs = [
      cleanupJob(
        ecr.driver,
        { name: 'pair:sha', repository: 'pair', rule: rule('sha', ['a', 'f']) },
        silentLogger,
        locks,
      ),
      cleanupJob(
        ecr.driver,
        { name: 'pair:v', repository: 'pair', rule: rule('v', ['v']) },
        silentLogger,
        locks,
      ),
    ];
    const reports = await Promise.all(jobs.map((job) => job.run(context)));
    expect(reports.every((report) => report.success)).toBe(true);
    expect(ecr.emulator.state.hasImage('pair', shared.digest)).toBe(false);
  });

  it('keeps the children when their parent index cannot be deleted', async () => {
    const child = buildImageManifest({ seed: 'held/child' });
    const parent = buildIndex([child]);
    ecr.emulator.state.putImage('held', { manifest: child.text, mediaType: child.mediaType });
    ecr.emulator.state.putImage('held', { manifest: parent.text, mediaType: parent.mediaType, tag: 'abc' });
    ecr.emulator.setFaults({ throttleRate: 1 });
    const impatient = new EcrDriver(
      createEcrClient({
        region: 'us-east-1',
        overrides: {
          endpoint: ecr.emulator.endpoint,
          credentials: { accessKeyId: 't', secretAccessKey: 't' },
          maxAttempts: 1,
        },
      }),
    );
    const plan = {
      repository: 'held',
      waves: [[{ digest: parent.digest, parents: [] }], [{ digest: child.digest, parents: [parent.digest] }]],
    } as unknown as Plan;
    const report = await executePlan(impatient, plan, { logger: silentLogger, sleep: async () => {} });
    ecr.emulator.setFaults({});
    expect(report.failed.map((failure) => failure.code)).toEqual(['ThrottlingException']);
    expect(report.keptBecauseParentRemained).toEqual([child.digest]);
    expect(ecr.emulator.state.hasImage('held', child.digest)).toBe(true);
  });

  it('reports a registry that keeps failing, and starts the next run over from a fresh inventory', async () => {
    seedDemoFleet(ecr.emulator.state);
    const impatient = new EcrDriver(
      createEcrClient({
        region: 'us-east-1',
        overrides: {
          endpoint: ecr.emulator.endpoint,
          credentials: { accessKeyId: 't', secretAccessKey: 't' },
          maxAttempts: 2,
        },
      }),
    );
    const spec = handlers.find((handler) => handler.name === 'alloy:sha') as (typeof handlers)[0];
    ecr.emulator.setFaults({ serverErrorRate: 1 });
    const failed = await runPass(impatient, [spec], { mode: 'apply', ...run });
    expect(failed[0]).toMatchObject({ success: false });
    expect(failed[0]?.error).toMatch(/DescribeImages on repository "alloy" failed: ServerException/);
    ecr.emulator.setFaults({});
    ecr.emulator.resetRequestCounts();
    const recovered = await runPass(impatient, [spec], { mode: 'apply', ...run });
    expect(recovered[0]).toMatchObject({ success: true });
    expect(recovered[0]?.execution?.deleted).toHaveLength(25);
    // A fresh listing, and the check of the doomed digests' tags right before deleting.
    expect(ecr.emulator.requestCounts().DescribeImages).toBe(2);
  });

  describe('media types it does not clean', () => {
    /** Ten newest releases, and an older one stored as `mediaType` with `text`. */
    function pushWithOldest(repository: string, text: string, mediaType: string) {
      const newest = Array.from({ length: 10 }, (_, index) =>
        buildImageManifest({ seed: `${repository}/${index}` }),
      );
      newest.forEach((manifest, index) => {
        ecr.emulator.state.putImage(repository, {
          manifest: manifest.text,
          mediaType: manifest.mediaType,
          tag: `v1.${index}`,
          pushedAt: new Date(Date.UTC(2026, 5, index + 3)),
        });
      });
      const older = buildImageManifest({ seed: `${repository}/older` });
      ecr.emulator.state.putImage(repository, {
        manifest: older.text,
        mediaType: older.mediaType,
        tag: 'v0.2',
        pushedAt: new Date(Date.UTC(2026, 5, 2)),
      });
      ecr.emulator.state.putImage(repository, {
        manifest: text,
        mediaType,
        tag: 'v0.1',
        pushedAt: new Date(Date.UTC(2026, 5, 1)),
      });
      return older;
    }
    const releases = (repository: string) => [
      {
        name: `${repository}:v`,
        repository,
        rule: { name: 'v', prefixes: ['v'], keep: 10, drop: 5 },
      },
    ];

    it('passes over a schema 1 image with its reason and cleans the rest', async () => {
      const schemaOne = JSON.stringify({ schemaVersion: 1, name: 'legacy', tag: 'v0.1', fsLayers: [] });
      const older = pushWithOldest(
        'legacy',
        schemaOne,
        'application/vnd.docker.distribution.manifest.v1+prettyjws',
      );
      const [report] = await runPass(ecr.driver, releases('legacy'), { mode: 'apply', ...run });
      expect(report?.success).toBe(true);
      const skipped = report?.plan?.decisions.find((decision) => decision.image.tags.includes('v0.1'));
      expect(skipped).toMatchObject({ fate: 'skip', reason: 'legacy-media-type' });
      expect(ecr.emulator.state.hasImage('legacy', older.digest)).toBe(false);
      expect(ecr.emulator.state.listImages('legacy')).toHaveLength(11);
    });

    it('blocks a handler whose selected image has a media type nobody knows, naming it', async () => {
      const odd = JSON.stringify({ mediaType: 'application/vnd.example.bundle.v1+json', parts: [] });
      pushWithOldest('odd', odd, 'application/vnd.example.bundle.v1+json');
      const [report] = await runPass(ecr.driver, releases('odd'), { mode: 'apply', ...run });
      expect(report?.success).toBe(false);
      expect(report?.plan?.blockers).toContainEqual({
        kind: 'unsupported-media-type',
        message: expect.stringContaining('application/vnd.example.bundle.v1+json'),
      });
      expect(ecr.emulator.state.listImages('odd')).toHaveLength(12);
    });
  });

  it('reports a repository that does not exist as a failed handler without stopping the others', async () => {
    seedDemoFleet(ecr.emulator.state);
    const missing = {
      name: 'ghost:sha',
      repository: 'ghost',
      rule: handlers[0]?.rule as (typeof handlers)[0]['rule'],
    };
    const reports = await runPass(ecr.driver, [missing, ...handlers], { mode: 'plan', ...run });
    expect(reports[0]).toMatchObject({ handler: 'ghost:sha', success: false });
    expect(reports[0]?.error).toMatch(/RepositoryNotFoundException/);
    expect(reports.slice(1).every((report) => report.success)).toBe(true);
  });
});
