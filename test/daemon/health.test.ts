import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assessHealth } from '../../src/daemon/health.js';
import { Engine } from '../../src/engine/engine.js';
import type { Job } from '../../src/engine/job.js';
import type { HandlerRecord } from '../../src/engine/records.js';
import { RunRecords } from '../../src/engine/records.js';
import { withTimeout } from '../../src/engine/timeout.js';
import { silentLogger } from '../../src/log.js';

const minute = 60_000;
const hour = 60 * minute;
const limits = { everyMs: hour, jitter: 0.01, timeoutMs: 15 * minute };
const now = Date.UTC(2026, 0, 1, 12);
const running = { isRunning: true };

function record(fields: Partial<HandlerRecord> = {}): HandlerRecord {
  return {
    active: true,
    turnAt: now - minute,
    lastSuccessAt: now - hour,
    failingSince: undefined,
    consecutiveFailures: 0,
    lastError: undefined,
    stuck: false,
    ...fields,
  };
}

describe('assessHealth', () => {
  it('is live, ready and ok when every handler does well', () => {
    const health = assessHealth([['kayron:sha', record()]], running, limits, now);
    expect(health).toEqual({ live: true, ready: true, text: 'ok: 1 handlers\n' });
  });

  it('stays live and ready when every run fails (a restart would not help), and says which and why', () => {
    const failing = record({
      failingSince: now - 3 * hour,
      consecutiveFailures: 3,
      lastError: 'RunTimeoutError: kayron:sha: run timed out after 900000 ms',
    });
    const health = assessHealth(
      [
        ['kayron:sha', failing],
        ['kayron:v', { ...failing, consecutiveFailures: 1 }],
      ],
      running,
      limits,
      now,
    );
    expect(health.live).toBe(true);
    expect(health.ready).toBe(true);
    expect(health.text.split('\n')).toEqual([
      'degraded: 2 of 2 handlers failing (the process is fine; a restart would not help)',
      'kayron:sha: failing since 2026-01-01T09:00:00.000Z (3 runs in a row): RunTimeoutError: kayron:sha: run timed out after 900000 ms',
      'kayron:v: failing since 2026-01-01T09:00:00.000Z (1 run in a row): RunTimeoutError: kayron:sha: run timed out after 900000 ms',
      '',
    ]);
  });

  it('is not live when a handler is stuck behind a timed-out run that never ended', () => {
    const health = assessHealth(
      [
        ['kayron:sha', record({ stuck: true, failingSince: now - hour, consecutiveFailures: 2 })],
        ['kayron:v', record()],
      ],
      running,
      limits,
      now,
    );
    expect(health.live).toBe(false);
    expect(health.text).toMatch(
      /^wedged: 1 of 2 handlers cannot run; restart the process\nkayron:sha: wedged: its run/,
    );
  });

  it('is not live when a loop has not come round for longer than a cooldown, a deadline and a minute', () => {
    // The longest legitimate gap: 60.6 min of cooldown, 15 min of run, 1 min of slack.
    const lastTurn = now - (60.6 + 15 + 1) * minute;
    expect(assessHealth([['kayron:sha', record({ turnAt: lastTurn })]], running, limits, now).live).toBe(
      true,
    );
    const late = assessHealth([['kayron:sha', record({ turnAt: lastTurn - 1 })]], running, limits, now);
    expect(late.live).toBe(false);
    expect(late.text).toContain(
      'kayron:sha: wedged: its loop has not come round for 77 min (at most 77 min expected)',
    );
    // A stopping engine ends its loops on purpose.
    expect(
      assessHealth([['kayron:sha', record({ turnAt: 0 })]], { isRunning: false }, limits, now).live,
    ).toBe(true);
  });

  it('is not ready before the engine starts and once it stops, and says so', () => {
    const health = assessHealth([['kayron:sha', record()]], { isRunning: false }, limits, now);
    expect(health).toEqual({ live: true, ready: false, text: 'stopping (or not started): no new runs\n' });
  });

  it('does not count an inactive handler as failing', () => {
    const inactive = record({ active: false, failingSince: now - hour, consecutiveFailures: 1 });
    expect(assessHealth([['kayron:v', inactive]], running, limits, now).text).toBe('ok: 1 handlers\n');
  });
});

describe('health of a real engine (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('turns unlive once a run that ignores its abort blocks the next one, and never for plain failures', async () => {
    const every = 10_000;
    const timeoutMs = 1_000;
    const records = new RunRecords();
    const ignoresAbort: Job = { name: 'stubborn', isActive: () => true, run: () => new Promise(() => {}) };
    const failing: Job = {
      name: 'failing',
      isActive: () => true,
      run: () => Promise.reject(new Error('denied')),
    };
    const engine = new Engine(
      [records.watch(withTimeout(ignoresAbort, timeoutMs)), records.watch(withTimeout(failing, timeoutMs))],
      { everyMs: every, jitter: 0, logger: silentLogger, random: () => 0 },
    );
    const health = () =>
      assessHealth(records.entries(), engine, { everyMs: every, jitter: 0, timeoutMs }, Date.now());
    engine.start();
    // The first runs: one times out, the other fails. Both are failures, neither is a wedge.
    await vi.advanceTimersByTimeAsync(timeoutMs + 1);
    expect(health().live).toBe(true);
    expect(health().text).toMatch(/^degraded: 2 of 2 handlers failing/);
    // A cooldown later the stubborn run is still there, so its next run is refused: wedged.
    await vi.advanceTimersByTimeAsync(every);
    expect(health().live).toBe(false);
    expect(health().text).toContain('stubborn: wedged');
    expect(health().text).not.toContain('failing: wedged');
    const stopped = engine.stop(0);
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
  });
});
