import { describe, expect, it } from 'vitest';
import { instrument } from '../../src/engine/instrument.js';
import type { Job } from '../../src/engine/job.js';
import { createMetrics } from '../../src/engine/metrics.js';
import { RunRecords } from '../../src/engine/records.js';
import { RunStillInFlightError, withTimeout } from '../../src/engine/timeout.js';
import { sample } from '../support/metrics.js';

const context = { stopping: new AbortController().signal, abort: new AbortController().signal };
const hour = 3_600_000;

function job(run: Job['run'], name = 'kayron:sha', isActive = () => true): Job {
  return { name, isActive, run };
}

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (milliseconds: number) => (now += milliseconds) };
}

describe('instrument: the seed’s metrics as a decorator', () => {
  it('counts and times successes, failures, throws and rejections by handler', async () => {
    const metrics = createMetrics(new RunRecords(), { everyMs: hour });
    metrics.addHandler({ name: 'kayron:sha', repository: 'kayron' });
    await instrument(
      job(async () => ({ success: true })),
      metrics,
    ).run(context);
    await instrument(
      job(async () => ({ success: false })),
      metrics,
    ).run(context);
    await expect(
      instrument(
        job(() => Promise.reject(new Error('x'))),
        metrics,
      ).run(context),
    ).rejects.toThrow('x');
    expect(
      await sample(metrics, 'worker_handler_execution_total', { handler: 'kayron:sha', success: 'true' }),
    ).toBe(1);
    expect(
      await sample(metrics, 'worker_handler_execution_total', { handler: 'kayron:sha', success: 'false' }),
    ).toBe(2);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'worker_handler_execution_duration_seconds_count{handler="kayron:sha",success="false"} 2',
    );
    // The default process metrics are there, on this registry of our own.
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts a run cut off at its deadline as a failure, with the time it was given', async () => {
    const metrics = createMetrics(new RunRecords(), { everyMs: hour });
    const hanging = job(() => new Promise(() => {}));
    await expect(instrument(withTimeout(hanging, 20), metrics).run(context)).rejects.toThrow('timed out');
    const labels = { handler: 'kayron:sha', success: 'false' };
    expect(await sample(metrics, 'worker_handler_execution_total', labels)).toBe(1);
    expect(
      await sample(metrics, 'worker_handler_execution_duration_seconds_sum', labels),
    ).toBeGreaterThanOrEqual(0.02);
  });
});

describe('run records and the gauges the alerts read', () => {
  it('shows each handler’s last success, when its failures began, and its cooldown', async () => {
    const clock = manualClock();
    const records = new RunRecords(clock.now);
    const metrics = createMetrics(records, { everyMs: hour });
    let outcome: 'succeed' | 'fail' | 'throw' = 'succeed';
    const watched = records.watch(
      job(async () => {
        if (outcome === 'throw') throw new Error('registry unreachable');
        return { success: outcome === 'succeed', ...(outcome === 'fail' && { error: 'AccessDenied' }) };
      }),
    );
    const gauges = async () => ({
      lastSuccess: await sample(metrics, 'janitor_last_success_timestamp_seconds', { handler: 'kayron:sha' }),
      failingSince: await sample(metrics, 'janitor_handler_failing_since_timestamp_seconds', {
        handler: 'kayron:sha',
      }),
      cooldown: await sample(metrics, 'janitor_handler_cooldown_seconds', { handler: 'kayron:sha' }),
    });
    const start = clock.now() / 1000;
    // Before any run: never succeeded, not failing.
    expect(await gauges()).toEqual({ lastSuccess: 0, failingSince: 0, cooldown: 3600 });

    watched.isActive();
    await watched.run(context);
    expect(await gauges()).toEqual({ lastSuccess: start, failingSince: 0, cooldown: 3600 });

    clock.advance(hour);
    outcome = 'fail';
    await watched.run(context);
    clock.advance(hour);
    outcome = 'throw';
    await expect(watched.run(context)).rejects.toThrow('registry unreachable');
    // Failing since the first failure after the last success, not the latest one.
    expect(await gauges()).toEqual({ lastSuccess: start, failingSince: start + 3600, cooldown: 3600 });
    const [, record] = [...records.entries()][0] ?? [];
    expect(record).toMatchObject({ consecutiveFailures: 2, lastError: 'Error: registry unreachable' });

    clock.advance(hour);
    outcome = 'succeed';
    await watched.run(context);
    expect(await gauges()).toEqual({ lastSuccess: start + 3 * 3600, failingSince: 0, cooldown: 3600 });
  });

  it('shows nothing for a handler found inactive, and forgets a handler that is gone', async () => {
    const records = new RunRecords();
    const metrics = createMetrics(records, { everyMs: hour });
    const inactive = records.watch(
      job(
        async () => ({ success: true }),
        'kayron:v',
        () => false,
      ),
    );
    const gone = records.watch(job(async () => ({ success: true }), 'ghost:sha'));
    inactive.isActive();
    gone.isActive();
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('handler="kayron:v"');
    expect(text).toContain('janitor_last_success_timestamp_seconds{handler="ghost:sha"} 0');
    records.forget('ghost:sha');
    expect(await metrics.registry.metrics()).not.toContain('handler="ghost:sha"');
  });

  it('keeps a handler’s record when its job is replaced under the same name', async () => {
    const clock = manualClock();
    const records = new RunRecords(clock.now);
    await records.watch(job(async () => ({ success: true }))).run(context);
    records.watch(job(async () => ({ success: true })));
    expect([...records.entries()]).toEqual([
      ['kayron:sha', expect.objectContaining({ lastSuccessAt: clock.now() })],
    ]);
  });

  it('marks a handler stuck while its runs are refused because a timed-out run never ended', async () => {
    const records = new RunRecords();
    let settle: () => void = () => {};
    const lingering = job(
      () =>
        new Promise((resolve) => {
          settle = () => resolve({ success: true });
        }),
    );
    const watched = records.watch(withTimeout(lingering, 10));
    await expect(watched.run(context)).rejects.toThrow('timed out');
    const recordOf = () => [...records.entries()][0]?.[1];
    expect(recordOf()?.stuck).toBe(false);
    await expect(watched.run(context)).rejects.toBeInstanceOf(RunStillInFlightError);
    expect(recordOf()?.stuck).toBe(true);
    settle();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await watched.run(context).catch(() => {});
    expect(recordOf()?.stuck).toBe(false);
  });
});
