import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../src/cleanup/integrity.js';
import { seedRepositories } from '../../src/config/config.js';
import { seedDemoFleet } from '../../src/emulator/fleet.js';
import { buildImageManifest, buildIndex } from '../../src/emulator/manifests.js';
import { runCli } from '../support/cli.js';
import { type EmulatedEcr, inventoryOf, startEmulatedEcr } from '../support/emulator.js';

const inventory = inventoryOf;

describe('janitor command line', () => {
  let ecr: EmulatedEcr;
  beforeEach(async () => {
    ecr = await startEmulatedEcr();
  });
  afterEach(async () => {
    await ecr.emulator.stop();
  });

  it('prints help for the program and each command', async () => {
    const help = await runCli(['--help']);
    expect(help.exitCode).toBe(0);
    for (const command of ['plan', 'apply', 'validate', 'demo']) expect(help.stdout).toContain(command);
    const planHelp = await runCli(['plan', '--help']);
    expect(planHelp.exitCode).toBe(0);
    expect(planHelp.stdout).toContain('--config');
  });

  it('rejects an unknown command and an unknown flag with a clear error', async () => {
    const command = await runCli(['purge']);
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toContain("unknown command 'purge'");
    const flag = await runCli(['plan', '--force']);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain("unknown option '--force'");
  });

  it('refuses a bad config before any API call, naming the file and field', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'janitor-cli-'));
    const path = join(directory, 'bad.yaml');
    await writeFile(
      path,
      'registry: {type: ecr}\nrules:\n  - {repositories: [kayron], tags: sha, keep: 0, drop: 5}\n',
    );
    seedDemoFleet(ecr.emulator.state);
    const before = inventory(ecr);
    const result = await runCli(['apply', '--config', path], ecr.environment);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toContain('rules[0].keep');
    expect(ecr.emulator.requestCounts()).toEqual({});
    expect(inventory(ecr)).toEqual(before);

    const validate = await runCli(['validate', '--config', path]);
    expect(validate.exitCode).toBe(2);
    expect(validate.stderr).toContain('rules[0].keep: must be at least 1');
  });

  it('plan with no config shows the seed deployment under a note, deletes nothing and exits 0', async () => {
    seedDemoFleet(ecr.emulator.state);
    const before = inventory(ecr);
    const result = await runCli(['plan'], ecr.environment);
    expect(result.stderr).toContain('note: no config given');
    expect(result.stderr).toContain('builtin:seed');
    expect(result.exitCode).toBe(0);
    expect(inventory(ecr)).toEqual(before);
    for (const repository of seedRepositories) {
      expect(result.stdout).toContain(`${repository}:sha`);
      expect(result.stdout).toContain(`${repository}:v`);
    }
    expect(result.stdout).toContain('nothing has been deleted');
  });

  it('apply, daemon and validate refuse to run on repositories nobody named, before any request', async () => {
    seedDemoFleet(ecr.emulator.state);
    const before = inventory(ecr);
    const workingDirectory = await mkdtemp(join(tmpdir(), 'janitor-no-config-'));
    for (const command of [['apply'], ['daemon', '--metrics-addr', '127.0.0.1:0'], ['validate']]) {
      const result = await runCli(command, ecr.environment, { cwd: workingDirectory });
      expect(result.exitCode, command[0]).toBe(2);
      expect(result.stderr).toContain('pass --config FILE, set JANITOR_CONFIG=FILE, or put janitor.yaml');
      expect(result.stderr).toContain('--config builtin:seed');
    }
    expect(ecr.emulator.requestCounts()).toEqual({});
    expect(inventory(ecr)).toEqual(before);
  });

  it('takes the config from JANITOR_CONFIG, then ./janitor.yaml, and the seed only by name', async () => {
    seedDemoFleet(ecr.emulator.state);
    const workingDirectory = await mkdtemp(join(tmpdir(), 'janitor-config-'));
    const onlyKayron =
      'registry: {type: ecr}\nrules:\n  - {repositories: [kayron], tags: tag, keep: 10, drop: 5}\n';
    await writeFile(join(workingDirectory, 'janitor.yaml'), onlyKayron);
    const handlersOf = (result: { stdout: string }) =>
      JSON.parse(result.stdout).handlers.map((handler: { handler: string }) => handler.handler);
    const local = await runCli(['plan', '--json'], ecr.environment, { cwd: workingDirectory });
    expect(handlersOf(local)).toEqual(['kayron:v']);
    const elsewhere = join(workingDirectory, 'elsewhere.yaml');
    await writeFile(elsewhere, onlyKayron.replace('kayron', 'alloy'));
    const fromEnvironment = await runCli(
      ['plan', '--json'],
      { ...ecr.environment, JANITOR_CONFIG: elsewhere },
      { cwd: workingDirectory },
    );
    expect(handlersOf(fromEnvironment)).toEqual(['alloy:v']);
    const seed = await runCli(['plan', '--json', '--config', 'builtin:seed'], ecr.environment, {
      cwd: workingDirectory,
    });
    expect(handlersOf(seed)).toHaveLength(10);
    expect(seed.stderr).toBe('');
  });

  it('apply --json deletes what plan --json announced, and leaves every index intact', async () => {
    const fleet = seedDemoFleet(ecr.emulator.state);
    const plan = JSON.parse((await runCli(['plan', '--json'], ecr.environment)).stdout);
    const announced = plan.handlers.flatMap(
      (handler: { repository: string; groups: { deleting: string[] }[] }) =>
        handler.groups.flatMap((group) => group.deleting.map((digest) => `${handler.repository}@${digest}`)),
    );
    const before = inventory(ecr);
    const result = await runCli(['apply', '--json', '--config', 'builtin:seed'], ecr.environment);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.success).toBe(true);
    const gone = before.filter((key) => !inventory(ecr).includes(key));
    expect(gone.sort()).toEqual([...new Set<string>(announced)].sort());
    // `sha` means commit hashes: the old `cache` image only starts like one, and stays.
    const caches = fleet.images.filter((image) => image.tags.includes('cache'));
    expect(caches).toHaveLength(seedRepositories.length);
    for (const image of caches) expect(inventory(ecr)).toContain(`${image.repository}@${image.digest}`);
    const alloySha = plan.handlers.find((handler: { handler: string }) => handler.handler === 'alloy:sha');
    expect(alloySha.images.find((image: { tags: string[] }) => image.tags.includes('cache'))).toMatchObject({
      fate: 'skip',
      reason: 'not-a-commit-hash',
    });
    for (const repository of seedRepositories) {
      expect((await checkIntegrity(ecr.driver, repository)).broken).toEqual([]);
    }
  });

  it('apply exits non-zero when a handler fails, and still runs the others', async () => {
    seedDemoFleet(ecr.emulator.state);
    const directory = await mkdtemp(join(tmpdir(), 'janitor-cli-'));
    const path = join(directory, 'ghost.yaml');
    await writeFile(
      path,
      'registry: {type: ecr}\nrules:\n  - {repositories: [ghost, alloy], tags: sha, keep: 10, drop: 5}\n',
    );
    const result = await runCli(['apply', '--config', path, '--log-level', 'silent'], ecr.environment);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/ghost:sha.*RepositoryNotFoundException/s);
    expect(result.stdout).toMatch(/alloy:sha.*25 digests deleted/s);
    expect(result.stdout).toContain('alloy:sha — 5 of 5 planned deleted');
  });

  it('plan --json gives each blocker a kind for scripts and a message for people', async () => {
    seedDemoFleet(ecr.emulator.state);
    const directory = await mkdtemp(join(tmpdir(), 'janitor-cli-'));
    const path = join(directory, 'breaker.yaml');
    await writeFile(
      path,
      'registry: {type: ecr}\nrules:\n  - {repositories: [kayron], tags: sha, keep: 10, drop: 5, maxDeleteShare: 0.1}\n',
    );
    const result = await runCli(
      ['plan', '--config', path, '--json', '--log-level', 'silent'],
      ecr.environment,
    );
    const [handler] = JSON.parse(result.stdout).handlers;
    expect(handler.blockers).toEqual([
      {
        kind: 'circuit-breaker',
        message: expect.stringMatching(/^circuit breaker: this run would delete 4 of/),
      },
    ]);
    expect(handler.groups).toEqual([]);
  });

  it('names the missing region instead of failing obscurely', async () => {
    const { AWS_REGION: _, ...withoutRegion } = ecr.environment;
    const result = await runCli(['plan'], withoutRegion);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('registry.region: no AWS region is set');
    expect(ecr.emulator.requestCounts()).toEqual({});
  });

  it('reads AWS_DEFAULT_REGION as the AWS CLI does', async () => {
    seedDemoFleet(ecr.emulator.state);
    const { AWS_REGION: _, ...withoutRegion } = ecr.environment;
    const result = await runCli(['plan'], { ...withoutRegion, AWS_DEFAULT_REGION: 'eu-west-1' });
    expect(result.exitCode).toBe(0);
  });

  it('check reports orphans and exits 0 on a healthy registry, and exits 1 on a broken index or a dangling referrer', async () => {
    seedDemoFleet(ecr.emulator.state);
    const healthy = await runCli(['check', '--json'], ecr.environment);
    expect(healthy.exitCode).toBe(0);
    const report = JSON.parse(healthy.stdout);
    expect(report.healthy).toBe(true);
    // The demo fleet has one untagged orphan per repository.
    expect(report.repositories.map((repository: { orphans: string[] }) => repository.orphans.length)).toEqual(
      [1, 1, 1, 1, 1],
    );

    const missing = buildImageManifest({ seed: 'check/never-pushed' });
    const broken = buildIndex([missing]);
    ecr.emulator.state.putImage('kayron', {
      manifest: broken.text,
      mediaType: broken.mediaType,
      tag: 'broken',
    });
    const dangling = buildImageManifest({ seed: 'check/signature', subject: missing });
    ecr.emulator.state.putImage('alloy', { manifest: dangling.text, mediaType: dangling.mediaType });
    const result = await runCli(['check'], ecr.environment);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/kayron: index sha256:\w{12} \(broken\) misses sha256:\w{12}/);
    expect(result.stdout).toMatch(/alloy: sha256:\w{12} refers to sha256:\w{12}, which is gone/);
    expect(inventory(ecr)).toContain(`kayron@${broken.digest}`);
  });

  it('demo runs the whole job on its embedded default and checks the result', async () => {
    const result = await runCli(['demo']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('✔ every one of the');
    // The old kayron release an ECS service runs, and the old alloy build a Lambda alias runs.
    expect(result.stdout).toMatch(
      /kept v0\.0\.0 \(sha256:\w{12}\): in use by ecs service prod\/kayron \(task definition kayron:1\)/,
    );
    expect(result.stdout).toMatch(/kept [0-9a-f]{12} \(sha256:\w{12}\): in use by lambda alloy-worker:live/);
    expect(result.stdout).toContain('kept because they are in use');
  });
});
