import { z } from 'zod';
import { parseDuration } from '../duration.js';

/** Node's timers hold at most 2³¹−1 ms (24.8 days); longer waits would fire at once. */
const longestDurationMs = 24 * 86_400_000;

/** An age (keepYoungerThan, olderThan): no timer waits for it, so it may be long. */
export const age = z.string().refine((text) => (parseDuration(text) ?? 0) >= 1_000, {
  message: 'must be a duration of at least 1s, such as 12h, 14d or 90d',
});

/** A wait (every, timeout): Node's timers hold at most 2³¹−1 ms. */
export const duration = z.string().refine(
  (text) => {
    const milliseconds = parseDuration(text);
    return milliseconds !== undefined && milliseconds >= 1_000 && milliseconds <= longestDurationMs;
  },
  { message: 'must be a duration from 1s to 24d, such as 90s, 30m, 1h or 1d' },
);
