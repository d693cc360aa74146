import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfigFile, handlersOf, resolveConfig, seedRepositories } from '../../src/config/config.js';
import { seedDemoFleet } from '../../src/emulator/fleet.js';
import { createFunctionHandler, handler } from '../../src/function/lambda.js';
import { selectHandlers, shardOf } from '../../src/function/select.js';
import { silentLogger } from '../../src/log.js';
import { type EmulatedEcr, startEmulatedEcr } from '../support/emulator.js';

const seedConfig = resolveConfig(defaultConfigFile, 'test');
const inUseDefaults = { ecs: [], lambda: [], kubernetes: [], refreshMs: 300_000, timeoutMs: 10_000 };

function count(ecr: EmulatedEcr, repository: string): number {
  return ecr.emulator.state.listImages(repository).length;
}

describe('Lambda handler (in-process, against the emulator)', () => {
  let ecr: EmulatedEcr;
  beforeEach(async () => {
    ecr = await startEmulatedEcr();
    seedDemoFleet(ecr.emulator.state);
  });
  afterEach(async () => {
    await ecr.emulator.stop();
  });

  const invoke = (ecrDriver: EmulatedEcr) =>
    createFunctionHandler({
      loadConfig: async () => seedConfig,
      createDriver: async () => ecrDriver.driver,
      logger: silentLogger,
    });

  it('cleans only the repositories its event names', async () => {
    const before = Object.fromEntries(
      seedRepositories.map((repository) => [repository, count(ecr, repository)]),
    );
    const summary = await invoke(ecr)({ repositories: ['alloy', 'kayron'] });
    expect(summary.success).toBe(true);
    expect(summary.handlers.map((each) => each.handler)).toEqual([
      'alloy:sha',
      'kayron:sha',
      'alloy:v',
      'kayron:v',
    ]);
    expect(count(ecr, 'alloy')).toBeLessThan(before.alloy as number);
    expect(count(ecr, 'kayron')).toBeLessThan(before.kayron as number);
    for (const untouched of ['server', 'specta', 'splits-lite'])
      expect(count(ecr, untouched)).toBe(before[untouched]);
  });

  it('with no event, cleans every repository of the config; plan mode deletes nothing', async () => {
    const before = seedRepositories.map((repository) => count(ecr, repository));
    const planned = await invoke(ecr)({ mode: 'plan' });
    expect(planned.handlers).toHaveLength(10);
    expect(seedRepositories.map((repository) => count(ecr, repository))).toEqual(before);
    const applied = await invoke(ecr)(undefined);
    expect(applied.handlers.reduce((total, each) => total + each.deleted, 0)).toBeGreaterThan(50);
  });

  it('reads what is in use once per invocation, and keeps it', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'janitor-function-'));
    const list = join(directory, 'images.txt');
    const oldest = (await ecr.driver.listImages('kayron'))
      .filter((image) => image.tags.length === 1 && image.tags[0]?.startsWith('v'))
      .sort((left, right) => (left.pushedAt?.getTime() ?? 0) - (right.pushedAt?.getTime() ?? 0))[0];
    await writeFile(list, `123456789012.dkr.ecr.us-east-1.amazonaws.com/kayron:${oldest?.tags[0]}\n`);
    const config = {
      ...seedConfig,
      inUse: { ...inUseDefaults, references: { files: [list], commands: [] } },
    };
    const run = createFunctionHandler({
      loadConfig: async () => config,
      createDriver: async () => ecr.driver,
      logger: silentLogger,
    });
    const summary = await run({ repositories: ['kayron'] });
    expect(summary.success).toBe(true);
    expect(ecr.emulator.state.hasImage('kayron', oldest?.digest as string)).toBe(true);
    // A list that disappears between invocations blocks the next one: nothing is deleted.
    await rm(list);
    const before = count(ecr, 'alloy');
    await expect(run({ repositories: ['alloy'] })).rejects.toThrow(/handlers failed: alloy:sha, alloy:v/);
    expect(count(ecr, 'alloy')).toBe(before);
  });

  it('the shards of a fleet cover every repository exactly once', async () => {
    const handlers = handlersOf(seedConfig);
    const shards = [0, 1, 2].map((index) => selectHandlers(handlers, { shard: { index, count: 3 } }));
    const names = shards.flat().map((each) => each.name);
    expect(names.sort()).toEqual(handlers.map((each) => each.name).sort());
    for (const shard of shards) {
      for (const each of shard) expect(shardOf(each.repository, 3)).toBe(shards.indexOf(shard));
    }
  });

  it('rejects an event naming a repository outside the config, or a bad shard, before any call', async () => {
    ecr.emulator.resetRequestCounts();
    await expect(invoke(ecr)({ repositories: ['nope'] })).rejects.toThrow(
      'no rule of the config covers: nope',
    );
    await expect(invoke(ecr)({ shard: { index: 3, count: 3 } })).rejects.toThrow(/shard must be/);
    expect(ecr.emulator.requestCounts()).toEqual({});
  });

  it('fails the invocation when a handler fails, after running the others', async () => {
    const config = resolveConfig(
      {
        ...defaultConfigFile,
        rules: [
          {
            repositories: ['missing', 'alloy'],
            tags: 'sha',
            keep: 10,
            drop: 5,
            maxDeleteShare: 0.5,
            active: true,
          },
        ],
      },
      'test',
    );
    const failing = createFunctionHandler({
      loadConfig: async () => config,
      createDriver: async () => ecr.driver,
      logger: silentLogger,
    });
    const before = count(ecr, 'alloy');
    await expect(failing({})).rejects.toThrow('handlers failed: missing:sha');
    expect(count(ecr, 'alloy')).toBe(before - 25);
  });

  it('starts nothing when the invocation is about to time out, and says the run did not finish', async () => {
    const before = count(ecr, 'alloy');
    await expect(
      invoke(ecr)({ repositories: ['alloy'] }, { getRemainingTimeInMillis: () => 5_000 }),
    ).rejects.toThrow('handlers failed: alloy:sha, alloy:v');
    expect(count(ecr, 'alloy')).toBe(before);
  });

  it('refuses an event with an unknown or misspelt key instead of cleaning everything', async () => {
    ecr.emulator.resetRequestCounts();
    await expect(invoke(ecr)({ Mode: 'plan' })).rejects.toThrow('invalid event: (event): unknown key Mode');
    await expect(invoke(ecr)({ repository: ['alloy'] })).rejects.toThrow('unknown key repository');
    await expect(invoke(ecr)({ mode: 'delete' })).rejects.toThrow('invalid event: mode');
    expect(ecr.emulator.requestCounts()).toEqual({});
  });

  it('the exported handler uses the standard AWS environment, and a config only when one is named', async () => {
    const saved = { ...process.env };
    const workingDirectory = process.cwd();
    Object.assign(process.env, ecr.environment);
    delete process.env.JANITOR_CONFIG;
    // Where no ./janitor.yaml is, whatever the checkout holds (vitest runs tests in child processes).
    process.chdir(await mkdtemp(join(tmpdir(), 'janitor-function-')));
    try {
      ecr.emulator.resetRequestCounts();
      await expect(handler({ mode: 'apply' }, { getRemainingTimeInMillis: () => 60_000 })).rejects.toThrow(
        'set JANITOR_CONFIG=FILE',
      );
      expect(ecr.emulator.requestCounts()).toEqual({});
      process.env.JANITOR_CONFIG = 'builtin:seed';
      const summary = await handler(
        { repositories: ['specta'], mode: 'plan' },
        { getRemainingTimeInMillis: () => 60_000 },
      );
      expect(summary).toMatchObject({ mode: 'plan', success: true });
      expect(summary.handlers.map((each) => each.handler)).toEqual(['specta:sha', 'specta:v']);
    } finally {
      process.env = saved;
      process.chdir(workingDirectory);
    }
  });
});
