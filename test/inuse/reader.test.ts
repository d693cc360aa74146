import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InUseReader } from '../../src/inuse/reader.js';
import { referencesCommand, referencesFile } from '../../src/inuse/references.js';
import type { ImageUseText, InUseSource } from '../../src/inuse/snapshot.js';

/** A source that counts its reads and answers what it is told to. */
function countingSource(name: string, answer: () => Promise<ImageUseText[]>) {
  const source = {
    name,
    reads: 0,
    read: async () => {
      source.reads += 1;
      return answer();
    },
  };
  return source;
}

describe('reading the sources: once per pass, at most once per refresh, failing closed', () => {
  it('shares one read between handlers asking at once, and reads again only after `refresh`', async () => {
    let now = 0;
    const source = countingSource('ecs us-east-1', async () => [{ image: 'nginx', usedBy: 'x' }]);
    const reader = new InUseReader([source], {
      refreshMs: 300_000,
      timeoutMs: 1_000,
      now: () => new Date(now),
    });
    const snapshots = await Promise.all(Array.from({ length: 10 }, () => reader.current()));
    expect(source.reads).toBe(1);
    expect(new Set(snapshots).size).toBe(1);
    now = 299_999;
    await reader.current();
    expect(source.reads).toBe(1);
    now = 300_000;
    await reader.current();
    expect(source.reads).toBe(2);
    // A pass of its own reads once, whatever the refresh.
    const pass = reader.forOnePass();
    await Promise.all([pass.current(), pass.current()]);
    expect(source.reads).toBe(3);
  });

  it('records each failing source with its error, reads the others, and does not keep a failed read', async () => {
    let failing = true;
    const flaky = countingSource('lambda eu-west-1', async () => {
      if (failing) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      return [];
    });
    const fine = countingSource('ecs us-east-1', async () => [
      { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1', usedBy: 'ecs service prod/api' },
      { image: 'Not A Reference', usedBy: 'ecs service prod/odd' },
    ]);
    const reader = new InUseReader([fine, flaky], { refreshMs: 300_000, timeoutMs: 1_000 });
    const snapshot = await reader.current();
    expect(snapshot.failures).toEqual([
      { source: 'lambda eu-west-1', error: 'TooManyRequestsException: Rate exceeded' },
    ]);
    expect(snapshot.uses.map((use) => use.reference.repository)).toEqual(['api']);
    expect(snapshot.malformed.map((each) => each.image)).toEqual(['Not A Reference']);
    failing = false;
    expect((await reader.current()).failures).toEqual([]);
    expect(flaky.reads).toBe(2);
  });

  it('fails a source that runs past the timeout', async () => {
    const stuck: InUseSource = {
      name: 'kubernetes context prod',
      read: (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
        ),
    };
    const snapshot = await new InUseReader([stuck], { refreshMs: 0, timeoutMs: 20 }).current();
    expect(snapshot.failures[0]?.error).toBe('did not finish within 20ms (inUse.timeout)');
  });
});

describe('reference lists: files and commands', () => {
  it('reads a file one reference a line, skipping comments; a missing file or a bad line fails', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'janitor-lists-'));
    const path = join(directory, 'images.txt');
    await writeFile(path, '# App Runner\n\nghcr.io/org/app:v1  # the web\nnginx\n');
    expect(await referencesFile(path).read(AbortSignal.timeout(1_000))).toEqual([
      { image: 'ghcr.io/org/app:v1', usedBy: `list ${path} (line 3)` },
      { image: 'nginx', usedBy: `list ${path} (line 4)` },
    ]);
    await expect(
      referencesFile(join(directory, 'gone.txt')).read(AbortSignal.timeout(1_000)),
    ).rejects.toThrow(/ENOENT/);
    await writeFile(path, 'ghcr.io/org/app:v1\nghcr.io/org/App:v1\n');
    await expect(referencesFile(path).read(AbortSignal.timeout(1_000))).rejects.toThrow(
      /line 2: "ghcr.io\/org\/App:v1" has a malformed repository/,
    );
  });

  it('runs a command, through the shell or as a program with arguments; failing, killed or late, it fails', async () => {
    expect(
      await referencesCommand('printf "nginx\\nredis:7\\n" | sort -r').read(AbortSignal.timeout(5_000)),
    ).toEqual([
      { image: 'redis:7', usedBy: 'command `printf "nginx\\nredis:7\\n" | sort -r` (line 1)' },
      { image: 'nginx', usedBy: 'command `printf "nginx\\nredis:7\\n" | sort -r` (line 2)' },
    ]);
    expect(
      await referencesCommand(['/bin/echo', 'quay.io/a/b:c']).read(AbortSignal.timeout(5_000)),
    ).toHaveLength(1);
    await expect(referencesCommand('echo oops >&2; exit 4').read(AbortSignal.timeout(5_000))).rejects.toThrow(
      /exited with status 4: oops/,
    );
    await expect(referencesCommand(['/no/such/program']).read(AbortSignal.timeout(5_000))).rejects.toThrow(
      /ENOENT/,
    );
    await expect(referencesCommand('sleep 5').read(AbortSignal.timeout(50))).rejects.toThrow(
      /ran past the in-use timeout/,
    );
  });
});
