import type { LevelWithSilent } from 'pino';
import { runPass } from '../cleanup/pass.js';
import { handlersOf, type RegistryConfig } from '../config/config.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { createDriver } from '../registry/create.js';
import type { RegistryDriver } from '../registry/driver.js';
import { reportsToJson } from './json.js';
import { renderReports } from './render.js';

export interface OnceOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly logLevel: string;
}

/** `janitor plan` and `janitor apply`: one pass over every handler, then a report. */
export async function runOnce(mode: 'plan' | 'apply', options: OnceOptions): Promise<number> {
  let config: Awaited<ReturnType<typeof loadConfig>>;
  let driver: RegistryDriver;
  try {
    config = await loadConfig(options.config);
    driver = await createDriver(config);
  } catch (error) {
    // A bad config stops everything before the first API call.
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({ level: options.logLevel as LevelWithSilent, destination: 2 });
  // An inactive rule stays in the config but does not run, here as in the daemon.
  const handlers = handlersOf(config).filter((handler) => handler.active !== false);
  const reports = await runPass(driver, handlers, { mode, logger });
  const registry = describeRegistry(config.registry);
  process.stdout.write(
    options.json
      ? `${JSON.stringify(reportsToJson(reports, registry), null, 2)}\n`
      : renderReports(reports, { color: process.stdout.isTTY === true, registry }),
  );
  return reports.every((report) => report.success) ? 0 : 1;
}

function describeRegistry(registry: RegistryConfig): string {
  if (registry.type === 'oci') return `the OCI registry ${new URL(registry.url).origin}`;
  const endpoint = process.env.AWS_ENDPOINT_URL_ECR ?? process.env.AWS_ENDPOINT_URL;
  const region = registry.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return ['ECR', region, endpoint && `at ${endpoint}`].filter(Boolean).join(' ');
}
