import type { Logger } from 'pino';
import type { HandlerSpec } from '../core/types.js';
import type { Job } from '../engine/job.js';
import type { RegistryDriver } from '../registry/driver.js';
import { type HandlerReport, runHandler } from './handler.js';
import type { InUseProvider } from './in-use.js';
import { RepositoryLocks } from './lock.js';
import type { CleanupEvent } from './progress.js';

/**
 * One handler as a job the engine can schedule: each run is a full `apply` of that handler, and
 * waits for any other handler of the same repository to finish first. It tells its progress
 * (blockers, each deletion and failure) to the run's context, where the daemon's counters listen.
 */
export function cleanupJob(
  driver: RegistryDriver,
  spec: HandlerSpec,
  logger: Logger,
  locks: RepositoryLocks = new RepositoryLocks(),
  /** Shared by every handler of the daemon, so the sources are read once per refresh, not per handler. */
  inUse?: InUseProvider,
): Job<HandlerReport, CleanupEvent> {
  return {
    name: spec.name,
    isActive: () => spec.active !== false,
    run: ({ stopping, abort, progress }) =>
      locks.run(spec.repository, async () => {
        // Waited for the lock until a stop was asked: do not start now.
        if (stopping.aborted) throw new Error(`${spec.name}: stopped before it started`);
        return runHandler(driver, spec, {
          mode: 'apply',
          logger,
          signal: stopping,
          abortSignal: abort,
          ...(inUse && { inUse }),
          ...(progress && { progress }),
        });
      }),
  };
}
