import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startEmulatedEcr } from '../support/emulator.js';

async function configFile(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'janitor-validate-')), 'janitor.yaml');
  await writeFile(path, text);
  return path;
}

/** Issue #12, items 13 to 15, as a person sees them on the terminal. */
describe('janitor validate on a config a person got wrong', () => {
  it('a rule snippet of the README pasted alone: says where rules go and shows a whole config', async () => {
    const path = await configFile(
      '- repositories: ["team-*/*"]\n  excludeRepositories: ["team-legacy/*"]\n  tags: tag\n  keep: 20\n  drop: 10\n',
    );
    const result = await runCli(['validate', '--config', path]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        `cannot run with ${path}:`,
        '  - the file is a list: rules go under `rules:`, and a config needs a `registry:` section beside them, e.g.',
        '      registry:',
        '        type: ecr',
        '        region: us-west-2',
        '      rules:',
        '        - repositories: [kayron]',
        '          tags: sha',
        '          keep: 10',
        '          drop: 5',
        '',
      ].join('\n'),
    );
  });

  it('several problems: every one at once, in the order of the file, each with its line', async () => {
    const path = await configFile(
      [
        'registry:',
        '  type: oci',
        '  url: https://registry.example.com',
        '  region: us-west-2',
        'schedule:',
        '  evry: 1h',
        'rules:',
        '  - repositories: [web, a//b]',
        '    tags: sha',
        '    kep: 10',
        '    drop: 5',
        '  - repositories: [web]',
        '    tags: sha',
        '    keep: 2.5',
        '    drop: 1',
        '    keepPulledWithin: 30d',
        '',
      ].join('\n'),
    );
    const result = await runCli(['validate', '--config', path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      [
        `cannot run with ${path}:`,
        '  - line 4, registry.region: unknown key here: `region` belongs under `registry:` with `type: ecr`',
        '  - line 6, schedule.evry: unknown key: did you mean `every`?',
        '  - line 8, rules[0].keep: is required',
        '  - line 8, rules[0].repositories[1]: `a//b`: two slashes in a row',
        '  - line 10, rules[0].kep: unknown key: did you mean `keep`?',
        '  - line 12, rules[1]: handler web:sha is also defined by rules[0]; give one of the rules a distinct `name`',
        '  - line 14, rules[1].keep: must be a whole number, not 2.5',
        '  - line 16, rules[1].keepPulledWithin: OCI registries do not record when an image was last pulled; this works on ECR only',
        '',
      ].join('\n'),
    );
  });

  it('a repository name the registry refuses stops plan before any request, not later as "not found"', async () => {
    const ecr = await startEmulatedEcr();
    try {
      const path = await configFile(
        'registry: {type: ecr}\nrules:\n  - {repositories: [kayron, -bad], tags: sha, keep: 10, drop: 5}\n',
      );
      const result = await runCli(['plan', '--config', path], ecr.environment);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(
        '  - line 3, rules[0].repositories[1]: `-bad`: starts with `-`: a name starts with a lower-case letter or a digit\n',
      );
      expect(ecr.emulator.requestCounts()).toEqual({});
    } finally {
      await ecr.emulator.stop();
    }
  });
});
