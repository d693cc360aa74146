import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { blockerKinds } from '../core/types.js';
import type { HandlerRecord, RunRecords } from './records.js';

/** The daemon's metrics, on a registry of its own so that nothing global leaks in or out. */
export interface Metrics {
  readonly registry: Registry;
  /** The seed's names and labels: one `handler` per repository × rule, `success` "true" or "false". */
  readonly executions: Counter<'handler' | 'success'>;
  readonly executionDuration: Histogram<'handler' | 'success'>;
  readonly imagesDeleted: Counter<'repository'>;
  readonly bytesReclaimed: Counter<'repository'>;
  readonly deleteFailures: Counter<'repository' | 'code'>;
  readonly circuitBreakerTrips: Counter<'handler'>;
  readonly blocked: Gauge<'handler' | 'kind'>;
  /** Gives a handler every series it will have, at 0, so a dashboard shows 0 rather than nothing. */
  addHandler(handler: { readonly name: string; readonly repository: string }): void;
  /** Drops the gauges of a handler that is gone for good, so no alert fires for it forever. */
  removeHandler(name: string): void;
}

const seconds = (milliseconds: number | undefined) => (milliseconds ?? 0) / 1000;

/**
 * Every metric the daemon exports. The per-handler gauges that alerts read (last success, failing
 * since, cooldown) are read from the run records at each scrape, so they show exactly the handlers
 * the daemon runs now; inactive handlers have none, as nothing is expected of them.
 */
export function createMetrics(records: RunRecords, schedule: { readonly everyMs: number }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const perActiveHandler = (value: (record: Readonly<HandlerRecord>) => number) =>
    function collect(this: Gauge<'handler'>) {
      this.reset();
      for (const [handler, record] of records.entries())
        if (record.active) this.set({ handler }, value(record));
    };
  new Gauge({
    name: 'janitor_last_success_timestamp_seconds',
    help: 'When each handler last ran successfully, in Unix seconds; 0 if it has not since the daemon started.',
    labelNames: ['handler'],
    registers,
    collect: perActiveHandler((record) => seconds(record.lastSuccessAt)),
  });
  new Gauge({
    name: 'janitor_handler_failing_since_timestamp_seconds',
    help: 'When the current run of failures of each handler began, in Unix seconds; 0 while its latest run succeeded.',
    labelNames: ['handler'],
    registers,
    collect: perActiveHandler((record) => seconds(record.failingSince)),
  });
  new Gauge({
    name: 'janitor_handler_cooldown_seconds',
    help: 'The mean wait between two runs of each handler (schedule.every), for alerts that count in cooldowns.',
    labelNames: ['handler'],
    registers,
    collect: perActiveHandler(() => seconds(schedule.everyMs)),
  });
  const executions = new Counter({
    name: 'worker_handler_execution_total',
    help: 'Runs of each handler, by outcome.',
    labelNames: ['handler', 'success'],
    registers,
  });
  const imagesDeleted = new Counter({
    name: 'janitor_images_deleted_total',
    help: 'Images (digest groups) deleted, by repository, counted as the registry confirms them.',
    labelNames: ['repository'],
    registers,
  });
  const bytesReclaimed = new Counter({
    name: 'janitor_bytes_reclaimed_total',
    help: 'Bytes of image manifests deleted (an upper bound: layers shared with kept images stay).',
    labelNames: ['repository'],
    registers,
  });
  const circuitBreakerTrips = new Counter({
    name: 'janitor_circuit_breaker_trips_total',
    help: 'Runs the circuit breaker stopped (they would have deleted more than maxDeleteShare), by handler.',
    labelNames: ['handler'],
    registers,
  });
  const blocked = new Gauge({
    name: 'janitor_handler_blocked',
    help: 'Whether the latest plan of each handler was blocked (deleted nothing), by kind of blocker: 1 or 0.',
    labelNames: ['handler', 'kind'],
    registers,
  });
  return {
    registry,
    executions,
    executionDuration: new Histogram({
      name: 'worker_handler_execution_duration_seconds',
      help: 'Duration of each handler run, by outcome.',
      labelNames: ['handler', 'success'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers,
    }),
    imagesDeleted,
    bytesReclaimed,
    deleteFailures: new Counter({
      name: 'janitor_delete_failures_total',
      help: 'Digests the registry refused or failed to delete, by repository and failure code.',
      labelNames: ['repository', 'code'],
      registers,
    }),
    circuitBreakerTrips,
    blocked,
    addHandler({ name, repository }) {
      for (const success of ['true', 'false']) executions.inc({ handler: name, success }, 0);
      imagesDeleted.inc({ repository }, 0);
      bytesReclaimed.inc({ repository }, 0);
      circuitBreakerTrips.inc({ handler: name }, 0);
      for (const kind of blockerKinds) blocked.set({ handler: name, kind }, 0);
    },
    removeHandler(name) {
      for (const kind of blockerKinds) blocked.remove({ handler: name, kind });
    },
  };
}
