import type { Octokit, OctokitOptions } from '@octokit/core';
import Bottleneck from 'bottleneck';

/**
 * GitHub's secondary limit for the REST API: at most 900 points a minute, a GET costing 1 and a
 * DELETE 5. Pacing deletes alone is not enough: listing a package of 10,000 versions is 100 GETs,
 * twice when the check before deleting lists it again, and 150 deletes a minute are 750 points,
 * so the first minute of a run could pass 900 (the benchmark saw it happen). Every request
 * therefore draws its points from one budget: a bucket of `burst` points refilled every second,
 * such that no 60 seconds can spend more than the minute's points — burst + 60 × refill ≤ limit.
 */
export interface PointsBudget {
  /** Points any 60 seconds may spend; GitHub's 900 less a margin for requests of other tools. */
  readonly pointsPerMinute: number;
  /** One second, in milliseconds (1000; tests shrink it). */
  readonly secondMs: number;
}

export const defaultPointsPerMinute = 880;

/** Bottleneck refills at most once a heartbeat: a second, but no timer of less than 10 ms. */
const shortestHeartbeatMs = 10;

/**
 * The bucket for a minute's points: a ninth of them at once (100 pages of a listing, about),
 * the rest refilled each second. A DELETE (5 points) must always fit in the bucket.
 */
export function bucketFor(pointsPerMinute: number): { burst: number; perSecond: number } {
  if (pointsPerMinute < 65)
    throw new RangeError('a budget below 65 points a minute cannot refill a point a second');
  const burst = Math.max(5, Math.min(Math.floor(pointsPerMinute / 9), pointsPerMinute - 60));
  return { burst, perSecond: Math.max(1, Math.floor((pointsPerMinute - burst) / 60)) };
}

export function costOf(method: string): number {
  return method === 'GET' || method === 'HEAD' ? 1 : 5;
}

/** An Octokit plugin; it wraps each attempt, retries included, so every request is paid for. */
export function pointsBudget(octokit: Octokit, options: OctokitOptions): Record<string, never> {
  const budget = (options as { pointsBudget?: PointsBudget }).pointsBudget;
  if (budget === undefined) return {};
  const { burst, perSecond } = bucketFor(budget.pointsPerMinute);
  const heartbeatMs = Math.max(shortestHeartbeatMs, budget.secondMs);
  const limiter = new Bottleneck({
    reservoir: burst,
    reservoirIncreaseMaximum: burst,
    reservoirIncreaseInterval: heartbeatMs,
    reservoirIncreaseAmount: Math.min(burst, Math.round((perSecond * heartbeatMs) / budget.secondMs)),
    heartbeatInterval: heartbeatMs,
  });
  octokit.hook.wrap('request', (request, requestOptions) =>
    limiter.schedule({ weight: costOf(requestOptions.method) }, async () => request(requestOptions)),
  );
  return {};
}
