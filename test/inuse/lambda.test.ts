import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcrEmulator } from '../../src/emulator/server.js';
import { lambdaSource } from '../../src/inuse/lambda.js';
import { digestFor, seedLambdaFleet } from '../support/workloads.js';

const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

describe('the Lambda source, through @aws-sdk/client-lambda against the emulator', () => {
  let emulator: EcrEmulator;
  const client = (endpoint: string) => ({
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
    retryMode: 'standard',
  });
  const read = (endpoint = emulator.endpoint) =>
    lambdaSource({ region: 'us-east-1' }, client(endpoint)).read(AbortSignal.timeout(10_000));

  beforeAll(async () => {
    emulator = await EcrEmulator.start();
    const lambda = emulator.workloads.lambdaOf();
    // billing: v1 and v2 published; `live` on v1, `canary` sends 10 % to v2; $LATEST on a third image.
    lambda.createFunction('billing', {
      image: `${registry}/billing:0a1b2c3d`,
      digest: digestFor('billing-1'),
    });
    const first = lambda.publishVersion('billing');
    lambda.updateImage('billing', `${registry}/billing:4e5f6a7b`, digestFor('billing-2'));
    const second = lambda.publishVersion('billing');
    lambda.updateImage('billing', `${registry}/billing:latest`, digestFor('billing-3'));
    lambda.createAlias('billing', 'live', first);
    lambda.createAlias('billing', 'canary', first, { [second]: 0.1 });
    lambda.createFunction('zipped', { zip: true });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('reads $LATEST and every aliased version of image functions, as deployed and as resolved', async () => {
    const uses = await read();
    const byUser = (usedBy: string) =>
      uses
        .filter((use) => use.usedBy === usedBy)
        .map((use) => use.image)
        .sort();
    expect(byUser('lambda billing ($LATEST)')).toEqual([
      `${registry}/billing:latest`,
      `${registry}/billing@${digestFor('billing-3')}`,
    ]);
    expect(byUser('lambda billing:live')).toEqual([
      `${registry}/billing:0a1b2c3d`,
      `${registry}/billing@${digestFor('billing-1')}`,
    ]);
    // The weighted alias holds both its versions.
    expect(byUser('lambda billing:canary')).toEqual(
      [
        `${registry}/billing:0a1b2c3d`,
        `${registry}/billing:4e5f6a7b`,
        `${registry}/billing@${digestFor('billing-1')}`,
        `${registry}/billing@${digestFor('billing-2')}`,
      ].sort(),
    );
    expect(uses.some((use) => use.usedBy.includes('zipped'))).toBe(false);
  });

  it('fails when it cannot read everything: denied, or throttled past its retries', async () => {
    emulator.workloads.failOperation('ListAliases', {
      type: 'AccessDeniedException',
      status: 403,
      message: 'User is not authorized to perform: lambda:ListAliases',
    });
    await expect(read()).rejects.toThrow(/lambda:ListAliases/);
    emulator.workloads.failOperation('ListAliases');
    emulator.workloads.failOperation('GetFunction', {
      type: 'TooManyRequestsException',
      status: 429,
      message: 'Rate exceeded',
    });
    const before = emulator.requestCounts().GetFunction ?? 0;
    await expect(read()).rejects.toThrow(/Rate exceeded/);
    expect((emulator.requestCounts().GetFunction ?? 0) - before).toBeGreaterThanOrEqual(2);
    emulator.workloads.failOperation('GetFunction');
  });

  it('sends the fewest requests the APIs allow: 50 functions a page', async () => {
    const fleet = await EcrEmulator.start();
    try {
      seedLambdaFleet(fleet.workloads.lambdaOf(), 120, registry);
      const uses = await read(fleet.endpoint);
      // 3 pages of functions; per function one ListAliases, and GetFunction for $LATEST and `live`.
      expect(fleet.requestCounts()).toEqual({ ListFunctions: 3, ListAliases: 120, GetFunction: 240 });
      expect(uses).toHaveLength(120 * 2 * 2);
    } finally {
      await fleet.stop();
    }
  });
});
