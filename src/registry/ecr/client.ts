import { ECRClient, type ECRClientConfig } from '@aws-sdk/client-ecr';
import { RequestLimiter } from '../limiter.js';
import { defaultRequestTimeoutMs, isTimeout } from '../network.js';
import { PacedRetryStrategy, Pacer } from './pacing.js';

/**
 * The ECR client as the SDK configures itself from the standard AWS environment: AWS_REGION,
 * AWS_PROFILE, the credential chain and AWS_ENDPOINT_URL_ECR. Only the region can come from our
 * config; everything else is the SDK's, so the tool behaves like every other AWS tool.
 */
/**
 * `paced` (the default): backoff per request, and all requests paced at the registry's rate only
 * once most answers are throttles (see pacing.ts); `adaptive`: the SDK's client-side rate limiter
 * on top of backoff; `standard`: the SDK's backoff alone. BENCHMARKS.md compares them.
 */
export type RetryPacing = 'paced' | 'standard' | 'adaptive';

/** Attempts in all for one request: throttling is expected, give it room. */
const maxAttempts = 10;

export function createEcrClient(
  options: {
    region?: string;
    overrides?: ECRClientConfig;
    maxInFlight?: number;
    /** How long one attempt may wait for an answer (default 30 s): an endpoint that accepts and never answers. */
    requestTimeoutMs?: number;
    /** Told of each attempt that timed out and is retried, so a hanging endpoint is not silent. */
    onWarning?: (message: string) => void;
    /** How throttling is answered (see RetryPacing); measured in BENCHMARKS.md. */
    pacing?: RetryPacing;
  } = {},
): ECRClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
  const overridden = options.overrides?.maxAttempts;
  // AWS_MAX_ATTEMPTS is the SDKs' and the CLI's own setting; our retry strategy honours it too.
  const fromEnvironment = Number(process.env.AWS_MAX_ATTEMPTS);
  const attempts =
    typeof overridden === 'number'
      ? overridden
      : Number.isInteger(fromEnvironment) && fromEnvironment >= 1
        ? fromEnvironment
        : maxAttempts;
  const client = new ECRClient({
    ...(options.region && { region: options.region }),
    // Listing and deleting have no published rate limits: expect throttling, back off, and slow
    // down to the registry's pace when it is the pace that is refused.
    ...((options.pacing ?? 'paced') === 'paced'
      ? { retryStrategy: new PacedRetryStrategy(new Pacer(), attempts) }
      : { retryMode: options.pacing, maxAttempts: attempts }),
    requestHandler: {
      connectionTimeout: Math.min(requestTimeoutMs, 10_000),
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...options.overrides,
  });
  const onWarning = options.onWarning;
  if (onWarning) {
    // Each attempt passes here, inside the retries: a timed-out one is said before it is retried.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          if (isTimeout(error))
            onWarning(
              `ECR ${(context.commandName ?? 'request').replace(/Command$/, '')}: no answer within ${requestTimeoutMs / 1000} s; retrying`,
            );
          throw error;
        }
      },
      { step: 'deserialize', name: 'janitorTimeoutWarning' },
    );
  }
  if (options.maxInFlight !== undefined) {
    // Each HTTP attempt takes a place; a retry waiting out its backoff holds none.
    const limiter = new RequestLimiter(options.maxInFlight);
    client.middlewareStack.add((next) => (args) => limiter.run(() => next(args)), {
      step: 'deserialize',
      name: 'janitorRequestLimiter',
    });
  }
  return client;
}
