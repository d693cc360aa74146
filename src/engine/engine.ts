import type { Logger } from 'pino';
import { logFailure } from '../log.js';
import { sleepUnlessAborted } from '../sleep.js';
import { drawCooldown, drawFirstDelay } from './cooldown.js';
import type { Job } from './job.js';

export interface EngineOptions {
  readonly everyMs: number;
  readonly jitter: number;
  readonly logger: Logger;
  /** Uniform in [0, 1); injectable so tests can pin the draws. */
  readonly random?: () => number;
  /** Waits `milliseconds` or until `signal` is raised, whichever is first; injectable for tests. */
  readonly sleep?: (milliseconds: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Runs every job in its own loop — its own failure domain — with the seed's jittered cooldown
 * after each run. A job that throws, rejects or hangs affects only its own loop (hangs are bounded
 * by the `withTimeout` decorator). Each loop awaits its run before cooling down, so the runs of
 * one job never overlap.
 */
export class Engine {
  private readonly stopping = new AbortController();
  private readonly aborting = new AbortController();
  /** Each job's loop, and the switch that retires it alone (its repository is gone, say). */
  private readonly loops = new Map<string, { done: Promise<void>; retire: AbortController }>();
  private readonly retiring = new Set<Promise<void>>();
  private started = false;
  private readonly random: () => number;
  private readonly sleep: (milliseconds: number, signal: AbortSignal) => Promise<void>;

  constructor(
    private readonly jobs: readonly Job[],
    private readonly options: EngineOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? sleepUnlessAborted;
  }

  get isRunning(): boolean {
    return this.started && !this.stopping.signal.aborted;
  }

  /** The names of the jobs that have a loop. */
  get jobNames(): string[] {
    return [...this.loops.keys()];
  }

  start(): void {
    if (this.started) throw new Error('the engine is already started');
    this.started = true;
    for (const job of this.jobs) this.add(job);
  }

  /** Gives a job its own loop (a repository that appeared since the start). */
  add(job: Job): void {
    if (this.loops.has(job.name) || this.stopping.signal.aborted) return;
    const retire = new AbortController();
    this.loops.set(job.name, {
      done: this.loop(job, AbortSignal.any([this.stopping.signal, retire.signal])),
      retire,
    });
  }

  /** Ends a job's loop after its run in flight, if any (a repository that is gone). */
  remove(name: string): void {
    const loop = this.loops.get(name);
    if (loop === undefined) return;
    loop.retire.abort(new Error(`${name} was removed`));
    this.loops.delete(name);
    // Its run in flight, if any, is still waited for at shutdown.
    this.retiring.add(loop.done);
    void loop.done.then(() => this.retiring.delete(loop.done));
  }

  /**
   * Starts no new run and lets runs in flight finish their delete batch. Resolves true when every
   * run finished within `graceMs`; otherwise aborts what is left and resolves false.
   */
  async stop(graceMs: number): Promise<boolean> {
    this.stopping.abort(new Error('the engine is stopping'));
    const grace = new AbortController();
    const finished = await Promise.race([
      Promise.all([...[...this.loops.values()].map((loop) => loop.done), ...this.retiring]).then(() => true),
      sleepUnlessAborted(graceMs, grace.signal).then(() => false),
    ]);
    grace.abort();
    if (!finished) this.aborting.abort(new Error('shutdown grace period is over'));
    return finished;
  }

  private async loop(job: Job, signal: AbortSignal): Promise<void> {
    const { logger, everyMs, jitter } = this.options;
    await this.sleep(drawFirstDelay(everyMs, this.random), signal);
    while (!signal.aborted) {
      if (job.isActive()) {
        try {
          await job.run({ stopping: signal, abort: this.aborting.signal });
        } catch (error) {
          logFailure(logger, 'error', error, 'handler run failed', { handler: job.name });
        }
      } else {
        logger.debug({ handler: job.name }, 'handler is inactive; skipping this run');
      }
      if (signal.aborted) break;
      await this.sleep(drawCooldown(everyMs, jitter, this.random), signal);
    }
  }
}
