import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultConfigFile, seedRepositories } from '../../src/config/config.js';
import { seedDemoFleet } from '../../src/emulator/fleet.js';
import { runCli } from '../support/cli.js';
import { type EmulatedEcr, inventoryOf, startEmulatedEcr } from '../support/emulator.js';

describe('janitor plan and apply with --html and --markdown', () => {
  let ecr: EmulatedEcr;
  let directory: string;
  let config: string;
  beforeEach(async () => {
    ecr = await startEmulatedEcr();
    seedDemoFleet(ecr.emulator.state);
    directory = await mkdtemp(join(tmpdir(), 'janitor-report-files-'));
    config = join(directory, 'janitor.yaml');
    await writeFile(config, stringify(defaultConfigFile));
  });
  afterEach(async () => {
    await ecr.emulator.stop();
  });

  it('refuses a report path whose directory does not exist, before asking the registry anything', async () => {
    const missing = join(directory, 'no-such-directory', 'plan.html');
    const result = await runCli(['plan', '--config', config, '--html', missing], ecr.environment);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      `cannot write the HTML report to ${missing}: the directory ${join(directory, 'no-such-directory')} does not exist\n`,
    );
    expect(result.stdout).toBe('');
    expect(ecr.emulator.requestCounts()).toEqual({});
  });

  it('refuses a directory as the Markdown file, and apply then deletes nothing', async () => {
    const before = inventoryOf(ecr);
    const result = await runCli(['apply', '--config', config, '--markdown', directory], ecr.environment);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`cannot write the Markdown report to ${directory}: it is a directory\n`);
    expect(ecr.emulator.requestCounts()).toEqual({});
    expect(inventoryOf(ecr)).toEqual(before);
  });

  it('apply --markdown FILE writes the job summary and still prints the table', async () => {
    const summary = join(directory, 'summary.md');
    const result = await runCli(['apply', '--config', config, '--markdown', summary], ecr.environment);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Cleanup of 10 handlers');
    const markdown = await readFile(summary, 'utf8');
    expect(markdown).toMatch(/^## registry-janitor apply: \d+ digests deleted, [\d.]+ \w+ reclaimed\n/);
    for (const repository of seedRepositories) {
      expect(markdown).toMatch(new RegExp(`^\\| ${repository}:sha \\|`, 'm'));
      expect(markdown).toMatch(new RegExp(`^\\| ${repository}:v \\|`, 'm'));
    }
    expect(markdown).toContain('v0.10.0 \\(sha256:');
  });

  it('plan --html FILE writes one page with no external reference, and the same plan as without it', async () => {
    const page = join(directory, 'plan.html');
    const plain = await runCli(['plan', '--config', config], ecr.environment);
    const result = await runCli(['plan', '--config', config, '--html', page], ecr.environment);
    expect(result.exitCode).toBe(0);
    // The table names the emulator's endpoint, which both runs share: the output is the same.
    expect(result.stdout).toBe(plain.stdout);
    const html = await readFile(page, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|\s(src|href)="(?!#)|@import|url\(/i);
  });
});
