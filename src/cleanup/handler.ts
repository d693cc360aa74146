import type { Logger } from 'pino';
import type { Retagged } from '../core/retag.js';
import type { HandlerSpec, Plan } from '../core/types.js';
import type { RegistryDriver } from '../registry/driver.js';
import type { AuditSink } from './audit.js';
import type { ExecutionReport } from './execute.js';
import type { InUseProvider } from './in-use.js';
import type { CleanupEvent } from './progress.js';
import { runRepository } from './repository.js';

/** How a run goes: plan or apply, where it logs, how it stops, who listens (see repository.ts). */
export interface HandlerRun {
  readonly mode: 'plan' | 'apply';
  readonly logger: Logger;
  /** A graceful stop: finish the delete batch in flight, send no other. */
  readonly signal?: AbortSignal;
  /** A hard stop: abort registry calls in flight (the run timed out). */
  readonly abortSignal?: AbortSignal;
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /**
   * The audit log: one entry per digest the registry confirms deleted, and (apply) one per image
   * the rule would have deleted but that is in use.
   */
  readonly audit?: AuditSink;
  /**
   * Which passed-over images plans record: `every` (the default; `--json` and reports show each
   * image's fate) or only those worth a look (`notable`: tables, and what a daemon logs).
   */
  readonly skips?: 'every' | 'notable';
  /** What is in use; without it nothing is known to be in use. */
  readonly inUse?: InUseProvider;
  /** Told of the plan's blockers and of each deletion and failure as it happens (the daemon's metrics). */
  readonly progress?: (event: CleanupEvent) => void;
}

export interface HandlerReport {
  readonly handler: string;
  readonly repository: string;
  readonly mode: 'plan' | 'apply';
  readonly plan?: Plan;
  readonly execution?: ExecutionReport;
  /** A failure of the run as a whole (the registry could not be read, for example). */
  readonly error?: string;
  /** Digests dropped from the plan because they changed after the listing (apply): see retag.ts. */
  readonly retagged?: readonly Retagged[];
  readonly success: boolean;
  readonly durationMs: number;
}

/**
 * One run of one handler: its repository's run with that rule alone deleting, the other rules of
 * the repository keeping what they keep. What the daemon schedules, one rule at a time.
 */
export async function runHandler(
  driver: RegistryDriver,
  spec: HandlerSpec,
  run: HandlerRun,
): Promise<HandlerReport> {
  const [report] = await runRepository(driver, [spec], run);
  return report as HandlerReport;
}
