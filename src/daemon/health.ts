import type { HandlerRecord } from '../engine/records.js';

export interface HealthLimits {
  readonly everyMs: number;
  readonly jitter: number;
  readonly timeoutMs: number;
}

export interface Health {
  /** For the liveness probe: false only when the process is wedged and a restart would help. */
  readonly live: boolean;
  /** For the readiness probe: true while the engine runs, false before it starts and once it stops. */
  readonly ready: boolean;
  /** For people: the verdict on the first line, then one line for each handler that is not well. */
  readonly text: string;
}

/** Time for the event loop to come round and for logs to flush, beyond the longest legitimate gap. */
const slackMs = 60_000;

/**
 * Tells whether the daemon is alive, ready, and how its handlers fare.
 *
 * Failing runs never make it unlive or unready: a registry that is down or refuses credentials
 * fails every run, and a restart (liveness) or hiding the pod (readiness) would help nothing — the
 * alerts on the metrics are how people hear of that. What a restart does cure is a wedged
 * process: a handler refused a run because its timed-out run never ended (a call that ignored its
 * abort), or a handler whose loop has not come round for longer than a cooldown, a deadline and a
 * minute together, which no working loop takes.
 */
export function assessHealth(
  records: Iterable<[string, Readonly<HandlerRecord>]>,
  engine: { readonly isRunning: boolean },
  limits: HealthLimits,
  now: number,
): Health {
  const overdueAfterMs = limits.everyMs * (1 + limits.jitter) + limits.timeoutMs + slackMs;
  const wedged: string[] = [];
  const failing: string[] = [];
  let count = 0;
  for (const [name, record] of records) {
    count += 1;
    const sinceTurnMs = now - record.turnAt;
    if (record.stuck) {
      wedged.push(`${name}: wedged: its run that timed out has not ended, so it cannot run again`);
    } else if (engine.isRunning && sinceTurnMs > overdueAfterMs) {
      wedged.push(
        `${name}: wedged: its loop has not come round for ${minutes(sinceTurnMs)} (at most ${minutes(overdueAfterMs)} expected)`,
      );
    } else if (record.active && record.failingSince !== undefined) {
      failing.push(
        `${name}: failing since ${new Date(record.failingSince).toISOString()} ` +
          `(${record.consecutiveFailures} run${record.consecutiveFailures === 1 ? '' : 's'} in a row): ${record.lastError}`,
      );
    }
  }
  const live = wedged.length === 0;
  const ready = engine.isRunning;
  const verdict = !live
    ? `wedged: ${wedged.length} of ${count} handlers cannot run; restart the process`
    : !ready
      ? 'stopping (or not started): no new runs'
      : failing.length > 0
        ? `degraded: ${failing.length} of ${count} handlers failing (the process is fine; a restart would not help)`
        : `ok: ${count} handlers`;
  return { live, ready, text: `${[verdict, ...wedged, ...failing].join('\n')}\n` };
}

function minutes(milliseconds: number): string {
  return `${Math.round(milliseconds / 60_000)} min`;
}
