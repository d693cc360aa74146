import { ECRClient, type ECRClientConfig } from '@aws-sdk/client-ecr';
import { RequestLimiter } from '../limiter.js';

/**
 * The ECR client as the SDK configures itself from the standard AWS environment: AWS_REGION,
 * AWS_PROFILE, the credential chain and AWS_ENDPOINT_URL_ECR. Only the region can come from our
 * config; everything else is the SDK's, so the tool behaves like every other AWS tool.
 */
export function createEcrClient(
  options: { region?: string; overrides?: ECRClientConfig; maxInFlight?: number } = {},
): ECRClient {
  const client = new ECRClient({
    ...(options.region && { region: options.region }),
    // Listing and deleting have no published rate limits: expect throttling, back off, and slow
    // down (adaptive mode adds a client-side rate limiter to the standard backoff).
    retryMode: 'adaptive',
    maxAttempts: 10,
    ...options.overrides,
  });
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
