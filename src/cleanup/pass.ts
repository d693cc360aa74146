import { type HandlerSpec, notableSkipReasons } from '../core/types.js';
import { mapWithConcurrency, type RegistryDriver } from '../registry/driver.js';
import { type HandlerReport, type HandlerRun, runHandler } from './handler.js';

/**
 * One pass over every handler, as `plan` and `apply` do. Repositories run in parallel; the handlers
 * of one repository run one after another, so one handler's deletions never race another's
 * listing of the same repository within a pass.
 */
export interface PassOptions {
  /** Repositories worked on at the same time. */
  readonly repositoryConcurrency?: number;
  /** Called each time a repository's handlers are all done, for a progress display. */
  readonly onProgress?: (repositoriesDone: number, repositories: number) => void;
  /**
   * Keep, of each plan, only the decisions a table shows (deletions, images kept because they are
   * in use, and images passed over for a reason worth a look) instead of every image's: a fleet of
   * a million images is then not held in memory until the end of the pass.
   */
  readonly compact?: boolean;
}

export async function runPass(
  driver: RegistryDriver,
  handlers: readonly HandlerSpec[],
  run: HandlerRun,
  options: PassOptions = {},
): Promise<HandlerReport[]> {
  const byRepository = new Map<string, HandlerSpec[]>();
  for (const handler of handlers) {
    const list = byRepository.get(handler.repository) ?? [];
    list.push(handler);
    byRepository.set(handler.repository, list);
  }
  let done = 0;
  const reports = await mapWithConcurrency(
    [...byRepository.values()],
    options.repositoryConcurrency ?? 4,
    async (specs) => {
      const results: HandlerReport[] = [];
      for (const spec of specs) {
        // A stop asked for before a handler starts: it does not start at all.
        if (run.signal?.aborted) {
          results.push({
            handler: spec.name,
            repository: spec.repository,
            mode: run.mode,
            error: `not started: ${(run.signal.reason as Error | undefined)?.message ?? 'the run was stopped'}`,
            success: false,
            durationMs: 0,
          });
        } else {
          const report = await runHandler(driver, spec, run);
          results.push(options.compact ? compactReport(report) : report);
        }
      }
      done += 1;
      options.onProgress?.(done, byRepository.size);
      return results;
    },
  );
  // Report in the configured order, whatever order the repositories finished in.
  const byName = new Map(reports.flat().map((report) => [report.handler, report]));
  return handlers.map((handler) => byName.get(handler.name) as HandlerReport);
}

function compactReport(report: HandlerReport): HandlerReport {
  if (report.plan === undefined) return report;
  const decisions = report.plan.decisions.filter(
    (decision) =>
      decision.fate === 'delete' ||
      (decision.fate === 'keep' && decision.reason === 'in-use') ||
      (decision.fate === 'skip' && notableSkipReasons.has(decision.reason)),
  );
  return { ...report, plan: { ...report.plan, decisions } };
}
