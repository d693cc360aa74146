import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedDemoFleet } from '../../src/emulator/fleet.js';
import { EcrEmulator } from '../../src/emulator/server.js';
import { type RunningCli, startCli } from '../support/cli.js';
import { freePort } from '../support/distribution.js';

/** The daemon under the supervisors people really use, and registries that are not always there. */
describe('janitor daemon, supervised', () => {
  let daemon: RunningCli | undefined;
  let emulator: EcrEmulator | undefined;
  afterEach(async () => {
    daemon?.child.kill('SIGKILL');
    await emulator?.stop();
    emulator = undefined;
  });

  async function configFile(text: string): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), 'janitor-supervised-')), 'daemon.yaml');
    await writeFile(path, text);
    return path;
  }

  const environmentAt = (endpoint: string) => ({
    AWS_ENDPOINT_URL_ECR: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });

  it('keeps going when the registry cannot be listed at start-up, and picks its repositories up later', async () => {
    const port = await freePort();
    const path = await configFile(
      'registry: {type: ecr, requestTimeout: 1s}\nschedule: {every: 2s}\nrules:\n  - {repositories: ["**"], tags: tag, keep: 10, drop: 5}\n',
    );
    daemon = startCli(['daemon', '--config', path, '--metrics-addr', '127.0.0.1:0'], {
      ...environmentAt(`http://127.0.0.1:${port}`),
      // The standard AWS setting, so that the refused listing gives up after one retry here.
      AWS_MAX_ATTEMPTS: '2',
    });
    // Both lines come together: wait for them at once.
    const [, startedLine] = await Promise.all([
      daemon.waitForLine(/cannot list the registry's repositories; running the named ones/, 45_000),
      daemon.waitForLine(/"msg":"daemon started"/, 45_000),
    ]);
    const started = JSON.parse(startedLine);
    emulator = await EcrEmulator.start({ port });
    seedDemoFleet(emulator.state);
    await daemon.waitForLine(/the registry can be listed again/, 30_000);
    const metrics = await (await fetch(started.metrics)).text();
    expect(metrics).toContain('handler="kayron:v"');
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  }, 60_000);

  it('stops when the npx that started it is stopped, as npm does not pass SIGTERM on', async () => {
    emulator = await EcrEmulator.start();
    seedDemoFleet(emulator.state);
    const path = await configFile(
      'registry: {type: ecr}\nschedule: {every: 1h}\nrules:\n  - {repositories: [kayron], tags: tag, keep: 10, drop: 5}\n',
    );
    daemon = startCli(
      ['daemon', '--config', path, '--metrics-addr', '127.0.0.1:0'],
      environmentAt(emulator.endpoint),
      {
        throughNpx: true,
      },
    );
    const started = JSON.parse(await daemon.waitForLine(/"msg":"daemon started"/, 30_000));
    daemon.child.kill('SIGTERM');
    // The daemon itself — not npx — is the process that logs; it must be gone soon after.
    const pid = started.pid as number;
    await daemon.waitForLine(/"msg":"daemon stopped"/, 15_000);
    await expect.poll(() => isRunning(pid), { timeout: 10_000, interval: 200 }).toBe(false);
    expect(daemon.output()).toContain(
      'started through npm (npx or npm exec), which does not pass SIGTERM on',
    );
    expect(daemon.output()).toContain('the npm process that started it exited');
  }, 60_000);
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
