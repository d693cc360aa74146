import { type Job, succeeded } from './job.js';
import { RunStillInFlightError } from './timeout.js';

/** What the daemon knows of one handler's runs: what /healthz says and the alerts' gauges show. */
export interface HandlerRecord {
  /** Whether the engine found the handler active at its latest turn (true until its first turn). */
  active: boolean;
  /** When the engine's loop last came round to the handler, to run it or to find it inactive. */
  turnAt: number;
  lastSuccessAt: number | undefined;
  /** When the current run of failures began; undefined while the latest run succeeded. */
  failingSince: number | undefined;
  consecutiveFailures: number;
  lastError: string | undefined;
  /** Its latest run was refused because the one before it timed out and has still not ended. */
  stuck: boolean;
}

/**
 * The outcome of every handler's runs, kept by a decorator around each job. Wrapped outside
 * `withTimeout`, it sees a run cut off at its deadline as the failure it is, and a run refused
 * because a timed-out one never ended as a handler that is stuck.
 */
export class RunRecords {
  private readonly records = new Map<string, HandlerRecord>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records each turn and run of `job`; a job of a name seen before continues its record. */
  watch<Result, Progress>(job: Job<Result, Progress>): Job<Result, Progress> {
    const record = this.recordOf(job.name);
    return {
      name: job.name,
      isActive: () => {
        record.turnAt = this.now();
        record.active = job.isActive();
        return record.active;
      },
      run: async (context) => {
        try {
          const result = await job.run(context);
          if (succeeded(result)) this.succeeded(record);
          else this.failed(record, failureOf(result));
          return result;
        } catch (error) {
          this.failed(record, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
          record.stuck = error instanceof RunStillInFlightError;
          throw error;
        }
      },
    };
  }

  /** Drops a handler that is gone for good (its repository was deleted), with everything shown of it. */
  forget(name: string): void {
    this.records.delete(name);
  }

  entries(): IterableIterator<[string, Readonly<HandlerRecord>]> {
    return this.records.entries();
  }

  private recordOf(name: string): HandlerRecord {
    let record = this.records.get(name);
    if (record === undefined) {
      record = {
        active: true,
        turnAt: this.now(),
        lastSuccessAt: undefined,
        failingSince: undefined,
        consecutiveFailures: 0,
        lastError: undefined,
        stuck: false,
      };
      this.records.set(name, record);
    }
    return record;
  }

  private succeeded(record: HandlerRecord): void {
    record.lastSuccessAt = this.now();
    record.failingSince = undefined;
    record.consecutiveFailures = 0;
    record.lastError = undefined;
    record.stuck = false;
  }

  private failed(record: HandlerRecord, error: string): void {
    record.failingSince ??= this.now();
    record.consecutiveFailures += 1;
    record.lastError = error;
    record.stuck = false;
  }
}

/** What a run that returned without success says went wrong, where it says (`error`). */
function failureOf(result: unknown): string {
  const error = (result as { error?: unknown }).error;
  return typeof error === 'string' ? error : 'the run reported a failure (its log lines say which)';
}
