import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { defaultConfigFile } from '../../src/config/config.js';
import { type CliResult, runCli } from './cli.js';
import type { EmulatedEcr } from './emulator.js';

export interface DemoReport {
  readonly result: CliResult;
  readonly html: string;
  readonly markdown: string;
}

/**
 * Runs the built `janitor` on an emulated registry with the seed deployment's rules given as an
 * explicit config file, writing the HTML and Markdown reports into a fresh directory.
 */
export async function writeDemoReport(
  ecr: EmulatedEcr,
  mode: 'plan' | 'apply',
  extra: readonly string[] = [],
): Promise<DemoReport> {
  const directory = await mkdtemp(join(tmpdir(), 'janitor-report-'));
  const config = join(directory, 'janitor.yaml');
  await writeFile(config, stringify(defaultConfigFile));
  const html = join(directory, 'report.html');
  const markdown = join(directory, 'report.md');
  const result = await runCli(
    [mode, '--config', config, '--html', html, '--markdown', markdown, ...extra],
    ecr.environment,
  );
  return { result, html, markdown };
}
