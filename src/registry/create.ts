import type { Config } from '../config/config.js';
import { ConfigError } from '../config/errors.js';
import { parseDuration } from '../duration.js';
import type { RegistryDriver } from './driver.js';
import { createEcrClient } from './ecr/client.js';
import { EcrDriver } from './ecr/driver.js';
import { GhcrDriver } from './ghcr/driver.js';
import { CredentialsError, resolveCredentials } from './oci/credentials.js';
import { OciDriver } from './oci/driver.js';

/**
 * The driver a config names, with its client built from the standard environment. A missing
 * region is found here, once, rather than as the same error from every handler.
 */
export async function createDriver(
  config: Config,
  options: { manifestCacheSize?: number; onWarning?: (message: string) => void } = {},
): Promise<RegistryDriver> {
  const registry = config.registry;
  if (registry.type === 'ghcr') {
    const token = process.env[registry.tokenEnv];
    if (!token) {
      throw new ConfigError('the GitHub token', [
        {
          path: 'registry.tokenEnv',
          message: `${registry.tokenEnv} is not set: export a GitHub token that can read and delete packages (read:packages and delete:packages, or GITHUB_TOKEN with packages: write in a workflow)`,
        },
      ]);
    }
    return new GhcrDriver({
      owner: registry.owner,
      token,
      apiUrl: registry.apiUrl,
      registryUrl: registry.registryUrl,
      concurrency: registry.concurrency,
      deletesPerMinute: registry.deletesPerMinute,
      requestTimeoutMs: parseDuration(registry.requestTimeout) as number,
      ...(options.onWarning && { onWarning: options.onWarning }),
      onRateLimit: (event) =>
        options.onWarning?.(
          `GitHub's ${event.limit} rate limit answered ${event.request}: ${
            event.retrying ? `sending it again in ${event.retryAfterSeconds} s` : 'giving up'
          }`,
        ),
    });
  }
  if (registry.type === 'oci') {
    let credentials: Awaited<ReturnType<typeof resolveCredentials>>;
    try {
      credentials = await resolveCredentials(new URL(registry.url), registry.auth);
    } catch (error) {
      if (!(error instanceof CredentialsError)) throw error;
      throw new ConfigError('the registry credentials', [{ path: 'registry.auth', message: error.message }]);
    }
    return new OciDriver({
      url: registry.url,
      concurrency: registry.concurrency,
      requestTimeoutMs: parseDuration(registry.requestTimeout) as number,
      ...(credentials && { credentials }),
      ...(options.onWarning && { onWarning: options.onWarning }),
    });
  }
  // The SDK for JavaScript reads AWS_REGION only; the AWS CLI also reads AWS_DEFAULT_REGION, and
  // people who set up their shell for the CLI expect it to work here too, with the same precedence.
  const region = registry.region ?? (process.env.AWS_REGION ? undefined : process.env.AWS_DEFAULT_REGION);
  const client = createEcrClient({
    ...(region && { region }),
    maxInFlight: registry.concurrency,
    requestTimeoutMs: parseDuration(registry.requestTimeout) as number,
    ...(options.onWarning && { onWarning: options.onWarning }),
  });
  let resolvedRegion: string;
  try {
    resolvedRegion = await client.config.region();
  } catch {
    throw new ConfigError('the AWS environment', [
      {
        path: 'registry.region',
        message:
          'no AWS region is set: give registry.region in the config, or set AWS_REGION (or a region in your AWS profile)',
      },
    ]);
  }
  // Found once here, not by every handler after the credential chain's own timeouts.
  try {
    await client.config.credentials();
  } catch (error) {
    throw new ConfigError('the AWS environment', [
      {
        path: 'credentials',
        message: `no AWS credentials could be found (${(error as Error).message}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is given (instance profile, ECS task role, web identity)`,
      },
    ]);
  }
  const endpoint =
    process.env.AWS_ENDPOINT_URL_ECR ??
    process.env.AWS_ENDPOINT_URL ??
    `https://api.ecr.${resolvedRegion}.amazonaws.com`;
  return new EcrDriver(client, {
    endpoint,
    concurrency: registry.concurrency,
    ...(registry.registryId && { registryId: registry.registryId }),
    ...(options.manifestCacheSize && { manifestCacheSize: options.manifestCacheSize }),
    ...(options.onWarning && { onWarning: options.onWarning }),
  });
}
