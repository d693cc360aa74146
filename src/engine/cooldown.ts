/**
 * The seed's cooler: `every` ± `jitter`, drawn uniformly, so handlers that started together drift
 * apart and the registry API sees a spread of calls instead of bursts (1h ± 1 % is 1h ± 36 s).
 */
export function drawCooldown(everyMs: number, jitter: number, random: () => number): number {
  return everyMs * (1 + jitter * (2 * random() - 1));
}

/** The longest a handler waits before its first run: short enough that a restart is not a gap. */
export const firstRunSpreadLimitMs = 30_000;

/**
 * First runs are spread uniformly over min(every, 30 s) rather than all at once: a fleet of
 * handlers starting together would otherwise hit the registry in one burst at every restart,
 * while waiting a whole `every` (an hour by default) would leave a restart's gap in the cleanup.
 */
export function drawFirstDelay(everyMs: number, random: () => number): number {
  return Math.min(everyMs, firstRunSpreadLimitMs) * random();
}
