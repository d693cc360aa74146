import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { palette } from '../../src/cli/format.js';
import { buildImageManifest } from '../../src/emulator/manifests.js';
import { OciDriver } from '../../src/registry/oci/driver.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/distribution.js';
import { type EmulatedEcr, startEmulatedEcr } from '../support/emulator.js';
import { startSilentServer } from '../support/silent-server.js';

/** What a person sees when things go wrong: deadlines, causes in words, honest exit codes. */
describe('operator experience', () => {
  let ecr: EmulatedEcr;
  let directory: string;
  beforeAll(async () => {
    ecr = await startEmulatedEcr();
    directory = await mkdtemp(join(tmpdir(), 'janitor-operator-'));
  });
  afterAll(async () => {
    await ecr?.emulator.stop();
  });
  afterEach(() => {
    ecr.emulator.resetRequestCounts();
  });

  async function config(name: string, text: string): Promise<string> {
    const path = join(directory, name);
    await writeFile(path, text);
    return path;
  }

  it('gives every request a timeout and a run a deadline, naming the operation and the endpoint', async () => {
    const silent = await startSilentServer();
    try {
      const path = await config(
        'hung.yaml',
        'registry: {type: ecr, requestTimeout: 1s}\nrules:\n  - {repositories: [alloy], tags: sha, keep: 10, drop: 5}\n',
      );
      const result = await runCli(['plan', '--config', path, '--timeout', '3s', '--json'], {
        ...ecr.environment,
        AWS_ENDPOINT_URL_ECR: silent.url,
      });
      expect(result.exitCode).toBe(1);
      const [handler] = JSON.parse(result.stdout).handlers;
      expect(handler.error).toContain('janitor plan did not finish within 3s (--timeout)');
      expect(handler.error).toContain(`DescribeImages on repository "alloy" at ${silent.url}`);
      expect(result.stderr).toContain('ECR DescribeImages: no answer within 1 s; retrying');
      // Traces are for --log-level debug.
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr).not.toContain('"stack"');
    } finally {
      await silent.stop();
    }
  }, 20_000);

  it('says why an OCI registry cannot be reached, instead of "fetch failed"', async () => {
    const once = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };
    const refused = new OciDriver({ url: `http://127.0.0.1:${await freePort()}`, ...once });
    await expect(refused.listImages('app')).rejects.toThrow(
      /nothing accepts connections at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    const unknown = new OciDriver({ url: 'https://no-such-registry.invalid', ...once });
    await expect(unknown.listImages('app')).rejects.toThrow(
      /the host name no-such-registry\.invalid does not resolve/,
    );
    const plain = createServer((_, response) => response.end('{}'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const { port } = plain.address() as { port: number };
    try {
      const tls = new OciDriver({ url: `https://127.0.0.1:${port}`, ...once });
      await expect(tls.listImages('app')).rejects.toThrow(
        /does not speak TLS: is it a plain-HTTP registry\?/,
      );
    } finally {
      plain.close();
    }
    const silent = await startSilentServer();
    try {
      const hung = new OciDriver({ url: silent.url, requestTimeoutMs: 300, ...once });
      await expect(hung.listImages('app')).rejects.toThrow(
        /GET .*\/v2\/app\/tags\/list: no answer from 127\.0\.0\.1:\d+ within 0\.3 s/,
      );
    } finally {
      await silent.stop();
    }
  });

  it('check tells "could not read" (exit 3) from "found broken" (exit 1)', async () => {
    const path = await config(
      'check.yaml',
      `registry: {type: oci, url: "http://127.0.0.1:${await freePort()}", requestTimeout: 2s}\nrules:\n  - {repositories: [app], tags: tag, keep: 1, drop: 1}\n`,
    );
    const result = await runCli(['check', '--config', path, '--timeout', '20s']);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toContain('could not read it');
    expect(result.stdout).toContain('ECONNREFUSED');
    expect(result.stdout).not.toContain('something is broken');
    const json = await runCli(['check', '--config', path, '--json', '--timeout', '20s']);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'unknown', healthy: false });
  }, 60_000);

  it('treats a pattern that matches no repository as nothing to do: a warning and exit 0', async () => {
    ecr.emulator.state.createRepository('web');
    const path = await config(
      'teams.yaml',
      'registry: {type: ecr}\nrules:\n  - {repositories: ["team-*/*"], tags: tag, keep: 10, drop: 5}\n',
    );
    const result = await runCli(['apply', '--config', path, '--json'], ecr.environment);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('rules[0] (v: team-*/*) matches no repository');
    expect(JSON.parse(result.stdout)).toMatchObject({ success: true, handlers: [] });
  });

  it('finds missing AWS credentials once, up front, with the credential chain’s words (exit 2)', async () => {
    const { AWS_ACCESS_KEY_ID: _, AWS_SECRET_ACCESS_KEY: __, ...withoutCredentials } = ecr.environment;
    const result = await runCli(['plan', '--config', 'builtin:seed', '--json'], {
      ...withoutCredentials,
      HOME: directory,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no AWS credentials could be found');
    expect(JSON.parse(result.stdout)).toMatchObject({ success: false, error: { kind: 'input' } });
    expect(ecr.emulator.requestCounts()).toEqual({});
  });

  it('prints a JSON error document on stdout when --json fails before any plan', async () => {
    const path = await config(
      'bad.yaml',
      'registry: {type: ecr}\nrules:\n  - {repositories: [a], tags: sha, keep: 0, drop: 5}\n',
    );
    const result = await runCli(['plan', '--config', path, '--json'], ecr.environment);
    expect(result.exitCode).toBe(2);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ mode: 'plan', success: false, error: { kind: 'input' } });
    expect(document.error.message).toContain('rules[0].keep');
  });

  it('says in each command’s help where its logs go', async () => {
    expect((await runCli(['daemon', '--help'])).stdout).toContain('structured logs on stdout');
    expect((await runCli(['plan', '--help'])).stdout).toContain('structured logs on stderr');
    const check = (await runCli(['check', '--help'])).stdout;
    for (const flag of ['--log-level', '--repository', '--timeout']) expect(check).toContain(flag);
  });
});

describe('polish a person notices', () => {
  it('counts in words: 1 rule, 2 rules', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'janitor-words-'));
    const path = join(directory, 'one.yaml');
    await writeFile(
      path,
      'registry: {type: ecr}\nrules:\n  - {repositories: [a], tags: tag, keep: 1, drop: 1}\n',
    );
    expect((await runCli(['validate', '--config', path])).stdout).toContain('is valid: 1 rule (');
    expect((await runCli(['validate', '--config', 'builtin:seed'])).stdout).toContain('is valid: 2 rules (');
  });

  it('honours NO_COLOR on a terminal, and FORCE_COLOR on a pipe', () => {
    expect(palette(true, { NO_COLOR: '1' }).red('x')).toBe('x');
    expect(palette(true, { NO_COLOR: '' }).red('x')).not.toBe('x');
    expect(palette(false, { FORCE_COLOR: '1' }).red('x')).not.toBe('x');
    expect(palette(false, {}).red('x')).toBe('x');
  });

  it('refuses a bad --listen with exit 2, as the daemon refuses a bad --metrics-addr', async () => {
    const result = await runCli(['emulator', '--listen', 'nowhere']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--listen must be HOST:PORT');
  });

  it('shows an orphan rule’s push times and reasons, and gives orphans no tag in JSON', async () => {
    const ecr = await startEmulatedEcr();
    try {
      const orphan = buildImageManifest({ seed: 'polish/orphan' });
      ecr.emulator.state.putImage('web', {
        manifest: orphan.text,
        mediaType: orphan.mediaType,
        pushedAt: new Date(Date.UTC(2026, 0, 1, 12)),
      });
      const directory = await mkdtemp(join(tmpdir(), 'janitor-orphans-'));
      const path = join(directory, 'orphans.yaml');
      await writeFile(
        path,
        'registry: {type: ecr}\nrules:\n  - {repositories: [web], untagged: {olderThan: 1d}, maxDeleteShare: off}\n',
      );
      const table = await runCli(['plan', '--config', path], ecr.environment);
      expect(table.stdout).toContain('2026-01-01 12:00');
      expect(table.stdout).toContain('an orphan: untagged, no tagged image reaches it, pushed over 1d ago');
      expect(table.stdout).toContain('pushed (UTC)');
      const json = JSON.parse((await runCli(['plan', '--config', path, '--json'], ecr.environment)).stdout);
      expect(json.handlers[0].groups[0]).toMatchObject({
        tag: null,
        digest: orphan.digest,
        pushedAt: '2026-01-01T12:00:00.000Z',
      });
    } finally {
      await ecr.emulator.stop();
    }
  });
});
