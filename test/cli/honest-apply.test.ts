import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { type Distribution, skipWithoutDistribution, startDistribution } from '../support/distribution.js';
import { OciPusher } from '../support/oci-push.js';

/** `apply` says what the registry did, not what the plan hoped: here every delete is refused. */
describe.skipIf(skipWithoutDistribution)('apply against a registry that refuses every delete', () => {
  let registry: Distribution;
  let config: string;
  beforeAll(async () => {
    registry = await startDistribution({ deletes: false });
    const pusher = new OciPusher(registry.url);
    for (let index = 0; index < 4; index += 1) {
      await pusher.pushImage(
        'app',
        { seed: `app/${index}`, created: new Date(Date.UTC(2026, 0, index + 1)) },
        `v0.${index}.0`,
      );
    }
    config = join(await mkdtemp(join(tmpdir(), 'janitor-honest-')), 'janitor.yaml');
    await writeFile(
      config,
      `registry: {type: oci, url: "${registry.url}"}\nrules:\n  - {repositories: [app], tags: tag, keep: 2, drop: 5}\n`,
    );
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('reports nothing reclaimed and every failure with its cause, and exits 1', async () => {
    const table = await runCli(['apply', '--config', config]);
    expect(table.exitCode).toBe(1);
    expect(table.stdout).toMatch(/app:v\s+│\s+4 │\s+4 │\s+0 │\s+0 │\s+0 B │/);
    expect(table.stdout).toContain('0 digests deleted, 2 failed');
    expect(table.stdout).toContain('app:v — 0 of 2 planned deleted, 2 digests failed');
    expect(table.stdout).toContain('UNSUPPORTED');
    expect(table.stdout).toContain('on distribution set storage.delete.enabled: true');
    const json = await runCli(['apply', '--config', config, '--json']);
    const [handler] = JSON.parse(json.stdout).handlers;
    expect(handler.deleted).toEqual({ images: 0, digests: 0, bytes: 0 });
    expect(handler.execution.failed).toHaveLength(2);
  });
});
