import picomatch from 'picomatch';
import type { LevelWithSilent, Logger } from 'pino';
import { openAuditLog } from '../cleanup/audit.js';
import { discoverHandlers, rulesWithoutRepositories } from '../cleanup/discover.js';
import type { HandlerReport } from '../cleanup/handler.js';
import type { InUseProvider } from '../cleanup/in-use.js';
import { runPass } from '../cleanup/pass.js';
import type { Config, RegistryConfig } from '../config/config.js';
import { ConfigError } from '../config/errors.js';
import { loadConfigFor } from '../config/load.js';
import type { HandlerSpec } from '../core/types.js';
import { parseDuration } from '../duration.js';
import { createInUseReader } from '../inuse/create.js';
import { createLogger } from '../log.js';
import { createDriver } from '../registry/create.js';
import type { RegistryDriver } from '../registry/driver.js';
import { startDeadline } from './deadline.js';
import { plural } from './format.js';
import { reportsToJson } from './json.js';
import { renderReports } from './render.js';
import { reportFileProblems, writeReportFiles } from './report-files.js';

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
  /** The longest the whole run may take (a duration); default: the config's schedule.timeout. */
  readonly timeout?: string;
  /** Also write the report to these files, as HTML and as Markdown. */
  readonly html?: string;
  readonly markdown?: string;
}

/** Said on stderr (stdout stays the report) when `plan` shows the seed deployment for want of a config. */
export const implicitSeedBanner =
  'note: no config given (--config, JANITOR_CONFIG or ./janitor.yaml): showing the seed deployment ' +
  '(builtin:seed: alloy, kayron, server, specta, splits-lite × sha and tag, keep 10, drop 5). ' +
  'apply refuses to run without a config.\n';

/** Enough for the indexes of the repositories a pass works on at once, each read by all its rules. */
const onePassCacheSize = 20_000;

/** Bad input, caught before the registry is asked for anything more: exit 2. */
class UsageError extends Error {}

/**
 * `janitor plan` and `janitor apply`: one pass over every handler, then a report.
 *
 *   config   ← --config, JANITOR_CONFIG or ./janitor.yaml (apply needs one)   bad: exit 2
 *   handlers ← the config's rules over the registry's repositories, narrowed    bad flags: exit 2
 *   reports  ← one pass, within --timeout
 *   exit     ← 0, or 1 when a handler failed, was blocked or ran out of time
 */
export async function runOnce(mode: 'plan' | 'apply', options: OnceOptions): Promise<number> {
  const logger = createLogger({ level: options.logLevel as LevelWithSilent, destination: 2 });
  const fail = (code: number, kind: string, message: string): number => {
    process.stderr.write(`${message}\n`);
    // Scripts parse stdout whatever happened: an error is a document too.
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ mode, success: false, error: { kind, message } }, null, 2)}\n`,
      );
    return code;
  };
  const reportFiles = { html: options.html, markdown: options.markdown };
  const unwritable = await reportFileProblems(reportFiles);
  if (unwritable.length > 0) return fail(2, 'input', unwritable.join('\n'));
  let config: Config;
  let driver: RegistryDriver;
  let timeoutMs: number;
  try {
    const loaded = await loadConfigFor(mode === 'apply' ? 'change' : 'read', options.config);
    if (loaded.implicit) process.stderr.write(implicitSeedBanner);
    config = loaded.config;
    timeoutMs = runTimeout(options.timeout, config);
    knownRules(options.rule, config);
    // One pass reads each repository's indexes once or twice (once per rule), and never again.
    driver = await createDriver(config, {
      manifestCacheSize: onePassCacheSize,
      onWarning: (message) => logger.warn(message),
    });
  } catch (error) {
    // Bad input stops everything before the first request.
    if (error instanceof ConfigError || error instanceof UsageError) return fail(2, 'input', error.message);
    throw error;
  }
  let handlers: HandlerSpec[];
  try {
    const discovered = await discoverHandlers(config, driver);
    for (const warning of rulesWithoutRepositories(config, discovered)) logger.warn(warning);
    handlers = narrow(discovered, options);
  } catch (error) {
    if (error instanceof UsageError) return fail(2, 'input', error.message);
    const message = `cannot list the registry's repositories: ${(error as Error).message}`;
    return fail(error instanceof ConfigError ? 2 : 1, 'registry', message);
  }
  // Read once for the whole pass, by the first handler that asks; every other handler waits for it.
  const inUse = config.inUse && createInUseReader(config.inUse).forOnePass();
  const generatedAt = new Date();
  const reports = await runHandlers(mode, handlers, { config, driver, logger, options, timeoutMs, inUse });
  const registry = describeRegistry(config.registry);
  const snapshot = reports.length > 0 ? await inUse?.current() : undefined;
  process.stdout.write(
    options.json
      ? `${JSON.stringify(reportsToJson(reports, registry, snapshot), null, 2)}\n`
      : renderReports(reports, {
          color: process.stdout.isTTY === true,
          registry,
          mode,
          ...(snapshot && { inUse: snapshot }),
        }),
  );
  const unwritten = await writeReportFiles(reportFiles, reports, {
    registry,
    generatedAt,
    ...(snapshot && { inUse: snapshot }),
  });
  if (unwritten.length > 0) process.stderr.write(`${unwritten.join('\n')}\n`);
  return reports.every((report) => report.success) && unwritten.length === 0 ? 0 : 1;
}

async function runHandlers(
  mode: 'plan' | 'apply',
  handlers: readonly HandlerSpec[],
  context: {
    config: Config;
    driver: RegistryDriver;
    logger: Logger;
    options: OnceOptions;
    timeoutMs: number;
    inUse?: InUseProvider | undefined;
  },
): Promise<HandlerReport[]> {
  const { config, driver, logger, options, inUse } = context;
  if (handlers.length === 0) return [];
  const location = driver.location ?? describeRegistry(config.registry);
  const audit = mode === 'apply' && options.auditLog ? openAuditLog(options.auditLog, location) : undefined;
  const progress = !options.json && process.stderr.isTTY ? showProgress(mode) : undefined;
  // A delete batch already sent is let finish; nothing else is worth waiting for.
  const deadline = startDeadline(context.timeoutMs, `janitor ${mode}`, mode === 'apply' ? 10_000 : 0);
  try {
    return await runPass(
      driver,
      handlers,
      {
        mode,
        logger,
        signal: deadline.stopping,
        abortSignal: deadline.aborting,
        ...(audit && { audit: audit.write }),
        ...(inUse && { inUse }),
      },
      // As many repositories at once as requests may be in flight: pagination within one
      // repository is sequential, so only many repositories keep the registry busy.
      {
        repositoryConcurrency: config.registry.concurrency,
        // Tables show deletions and notable skips; JSON and the report files show every image's decision.
        compact: !(options.json || options.html || options.markdown),
        ...(progress && { onProgress: progress.update }),
      },
    );
  } finally {
    deadline.dispose();
    progress?.clear();
    audit?.close();
  }
}

/** `--timeout`, else the config's `schedule.timeout` (15m by default), as for a daemon run. */
function runTimeout(flag: string | undefined, config: Config): number {
  if (flag === undefined) return config.schedule.timeoutMs;
  const milliseconds = parseDuration(flag);
  if (milliseconds === undefined || milliseconds < 1_000)
    throw new UsageError(
      `--timeout must be a duration of at least 1s, such as 90s, 30m or 2h, got "${flag}"`,
    );
  return milliseconds;
}

/** `--rule` names a rule the config has, or the run would silently do nothing. */
function knownRules(names: readonly string[] | undefined, config: Config): void {
  const existing = [...new Set(config.rules.map((configured) => configured.rule.name))];
  const unknown = (names ?? []).filter((name) => !existing.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `--rule ${unknown.join(', ')}: the config has no such rule; its rules are ${existing.join(', ')}`,
    );
  }
}

/** Active handlers only (an inactive rule stays in the config but does not run), narrowed by the flags. */
function narrow(handlers: readonly HandlerSpec[], options: OnceOptions): HandlerSpec[] {
  const repository = options.repository?.length ? picomatch([...options.repository]) : () => true;
  const rules = options.rule?.length ? new Set(options.rule) : undefined;
  const active = handlers.filter((handler) => handler.active !== false);
  const narrowed = active.filter(
    (handler) => repository(handler.repository) && (rules === undefined || rules.has(handler.rule.name)),
  );
  if (narrowed.length === 0 && active.length > 0 && options.repository?.length) {
    const known = [...new Set(active.map((handler) => handler.repository))];
    throw new UsageError(
      `--repository ${options.repository.join(' ')} matches none of the ${plural(known.length, 'repository', 'repositories')} the config covers: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}`,
    );
  }
  return narrowed;
}

/** `planning: 3/10 repositories` on one terminal line, rewritten in place. */
function showProgress(mode: 'plan' | 'apply') {
  const verb = mode === 'plan' ? 'planning' : 'cleaning';
  return {
    update: (done: number, total: number) => process.stderr.write(`\r${verb}: ${done}/${total} repositories`),
    clear: () => process.stderr.write('\r\u001b[2K'),
  };
}

export function describeRegistry(registry: RegistryConfig): string {
  if (registry.type === 'oci') return `the OCI registry ${new URL(registry.url).origin}`;
  if (registry.type === 'ghcr')
    return `GitHub Container Registry ${new URL(registry.registryUrl).host}/${registry.owner}`;
  const endpoint = process.env.AWS_ENDPOINT_URL_ECR ?? process.env.AWS_ENDPOINT_URL;
  const region = registry.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return ['ECR', region, endpoint && `at ${endpoint}`].filter(Boolean).join(' ');
}
