import type { Config } from '../config/config.js';
import { ConfigError } from '../config/errors.js';
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
      ...(credentials && { credentials }),
    });
  }
  // The SDK for JavaScript reads AWS_REGION only; the AWS CLI also reads AWS_DEFAULT_REGION, and
  // people who set up their shell for the CLI expect it to work here too, with the same precedence.
  const region = registry.region ?? (process.env.AWS_REGION ? undefined : process.env.AWS_DEFAULT_REGION);
  const client = createEcrClient({ ...(region && { region }), maxInFlight: registry.concurrency });
  try {
    await client.config.region();
  } catch {
    throw new ConfigError('the AWS environment', [
      {
        path: 'registry.region',
        message:
          'no AWS region is set: give registry.region in the config, or set AWS_REGION (or a region in your AWS profile)',
      },
    ]);
  }
  return new EcrDriver(client, {
    concurrency: registry.concurrency,
    ...(options.manifestCacheSize && { manifestCacheSize: options.manifestCacheSize }),
    ...(options.onWarning && { onWarning: options.onWarning }),
  });
}
