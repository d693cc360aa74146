import type { Logger } from 'pino';
import type { HandlerSpec } from '../core/types.js';
import type { Job } from '../engine/job.js';
import type { Metrics } from '../engine/metrics.js';
import type { RegistryDriver } from '../registry/driver.js';
import { type HandlerReport, runHandler } from './handler.js';
import type { InUseProvider } from './in-use.js';
import { RepositoryLocks } from './lock.js';

/**
 * One handler as a job the engine can schedule: each run is a full `apply` of that handler, and
 * waits for any other handler of the same repository to finish first.
 */
export function cleanupJob(
  driver: RegistryDriver,
  spec: HandlerSpec,
  logger: Logger,
  locks: RepositoryLocks = new RepositoryLocks(),
  /** Shared by every handler of the daemon, so the sources are read once per refresh, not per handler. */
  inUse?: InUseProvider,
): Job<HandlerReport> {
  return {
    name: spec.name,
    isActive: () => spec.active !== false,
    run: ({ stopping, abort }) =>
      locks.run(spec.repository, async () => {
        // Waited for the lock until a stop was asked: do not start now.
        if (stopping.aborted) throw new Error(`${spec.name}: stopped before it started`);
        return runHandler(driver, spec, {
          mode: 'apply',
          logger,
          signal: stopping,
          abortSignal: abort,
          ...(inUse && { inUse }),
        });
      }),
  };
}

/** Adds what a run deleted, reclaimed and failed to delete to the repository's counters. */
export function countCleanup(
  job: Job<HandlerReport>,
  metrics: Pick<Metrics, 'imagesDeleted' | 'bytesReclaimed' | 'deleteFailures'>,
): Job<HandlerReport> {
  return {
    name: job.name,
    isActive: () => job.isActive(),
    async run(context) {
      const report = await job.run(context);
      const { plan, execution } = report;
      if (plan && execution) {
        const repository = { repository: report.repository };
        const deleted = new Set(execution.deleted);
        const images = plan.groups.filter((group) => deleted.has(group.rootDigest)).length;
        const sizes = new Map(
          plan.groups.flatMap((group) => group.members.map((member) => [member.digest, member.sizeBytes])),
        );
        const bytes = [...deleted].reduce((total, digest) => total + (sizes.get(digest) ?? 0), 0);
        metrics.imagesDeleted.inc(repository, images);
        metrics.bytesReclaimed.inc(repository, bytes);
        for (const failure of execution.failed)
          metrics.deleteFailures.inc({ ...repository, code: failure.code });
      }
      return report;
    },
  };
}
