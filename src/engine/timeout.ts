import type { Job } from './job.js';

export class RunTimeoutError extends Error {
  override readonly name = 'RunTimeoutError';
}

export class RunStillInFlightError extends Error {
  override readonly name = 'RunStillInFlightError';
}

/**
 * Gives every run a deadline. At the deadline the run is aborted (its registry calls are
 * cancelled) and reported as failed at once, so a hung call never holds its handler's schedule.
 * Runs never overlap: while a timed-out run has not yet settled, later runs are refused.
 */
export function withTimeout<Result, Progress>(
  job: Job<Result, Progress>,
  timeoutMs: number,
): Job<Result, Progress> {
  let inFlight: Promise<void> | undefined;
  return {
    name: job.name,
    isActive: () => job.isActive(),
    async run(context) {
      if (inFlight) {
        throw new RunStillInFlightError(
          `${job.name}: the run that timed out has not finished yet; not starting another`,
        );
      }
      const deadline = new AbortController();
      const running = job.run({ ...context, abort: AbortSignal.any([context.abort, deadline.signal]) });
      const settled = running.then(
        () => {},
        () => {},
      );
      inFlight = settled;
      void settled.then(() => {
        if (inFlight === settled) inFlight = undefined;
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new RunTimeoutError(`${job.name}: run timed out after ${timeoutMs} ms`);
          deadline.abort(error);
          reject(error);
        }, timeoutMs);
      });
      try {
        return await Promise.race([running, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
