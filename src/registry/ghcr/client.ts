import { randomUUID } from 'node:crypto';
import type { Octokit as OctokitCore, OctokitOptions } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { defaultRequestTimeoutMs } from '../network.js';
import { defaultPointsPerMinute, pointsBudget } from './points.js';

/**
 * GitHub's secondary limit for the REST API is 900 points a minute, and a DELETE costs 5 of them:
 * 180 deletes a minute at most. 150 leaves 150 points a minute for the listings that go with them.
 */
export const defaultDeletesPerMinute = 150;

export interface GitHubClientOptions {
  readonly token: string;
  /** `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  readonly apiUrl: string;
  readonly deletesPerMinute?: number;
  /** GitHub's secondary limit less a margin: see points.ts. */
  readonly pointsPerMinute?: number;
  /**
   * How long one second of GitHub's waits lasts here, in milliseconds: `retry-after`, the time to
   * a rate limit's reset, the pacing of deletes. 1000 in use; tests shrink it so that waiting
   * the way GitHub asks does not make them slow.
   */
  readonly secondMs?: number;
  /** How long one request may wait for an answer; then it is given up on, and retried as a server error. */
  readonly requestTimeoutMs?: number;
  /** Called whenever GitHub says to wait, and whether the request is sent again after the wait. */
  readonly onRateLimit?: (event: RateLimitEvent) => void;
}

export interface RateLimitEvent {
  /** `primary`: the hourly quota is used up; `secondary`: too many requests too fast. */
  readonly limit: 'primary' | 'secondary';
  readonly retryAfterSeconds: number;
  readonly request: string;
  readonly retrying: boolean;
}

/** A request refused for a secondary limit is sent again this many times before it fails. */
const secondaryRetries = 4;
/** The hourly quota's reset is waited for only if it is this close; beyond, the run fails and says so. */
const longestPrimaryWaitSeconds = 600;

// The first plugins wrap innermost: every attempt, retries included, has its deadline and is paid for.
const GitHubOctokit = Octokit.plugin(requestTimeout, pointsBudget, throttling, retry);
export type GitHubClient = InstanceType<typeof GitHubOctokit>;

/**
 * The official client with GitHub's own rate-limit plugins: the throttling plugin paces writes
 * (one at a time, spaced to stay under the secondary limit), honours `retry-after` and
 * `x-ratelimit-reset` on 403/429, and the retry plugin retries server errors. Rate limits are
 * left to the throttling plugin alone (429 is not retried twice).
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const secondMs = options.secondMs ?? 1000;
  const deletesPerMinute = options.deletesPerMinute ?? defaultDeletesPerMinute;
  // The plugin's limiters are shared by every client of the process and told apart by this id.
  const id = `registry-janitor-${randomUUID()}`;
  const limitHandler =
    (limit: RateLimitEvent['limit'], allowed: (retryAfter: number, retryCount: number) => boolean) =>
    (retryAfter: number, request: { method: string; url: string }, _client: unknown, retryCount: number) => {
      const retrying = allowed(retryAfter, retryCount);
      options.onRateLimit?.({
        limit,
        retryAfterSeconds: retryAfter,
        request: `${request.method} ${request.url}`,
        retrying,
      });
      return retrying;
    };
  const quiet = () => {};
  return new GitHubOctokit({
    auth: options.token,
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'registry-janitor',
    pointsBudget: { pointsPerMinute: options.pointsPerMinute ?? defaultPointsPerMinute, secondMs },
    requestTimeoutMs: options.requestTimeoutMs ?? defaultRequestTimeoutMs,
    // Failures reach the caller as errors with their status; the client need not print them.
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    retry: {
      retryAfterBaseValue: secondMs,
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      id,
      Bottleneck,
      retryAfterBaseValue: secondMs,
      write: new Bottleneck.Group({
        id: `${id}-write`,
        maxConcurrent: 1,
        minTime: Math.ceil((60 * secondMs) / deletesPerMinute),
      }),
      onSecondaryRateLimit: limitHandler('secondary', (_after, count) => count < secondaryRetries),
      onRateLimit: limitHandler('primary', (after, count) => count < 2 && after <= longestPrimaryWaitSeconds),
    },
  });
}

/**
 * Each attempt gets its own deadline beside the caller's signal. Octokit turns a deadline's abort
 * into a server error, which the retry plugin sends again; a caller's abort is not retried. The
 * options are changed in place: Octokit's hooks are bound to the one options object of a request,
 * so inner hooks never see a copy; the caller's own signal is remembered for the next attempt.
 */
function requestTimeout(octokit: OctokitCore, options: OctokitOptions): Record<string, never> {
  const timeoutMs = (options as { requestTimeoutMs?: number }).requestTimeoutMs;
  if (timeoutMs === undefined) return {};
  const callerSignals = new WeakMap<object, AbortSignal | undefined>();
  octokit.hook.wrap('request', (request, requestOptions) => {
    if (!callerSignals.has(requestOptions)) callerSignals.set(requestOptions, requestOptions.request?.signal);
    const caller = callerSignals.get(requestOptions);
    const deadline = AbortSignal.timeout(timeoutMs);
    requestOptions.request = {
      ...requestOptions.request,
      signal: caller ? AbortSignal.any([caller, deadline]) : deadline,
    };
    return request(requestOptions);
  });
  return {};
}
