import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { received, saidAs } from './wording.js';

/** Node's timers hold at most 2³¹−1 ms (24.8 days); longer waits would fire at once. */
const longestDurationMs = 24 * 86_400_000;

const ageWords = 'a duration of at least 1s, such as 12h, 14d or 90d';
/** An age (keepYoungerThan, olderThan): no timer waits for it, so it may be long. */
export const age = z
  .string({ error: saidAs(ageWords) })
  .refine((text) => (parseDuration(text) ?? 0) >= 1_000, {
    error: (issue) => `must be ${ageWords}, not ${received(issue.input)}`,
  });

const durationWords = 'a duration from 1s to 24d, such as 90s, 30m, 1h or 1d';
/** A wait (every, timeout): Node's timers hold at most 2³¹−1 ms. */
export const duration = z.string({ error: saidAs(durationWords) }).refine(
  (text) => {
    const milliseconds = parseDuration(text);
    return milliseconds !== undefined && milliseconds >= 1_000 && milliseconds <= longestDurationMs;
  },
  { error: (issue) => `must be ${durationWords}, not ${received(issue.input)}` },
);
