import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { drawCooldown, drawFirstDelay, firstRunSpreadLimitMs } from '../../src/engine/cooldown.js';
import { Engine } from '../../src/engine/engine.js';
import type { Job, RunContext } from '../../src/engine/job.js';
import { RunStillInFlightError, RunTimeoutError, withTimeout } from '../../src/engine/timeout.js';
import { silentLogger } from '../../src/log.js';

const every = 10_000;

/** A job that records when it ran and does whatever `body` says. */
function recordingJob(
  name: string,
  body: (context: RunContext) => Promise<unknown> = async () => ({ success: true }),
) {
  const starts: number[] = [];
  const job: Job = {
    name,
    isActive: () => true,
    run: (context) => {
      starts.push(Date.now());
      return body(context);
    },
  };
  return { job, starts };
}

describe('cooldown', () => {
  it('stays within every ± jitter over many draws, and reaches both ends', () => {
    const hour = 3_600_000;
    const draws = Array.from({ length: 10_000 }, () => drawCooldown(hour, 0.01, Math.random));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(hour - 36_000);
    expect(Math.max(...draws)).toBeLessThan(hour + 36_000);
    expect(Math.min(...draws)).toBeLessThan(hour - 30_000);
    expect(Math.max(...draws)).toBeGreaterThan(hour + 30_000);
    expect(drawCooldown(hour, 0.01, () => 0)).toBe(hour - 36_000);
    expect(drawCooldown(hour, 0.01, () => 0.5)).toBe(hour);
  });

  it('spreads first runs over min(every, 30 s)', () => {
    expect(drawFirstDelay(3_600_000, () => 0.999)).toBeLessThan(firstRunSpreadLimitMs);
    expect(drawFirstDelay(2_000, () => 0.5)).toBe(1_000);
  });
});

describe('engine (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps every other handler on schedule when one throws, one rejects and one hangs', async () => {
    const healthy = recordingJob('healthy');
    const throwing = recordingJob('throwing', () => {
      throw new Error('boom');
    });
    const rejecting = recordingJob('rejecting', () => Promise.reject(new Error('nope')));
    const hanging = recordingJob('hanging', () => new Promise(() => {}));
    const engine = new Engine([healthy.job, throwing.job, rejecting.job, withTimeout(hanging.job, 3_000)], {
      everyMs: every,
      jitter: 0,
      logger: silentLogger,
      random: () => 0,
    });
    engine.start();
    await vi.advanceTimersByTimeAsync(every * 10 + 1);
    const stopped = engine.stop(0);
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
    // First run at once (random 0), then one every 10 s: 11 runs in 100 s.
    expect(healthy.starts).toEqual(Array.from({ length: 11 }, (_, index) => index * every));
    expect(throwing.starts).toHaveLength(11);
    expect(rejecting.starts).toHaveLength(11);
    // The hung run is abandoned at its timeout and never overlapped by another.
    expect(hanging.starts).toEqual([0]);
  });

  it('never overlaps the runs of one handler, even when a run outlasts the cooldown', async () => {
    let running = 0;
    let most = 0;
    const slow = recordingJob('slow', async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, every * 3));
      running -= 1;
      return { success: true };
    });
    const engine = new Engine([slow.job], { everyMs: every, jitter: 0.5, logger: silentLogger });
    engine.start();
    await vi.advanceTimersByTimeAsync(every * 40);
    const stopped = engine.stop(every * 3);
    await vi.advanceTimersByTimeAsync(every * 3);
    expect(await stopped).toBe(true);
    expect(most).toBe(1);
    // Each run starts at least a run's length plus the shortest cooldown after the previous one.
    for (let index = 1; index < slow.starts.length; index += 1) {
      expect((slow.starts[index] ?? 0) - (slow.starts[index - 1] ?? 0)).toBeGreaterThanOrEqual(
        every * 3 + every * 0.5,
      );
    }
    expect(slow.starts.length).toBeGreaterThan(3);
  });

  it('waits a drawn cooldown after each run', async () => {
    const draws = [0, 0, 0.75, 0.5];
    let next = 0;
    const job = recordingJob('timed');
    const engine = new Engine([job.job], {
      everyMs: every,
      jitter: 0.1,
      logger: silentLogger,
      random: () => draws[next++ % draws.length] as number,
    });
    engine.start();
    await vi.advanceTimersByTimeAsync(40_000);
    await engine.stop(0);
    // First delay 0; cooldowns 9 s (draw 0), then 10.5 s (draw 0.75), then 10 s (draw 0.5).
    expect(job.starts.slice(0, 4)).toEqual([0, 9_000, 19_500, 29_500]);
  });

  it('gives a job added later its own loop, and ends a removed job’s loop after its run', async () => {
    const first = recordingJob('first');
    const later = recordingJob('later');
    const engine = new Engine([first.job], {
      everyMs: every,
      jitter: 0,
      logger: silentLogger,
      random: () => 0,
    });
    engine.start();
    await vi.advanceTimersByTimeAsync(every * 2 + 1);
    engine.add(later.job);
    engine.add(later.job); // a second add of the same name changes nothing
    await vi.advanceTimersByTimeAsync(every * 2 + 1);
    engine.remove('first');
    expect(engine.jobNames).toEqual(['later']);
    await vi.advanceTimersByTimeAsync(every * 3);
    const stopped = engine.stop(0);
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
    expect(first.starts).toEqual([0, every, 2 * every, 3 * every, 4 * every]);
    expect(later.starts).toEqual([
      2 * every + 1,
      3 * every + 1,
      4 * every + 1,
      5 * every + 1,
      6 * every + 1,
      7 * every + 1,
    ]);
  });

  it('does not run an inactive handler', async () => {
    const job = recordingJob('inactive');
    const engine = new Engine([{ ...job.job, isActive: () => false }], {
      everyMs: every,
      jitter: 0,
      logger: silentLogger,
    });
    engine.start();
    await vi.advanceTimersByTimeAsync(every * 5);
    await engine.stop(0);
    expect(job.starts).toEqual([]);
  });

  it('on stop, starts no new run and lets the run in flight finish', async () => {
    let sawStopping = false;
    let finished = false;
    const job = recordingJob('busy', async ({ stopping }) => {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      sawStopping = stopping.aborted;
      finished = true;
      return { success: true };
    });
    const engine = new Engine([job.job], {
      everyMs: every,
      jitter: 0,
      logger: silentLogger,
      random: () => 0,
    });
    engine.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(engine.isRunning).toBe(true);
    const stopped = engine.stop(10_000);
    expect(engine.isRunning).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await stopped).toBe(true);
    expect(finished).toBe(true);
    expect(sawStopping).toBe(true);
    await vi.advanceTimersByTimeAsync(every * 5);
    expect(job.starts).toEqual([0]);
  });

  it('aborts a run still in flight when the grace period is over', async () => {
    let abortedWith: unknown;
    const job = recordingJob(
      'stubborn',
      ({ abort }) =>
        new Promise((_, reject) => {
          abort.addEventListener('abort', () => {
            abortedWith = abort.reason;
            reject(abort.reason);
          });
        }),
    );
    const engine = new Engine([job.job], {
      everyMs: every,
      jitter: 0,
      logger: silentLogger,
      random: () => 0,
    });
    engine.start();
    await vi.advanceTimersByTimeAsync(1);
    const stopped = engine.stop(2_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await stopped).toBe(false);
    expect(String(abortedWith)).toContain('grace period');
  });
});

describe('withTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts a run at its deadline, refuses the next while it lingers, and resumes once it settles', async () => {
    let release: (() => void) | undefined;
    let abortReason: unknown;
    const inner: Job = {
      name: 'slow',
      isActive: () => true,
      run: ({ abort }) =>
        new Promise((resolve) => {
          abort.addEventListener('abort', () => {
            abortReason = abort.reason;
          });
          release = () => resolve({ success: true });
        }),
    };
    const guarded = withTimeout(inner, 1_000);
    const context = { stopping: new AbortController().signal, abort: new AbortController().signal };
    const first = guarded.run(context).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await first).toBeInstanceOf(RunTimeoutError);
    expect(abortReason).toBeInstanceOf(RunTimeoutError);
    await expect(guarded.run(context)).rejects.toBeInstanceOf(RunStillInFlightError);
    release?.();
    await vi.advanceTimersByTimeAsync(0);
    const third = guarded.run(context);
    release?.();
    await expect(third).resolves.toEqual({ success: true });
  });
});
