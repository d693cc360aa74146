import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The daemon's metrics, on a registry of its own so that nothing global leaks in or out. */
export interface Metrics {
  readonly registry: Registry;
  /** The seed's names and labels: one `handler` per repository × rule, `success` "true" or "false". */
  readonly executions: Counter<'handler' | 'success'>;
  readonly executionDuration: Histogram<'handler' | 'success'>;
  readonly imagesDeleted: Counter<'repository'>;
  readonly bytesReclaimed: Counter<'repository'>;
  readonly deleteFailures: Counter<'repository' | 'code'>;
}

export function createMetrics(handlers: readonly { name: string; repository: string }[]): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics: Metrics = {
    registry,
    executions: new Counter({
      name: 'worker_handler_execution_total',
      help: 'Runs of each handler, by outcome.',
      labelNames: ['handler', 'success'],
      registers: [registry],
    }),
    executionDuration: new Histogram({
      name: 'worker_handler_execution_duration_seconds',
      help: 'Duration of each handler run, by outcome.',
      labelNames: ['handler', 'success'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    imagesDeleted: new Counter({
      name: 'janitor_images_deleted_total',
      help: 'Images (digest groups) deleted, by repository.',
      labelNames: ['repository'],
      registers: [registry],
    }),
    bytesReclaimed: new Counter({
      name: 'janitor_bytes_reclaimed_total',
      help: 'Bytes of image manifests deleted (an upper bound: layers shared with kept images stay).',
      labelNames: ['repository'],
      registers: [registry],
    }),
    deleteFailures: new Counter({
      name: 'janitor_delete_failures_total',
      help: 'Digests the registry refused or failed to delete, by repository and failure code.',
      labelNames: ['repository', 'code'],
      registers: [registry],
    }),
  };
  // Every series exists from the start, so a dashboard shows 0 rather than nothing.
  for (const handler of handlers) {
    for (const success of ['true', 'false']) metrics.executions.inc({ handler: handler.name, success }, 0);
    metrics.imagesDeleted.inc({ repository: handler.repository }, 0);
    metrics.bytesReclaimed.inc({ repository: handler.repository }, 0);
  }
  return metrics;
}
