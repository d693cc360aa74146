import type { InUseSnapshot } from '../inuse/snapshot.js';
import { formatTime, type palette, plural } from './format.js';

/** One line above the tables: where "in use" came from, and whether it could be read. */
export function describeInUse(snapshot: InUseSnapshot, color: ReturnType<typeof palette>): string {
  const read = `${plural(snapshot.uses.length, 'image reference')} from ${snapshot.sources.join(', ')}, read ${formatTime(snapshot.readAt)} UTC`;
  if (snapshot.failures.length === 0) return `In use: ${read}; what they name is kept.`;
  const failed = snapshot.failures.map((failure) => `${failure.source} (${failure.error})`).join('; ');
  return color.red(`In use: could not read ${failed} — every handler is blocked. (${read}.)`);
}

/** The same for `--json`: which sources were read when, and which failed. */
export function inUseToJson(snapshot: InUseSnapshot) {
  return {
    readAt: snapshot.readAt.toISOString(),
    sources: snapshot.sources,
    references: snapshot.uses.length,
    failures: snapshot.failures,
  };
}
