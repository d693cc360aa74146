import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcrEmulator } from '../../src/emulator/server.js';
import { ecsSource } from '../../src/inuse/ecs.js';
import type { ImageUseText } from '../../src/inuse/snapshot.js';
import { digestFor, seedEcsFleet } from '../support/workloads.js';

const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

describe('the ECS source, through @aws-sdk/client-ecs against the emulator', () => {
  let emulator: EcrEmulator;
  const client = () => ({
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
    retryMode: 'standard',
  });
  const read = (revisions = 5) =>
    ecsSource({ region: 'us-east-1', taskDefinitionRevisions: revisions }, client()).read(
      AbortSignal.timeout(10_000),
    );
  const images = (uses: ImageUseText[], usedBy: RegExp) =>
    [...new Set(uses.filter((use) => usedBy.test(use.usedBy)).map((use) => use.image))].sort();

  beforeAll(async () => {
    emulator = await EcrEmulator.start();
    const ecs = emulator.workloads.ecsOf();
    // prod/api: a rolling update from api:6 to api:7; its tasks pulled digests.
    for (let revision = 1; revision <= 7; revision += 1)
      ecs.registerTaskDefinition('api', [
        { name: 'app', image: `${registry}/api:v0.${revision}.0` },
        { name: 'sidecar', image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0' },
      ]);
    ecs.deregisterTaskDefinition(`arn:aws:ecs:us-east-1:123456789012:task-definition/api:1`);
    // A family whose name extends `api`: it sorts before it when listed newest first.
    for (let revision = 1; revision <= 3; revision += 1)
      ecs.registerTaskDefinition('api-worker', [{ name: 'worker', image: `${registry}/worker:${revision}` }]);
    ecs.createService('prod', 'api', 'api:7', { rollingFrom: 'api:6' });
    ecs.runTask('prod', 'api:6', { group: 'service:api', digests: { app: digestFor('api-6') } });
    ecs.runTask('prod', 'api:7', { group: 'service:api', pending: true });
    ecs.runTask('prod', 'api:2', { group: 'service:api', stopped: true });
    // A scheduled task outside any service, on a family of its own, in another cluster.
    ecs.registerTaskDefinition('report', [
      { name: 'report', image: `${registry}/report@${digestFor('report')}` },
    ]);
    ecs.runTask('batch', 'report:1', { group: 'family:report' });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('reads services’ deployments, running and pending tasks with their digests, and rollback revisions', async () => {
    const uses = await read();
    expect(images(uses, /^ecs service prod\/api \(task definition api:7\)$/)).toEqual([
      `${registry}/api:v0.7.0`,
      'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0',
    ]);
    expect(images(uses, /^ecs service prod\/api \(task definition api:6\)$/)).toContain(
      `${registry}/api:v0.6.0`,
    );
    expect(images(uses, /^ecs task prod\//)).toEqual(
      [
        `${registry}/api:v0.6.0`,
        `${registry}/api:v0.6.0@${digestFor('api-6')}`,
        `${registry}/api:v0.7.0`,
        'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0',
      ].sort(),
    );
    expect(images(uses, /^ecs task batch\/[0-9a-f]{32} \(family:report\)$/)).toEqual([
      `${registry}/report@${digestFor('report')}`,
    ]);
    // The newest 5 active revisions of api (1 is inactive anyway), not api-worker's in their place.
    expect(images(uses, /^ecs task definition api:/).filter((image) => image.includes('/api:'))).toEqual(
      [3, 4, 5, 6, 7].map((revision) => `${registry}/api:v0.${revision}.0`),
    );
    expect(images(uses, /^ecs task definition api-worker:/)).toEqual(
      [1, 2, 3].map((n) => `${registry}/worker:${n}`),
    );
    // The stopped task's revision is not a rollback target and runs nothing.
    expect(uses.some((use) => use.image.endsWith('/api:v0.2.0'))).toBe(false);
  });

  it('reads no rollback revision when asked for none', async () => {
    const uses = await read(0);
    expect(uses.some((use) => use.usedBy.startsWith('ecs task definition'))).toBe(false);
  });

  it('fails when it cannot read everything: denied, throttled past its retries, or an unknown failure', async () => {
    emulator.workloads.failOperation('ListTasks', {
      type: 'AccessDeniedException',
      message: 'User: arn:aws:iam::123456789012:user/janitor is not authorized to perform: ecs:ListTasks',
    });
    await expect(read()).rejects.toThrow(/not authorized to perform: ecs:ListTasks/);
    emulator.workloads.failOperation('ListTasks');
    emulator.workloads.failOperation('ListClusters', {
      type: 'ThrottlingException',
      message: 'Rate exceeded',
    });
    const before = emulator.requestCounts().ListClusters ?? 0;
    await expect(read()).rejects.toThrow(/Rate exceeded/);
    // Retried (maxAttempts 2 here) before giving up.
    expect((emulator.requestCounts().ListClusters ?? 0) - before).toBe(2);
    emulator.workloads.failOperation('ListClusters');
    emulator.workloads.failOperation('DescribeTaskDefinition', {
      type: 'ServerException',
      status: 500,
      message: 'Internal error',
    });
    await expect(read()).rejects.toThrow(/Internal error/);
    emulator.workloads.failOperation('DescribeTaskDefinition');
    // Nothing of a failed read is remembered: the next read succeeds.
    await expect(read()).resolves.not.toEqual([]);
  });

  it('sends the fewest requests the APIs allow', async () => {
    const fleet = await EcrEmulator.start();
    try {
      // 3 clusters × 25 services (3 DescribeServices each), 5 tasks a service (125 → 2 DescribeTasks).
      seedEcsFleet(fleet.workloads.ecsOf(), {
        clusters: 3,
        servicesPerCluster: 25,
        tasksPerService: 5,
        revisionsPerFamily: 2,
        registry,
      });
      const uses = await ecsSource(
        { region: 'us-east-1', taskDefinitionRevisions: 5 },
        { ...client(), endpoint: fleet.endpoint },
      ).read(AbortSignal.timeout(10_000));
      expect(fleet.requestCounts()).toEqual({
        ListClusters: 1,
        ListServices: 3,
        DescribeServices: 3 * 3,
        ListTasks: 3 * 2,
        DescribeTasks: 3 * 2,
        ListTaskDefinitionFamilies: 1,
        ListTaskDefinitions: 75,
        // Each family's two revisions, read once however many services and tasks run them.
        DescribeTaskDefinition: 150,
      });
      expect(new Set(uses.map((use) => use.image)).size).toBe(75 * 2 + 75);
    } finally {
      await fleet.stop();
    }
  });
});
