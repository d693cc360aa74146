import picomatch from 'picomatch';
import type { LevelWithSilent } from 'pino';
import { openAuditLog } from '../cleanup/audit.js';
import { discoverHandlers } from '../cleanup/discover.js';
import { runPass } from '../cleanup/pass.js';
import type { Config, RegistryConfig } from '../config/config.js';
import { ConfigError } from '../config/errors.js';
import { loadConfigFor } from '../config/load.js';
import type { HandlerSpec } from '../core/types.js';
import { createLogger } from '../log.js';
import { createDriver } from '../registry/create.js';
import type { RegistryDriver } from '../registry/driver.js';
import { reportsToJson } from './json.js';
import { renderReports } from './render.js';

export interface OnceOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly logLevel: string;
  /** Only these repositories (names or globs). */
  readonly repository?: readonly string[];
  /** Only these rules (by name: `sha`, `v`, `untagged`…). */
  readonly rule?: readonly string[];
  /** `apply` only: append one JSON line per deleted digest to this file. */
  readonly auditLog?: string;
}

/** Said on stderr (stdout stays the report) when `plan` shows the seed deployment for want of a config. */
export const implicitSeedBanner =
  'note: no config given (--config, JANITOR_CONFIG or ./janitor.yaml): showing the seed deployment ' +
  '(builtin:seed: alloy, kayron, server, specta, splits-lite × sha and tag, keep 10, drop 5). ' +
  'apply refuses to run without a config.\n';

/** Enough for the indexes of the repositories a pass works on at once, each read by all its rules. */
const onePassCacheSize = 20_000;

/** `janitor plan` and `janitor apply`: one pass over every handler, then a report. */
export async function runOnce(mode: 'plan' | 'apply', options: OnceOptions): Promise<number> {
  const logger = createLogger({ level: options.logLevel as LevelWithSilent, destination: 2 });
  let config: Config;
  let driver: RegistryDriver;
  try {
    const loaded = await loadConfigFor(mode === 'apply' ? 'change' : 'read', options.config);
    if (loaded.implicit) process.stderr.write(implicitSeedBanner);
    config = loaded.config;
    // One pass reads each repository's indexes once or twice (once per rule), and never again.
    driver = await createDriver(config, {
      manifestCacheSize: onePassCacheSize,
      onWarning: (message) => logger.warn(message),
    });
  } catch (error) {
    // A bad config stops everything before the first API call.
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let handlers: HandlerSpec[];
  try {
    handlers = narrow(await discoverHandlers(config, driver), options);
  } catch (error) {
    process.stderr.write(`cannot list the registry's repositories: ${(error as Error).message}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
  if (handlers.length === 0) {
    process.stderr.write('no handler left to run: check --repository, --rule and the rules of the config\n');
    return 2;
  }
  const registry = describeRegistry(config.registry);
  const audit = mode === 'apply' && options.auditLog ? openAuditLog(options.auditLog, registry) : undefined;
  const progress = !options.json && process.stderr.isTTY ? showProgress(mode) : undefined;
  try {
    const reports = await runPass(
      driver,
      handlers,
      { mode, logger, ...(audit && { audit: audit.write }) },
      // As many repositories at once as requests may be in flight: pagination within one
      // repository is sequential, so only many repositories keep the registry busy.
      {
        repositoryConcurrency: config.registry.concurrency,
        // Tables show deletions and notable skips; only --json needs every image's decision.
        compact: !options.json,
        ...(progress && { onProgress: progress.update }),
      },
    );
    progress?.clear();
    process.stdout.write(
      options.json
        ? `${JSON.stringify(reportsToJson(reports, registry), null, 2)}\n`
        : renderReports(reports, { color: process.stdout.isTTY === true, registry }),
    );
    return reports.every((report) => report.success) ? 0 : 1;
  } finally {
    audit?.close();
  }
}

/** Active handlers only (an inactive rule stays in the config but does not run), narrowed by the flags. */
function narrow(handlers: readonly HandlerSpec[], options: OnceOptions): HandlerSpec[] {
  const repository = options.repository?.length ? picomatch([...options.repository]) : () => true;
  const rules = options.rule?.length ? new Set(options.rule) : undefined;
  return handlers.filter(
    (handler) =>
      handler.active !== false &&
      repository(handler.repository) &&
      (rules === undefined || rules.has(handler.rule.name)),
  );
}

/** `planning: 3/10 repositories` on one terminal line, rewritten in place. */
function showProgress(mode: 'plan' | 'apply') {
  const verb = mode === 'plan' ? 'planning' : 'cleaning';
  return {
    update: (done: number, total: number) => process.stderr.write(`\r${verb}: ${done}/${total} repositories`),
    clear: () => process.stderr.write('\r\u001b[2K'),
  };
}

function describeRegistry(registry: RegistryConfig): string {
  if (registry.type === 'oci') return `the OCI registry ${new URL(registry.url).origin}`;
  if (registry.type === 'ghcr')
    return `GitHub Container Registry ${new URL(registry.registryUrl).host}/${registry.owner}`;
  const endpoint = process.env.AWS_ENDPOINT_URL_ECR ?? process.env.AWS_ENDPOINT_URL;
  const region = registry.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return ['ECR', region, endpoint && `at ${endpoint}`].filter(Boolean).join(' ');
}
