import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildImageManifest } from '../../src/emulator/manifests.js';
import { runCli } from '../support/cli.js';
import { type EmulatedEcr, startEmulatedEcr } from '../support/emulator.js';

/** Every retention feature at once: patterns, exclusions, matchers, keep conditions, precedence, orphans. */
const config = `
registry: { type: ecr }
rules:
  - repositories: ["team-*/*"]
    excludeRepositories: ["team-legacy/*", "team-a/web"]
    name: all
    tags: { globs: ["v*"] }
    keep: 2
    drop: 10
  - repositories: ["team-a/api"]
    name: majors
    tags: { regex: '^v\\d+\\.0\\.0$' }
    keep: 3
    drop: 10
  - repositories: ["team-a/web"]
    name: nightly
    tags: { globs: ["nightly-*"], exclude: ["*-rc"] }
    keep: 2
    drop: 10
    keepYoungerThan: 9d
    keepPulledWithin: 30d
    protect: ["nightly-3"]
    maxDeleteShare: 0.9
  - repositories: [tools]
    untagged: { olderThan: 1d }
`;

const day = 86_400_000;

describe('retention policies end to end (CLI against the emulator)', () => {
  let ecr: EmulatedEcr;
  let directory: string;
  const digests = new Map<string, string>();

  beforeEach(async () => {
    ecr = await startEmulatedEcr();
    directory = await mkdtemp(join(tmpdir(), 'janitor-policies-'));
    await writeFile(join(directory, 'janitor.yaml'), config);
    const now = Date.now();
    const push = (repository: string, tag: string | undefined, ageDays: number, pulledDaysAgo?: number) => {
      const manifest = buildImageManifest({ seed: `${repository}/${tag ?? `untagged-${ageDays}`}` });
      ecr.emulator.state.putImage(repository, {
        manifest: manifest.text,
        mediaType: manifest.mediaType,
        ...(tag && { tag }),
        pushedAt: new Date(now - ageDays * day),
        ...(pulledDaysAgo !== undefined && { lastPulledAt: new Date(now - pulledDaysAgo * day) }),
      });
      digests.set(`${repository}:${tag ?? `untagged-${ageDays}`}`, manifest.digest);
    };
    for (const [index, tag] of ['v1.0.0', 'v1.1.0', 'v2.0.0', 'v2.1.0', 'v3.0.0', 'v3.1.0'].entries()) {
      push('team-a/api', tag, 60 - index);
    }
    for (let index = 1; index <= 8; index += 1)
      push('team-a/web', `nightly-${index}`, 20 - 2 * index, index === 1 ? 2 : undefined);
    push('team-a/web', 'nightly-9-rc', 30);
    for (let index = 1; index <= 5; index += 1) push('team-legacy/old', `v${index}`, 100 - index);
    push('tools', 'v1', 50);
    push('tools', undefined, 40);
    push('tools', undefined, 0.1);
  });
  afterEach(async () => {
    await ecr.emulator.stop();
  });

  const present = () =>
    new Set(
      ecr.emulator.state
        .repositories()
        .flatMap((repository) =>
          ecr.emulator.state.listImages(repository).map((image) => `${repository}@${image.digest}`),
        ),
    );
  const key = (name: string) => {
    const [repository] = name.split(':');
    return `${repository}@${digests.get(name)}`;
  };

  it('plans every image with its reason, and applies exactly that, with an audit line per deleted digest', async () => {
    const plan = await runCli(
      ['plan', '--config', join(directory, 'janitor.yaml'), '--json'],
      ecr.environment,
    );
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
    const report = JSON.parse(plan.stdout);
    expect(report.handlers.map((handler: { handler: string }) => handler.handler)).toEqual([
      'team-a/api:all',
      'team-a/api:majors',
      'team-a/web:nightly',
      'tools:untagged',
    ]);
    const fates = (handler: string) =>
      Object.fromEntries(
        report.handlers
          .find((each: { handler: string }) => each.handler === handler)
          .images.map((image: { tags: string[]; fate: string; reason: string }) => [
            image.tags[0],
            `${image.fate}:${image.reason}`,
          ]),
      );
    expect(fates('team-a/api:all')).toEqual({
      'v1.0.0': 'keep:kept-by-another-rule',
      'v1.1.0': 'delete:older-than-newest',
      'v2.0.0': 'keep:kept-by-another-rule',
      'v2.1.0': 'delete:older-than-newest',
      'v3.0.0': 'keep:newest',
      'v3.1.0': 'keep:newest',
    });
    expect(fates('team-a/web:nightly')).toEqual({
      'nightly-1': 'keep:pulled',
      'nightly-2': 'delete:older-than-newest',
      'nightly-3': 'keep:protected',
      'nightly-4': 'delete:older-than-newest',
      'nightly-5': 'delete:older-than-newest',
      'nightly-6': 'keep:young',
      'nightly-7': 'keep:newest',
      'nightly-8': 'keep:newest',
      'nightly-9-rc': 'skip:prefix-mismatch',
    });
    const explanation = report.handlers[0].images.find(
      (image: { tags: string[] }) => image.tags[0] === 'v1.0.0',
    ).explanation;
    expect(explanation).toBe('kept by team-a/api:majors: one of the newest 3 of team-a/api:majors (#3)');

    const before = present();
    const auditLog = join(directory, 'audit.jsonl');
    const apply = await runCli(
      ['apply', '--config', join(directory, 'janitor.yaml'), '--audit-log', auditLog],
      ecr.environment,
    );
    expect(apply.exitCode, apply.stdout).toBe(0);
    const gone = [...before].filter((entry) => !present().has(entry)).sort();
    const expected = [
      'team-a/api:v1.1.0',
      'team-a/api:v2.1.0',
      'team-a/web:nightly-2',
      'team-a/web:nightly-4',
      'team-a/web:nightly-5',
      'tools:untagged-40',
    ].map(key);
    expect(gone).toEqual(expected.sort());
    const lines = (await readFile(auditLog, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => `${line.repository}@${line.digest}`).sort()).toEqual(expected.sort());
    const nightly = lines.find((line) => line.tags[0] === 'nightly-2');
    expect(nightly).toMatchObject({
      rule: 'team-a/web:nightly',
      reason: 'older than the newest 2 of team-a/web:nightly',
    });
    // The registry as a URL (here the emulator's endpoint; on AWS https://api.ecr.REGION.amazonaws.com).
    expect(nightly.registry).toBe(ecr.emulator.endpoint);
    expect(Date.parse(nightly.time)).not.toBeNaN();
    expect(nightly.bytes).toBeGreaterThan(0);
  });

  it('narrows a one-off run with --repository and --rule', async () => {
    const result = await runCli(
      [
        'plan',
        '--config',
        join(directory, 'janitor.yaml'),
        '--json',
        '--repository',
        'team-*/*',
        '--rule',
        'nightly',
      ],
      ecr.environment,
    );
    expect(JSON.parse(result.stdout).handlers.map((handler: { handler: string }) => handler.handler)).toEqual(
      ['team-a/web:nightly'],
    );
    ecr.emulator.resetRequestCounts();
    const none = await runCli(
      ['plan', '--config', join(directory, 'janitor.yaml'), '--rule', 'nope'],
      ecr.environment,
    );
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/--rule nope: the config has no such rule; its rules are .*nightly/);
    expect(ecr.emulator.requestCounts()).toEqual({});
    const elsewhere = await runCli(
      ['plan', '--config', join(directory, 'janitor.yaml'), '--repository', 'team-z/*', '--json'],
      ecr.environment,
    );
    expect(elsewhere.exitCode).toBe(2);
    expect(elsewhere.stderr).toContain('--repository team-z/* matches none of the');
    expect(JSON.parse(elsewhere.stdout)).toMatchObject({ success: false, error: { kind: 'input' } });
  });
});
