import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { HandlerReport } from '../cleanup/handler.js';
import { type ReportContext, renderHtmlReport } from '../report/html.js';
import { renderMarkdownReport } from '../report/markdown.js';

/** `--html FILE` and `--markdown FILE`: where `plan` and `apply` also write their report. */
export interface ReportFiles {
  readonly html?: string;
  readonly markdown?: string;
}

const kinds = [
  ['html', 'HTML report'],
  ['markdown', 'Markdown report'],
] as const;

/**
 * Why a report file could not be written, found before the registry is asked anything: a typo in
 * a path must not cost a whole pass — nor, for `apply`, leave deletions without their report.
 */
export async function reportFileProblems(files: ReportFiles): Promise<string[]> {
  const problems: string[] = [];
  for (const [kind, name] of kinds) {
    const path = files[kind];
    if (path === undefined) continue;
    const problem = await whyNotWritable(path);
    if (problem) problems.push(`cannot write the ${name} to ${path}: ${problem}`);
  }
  return problems;
}

async function whyNotWritable(path: string): Promise<string | undefined> {
  const directory = dirname(resolve(path));
  const parent = await stat(directory).catch(() => undefined);
  if (parent === undefined) return `the directory ${directory} does not exist`;
  if (!parent.isDirectory()) return `${directory} is not a directory`;
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) return 'it is a directory';
  const target = existing ? path : directory;
  const writable = await access(target, constants.W_OK).then(
    () => true,
    () => false,
  );
  return writable ? undefined : `${target} is not writable`;
}

/** Writes each report asked for; resolves to the problems met, each naming its file. */
export async function writeReportFiles(
  files: ReportFiles,
  reports: readonly HandlerReport[],
  context: ReportContext,
): Promise<string[]> {
  const problems: string[] = [];
  for (const [kind, name] of kinds) {
    const path = files[kind];
    if (path === undefined) continue;
    const text =
      kind === 'html' ? renderHtmlReport(reports, context) : renderMarkdownReport(reports, context);
    try {
      await writeFile(path, text);
    } catch (error) {
      problems.push(`cannot write the ${name} to ${path}: ${(error as Error).message}`);
    }
  }
  return problems;
}
