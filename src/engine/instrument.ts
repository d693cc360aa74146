import { type Job, succeeded } from './job.js';
import type { Metrics } from './metrics.js';

/**
 * Counts and times every run of a job, as the seed's engine wraps its handlers: the handler
 * itself knows nothing of metrics.
 */
export function instrument<Result, Progress>(
  job: Job<Result, Progress>,
  metrics: Pick<Metrics, 'executions' | 'executionDuration'>,
): Job<Result, Progress> {
  return {
    name: job.name,
    isActive: () => job.isActive(),
    async run(context) {
      const started = performance.now();
      let success = false;
      try {
        const result = await job.run(context);
        success = succeeded(result);
        return result;
      } finally {
        const labels = { handler: job.name, success: String(success) };
        metrics.executions.inc(labels);
        metrics.executionDuration.observe(labels, (performance.now() - started) / 1000);
      }
    },
  };
}
