import type { CleanupEvent } from '../cleanup/progress.js';
import { blockerKinds } from '../core/types.js';
import type { Job } from '../engine/job.js';
import type { Metrics } from '../engine/metrics.js';

type CleanupMetrics = Pick<
  Metrics,
  'imagesDeleted' | 'bytesReclaimed' | 'deleteFailures' | 'circuitBreakerTrips' | 'blocked'
>;

/**
 * Counts what a cleanup run does as it does it — each deletion the registry confirms, each digest it
 * refuses, each plan a blocker stopped — from the run's progress rather than from its report: a
 * run cut off at its deadline returns no report, yet what it deleted before is gone.
 */
export function countCleanup<Result>(
  job: Job<Result, CleanupEvent>,
  metrics: CleanupMetrics,
): Job<Result, CleanupEvent> {
  return {
    name: job.name,
    isActive: () => job.isActive(),
    run: (context) =>
      job.run({
        ...context,
        progress: (event) => {
          count(job.name, event, metrics);
          context.progress?.(event);
        },
      }),
  };
}

function count(handler: string, event: CleanupEvent, metrics: CleanupMetrics): void {
  const repository = { repository: event.repository };
  switch (event.kind) {
    case 'planned': {
      const kinds = new Set(event.blockers.map((blocker) => blocker.kind));
      for (const kind of blockerKinds) metrics.blocked.set({ handler, kind }, kinds.has(kind) ? 1 : 0);
      if (kinds.has('circuit-breaker')) metrics.circuitBreakerTrips.inc({ handler });
      return;
    }
    case 'deleted':
      if (event.image) metrics.imagesDeleted.inc(repository);
      metrics.bytesReclaimed.inc(repository, event.bytes);
      return;
    case 'delete-failed':
      metrics.deleteFailures.inc({ ...repository, code: event.code });
      return;
  }
}
