import { formatDuration } from '../duration.js';

/**
 * A one-off command's deadline (`--timeout`): at the deadline no new image is started and the
 * delete batch in flight may finish (`stopping`); `graceMs` later (an apply's delete batch gets
 * ten seconds, reading nothing) whatever is still in flight is aborted (`aborting`). Either way
 * the run ends, and says why.
 */
export function startDeadline(timeoutMs: number, command: string, graceMs = 0) {
  const reason = new Error(`${command} did not finish within ${formatDuration(timeoutMs)} (--timeout)`);
  const stopping = new AbortController();
  const aborting = new AbortController();
  const timers = [
    setTimeout(() => stopping.abort(reason), timeoutMs),
    setTimeout(() => aborting.abort(reason), timeoutMs + graceMs),
  ];
  return {
    stopping: stopping.signal,
    aborting: aborting.signal,
    dispose: () => {
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
