import type { Logger } from 'pino';
import { discoverHandlers } from '../cleanup/discover.js';
import { runPass } from '../cleanup/pass.js';
import type { Config } from '../config/config.js';
import { loadConfigFor } from '../config/load.js';
import { createInUseReader } from '../inuse/create.js';
import type { InUseReader } from '../inuse/reader.js';
import { createLogger } from '../log.js';
import { createDriver } from '../registry/create.js';
import type { RegistryDriver } from '../registry/driver.js';
import { type CleanupEvent, parseCleanupEvent, selectHandlers } from './select.js';

export type { CleanupEvent };

/** The part of the Lambda context the handler uses: how long the invocation has left. */
export interface InvocationContext {
  getRemainingTimeInMillis?(): number;
}

export interface InvocationSummary {
  readonly mode: 'plan' | 'apply';
  readonly success: boolean;
  readonly handlers: readonly {
    readonly handler: string;
    readonly success: boolean;
    readonly deleted: number;
    readonly failed: number;
    readonly error?: string;
  }[];
}

export interface FunctionDependencies {
  readonly loadConfig: () => Promise<Config>;
  readonly createDriver: (config: Config) => Promise<RegistryDriver>;
  readonly logger: Logger;
}

/** Stop starting images this long before Lambda's deadline, so the invocation ends cleanly. */
const stopMarginMs = 10_000;
/** Abort calls still in flight this long before the deadline. */
const abortMarginMs = 2_000;

/**
 * One pass of `apply` (or `plan`) over the repositories an event names, for a scheduled function
 * (AWS Lambda invoked by EventBridge Scheduler). A fleet too large for one process is sharded
 * across schedules, each with its own event. Fails the invocation when any handler failed, so the
 * failure shows in the function's error metrics and the scheduler's retry policy applies.
 */
export function createFunctionHandler(dependencies: FunctionDependencies) {
  // A warm function keeps its config, client and manifest cache from one invocation to the next.
  let ready: Promise<{ config: Config; driver: RegistryDriver; inUse?: InUseReader }> | undefined;
  const prepare = async () => {
    const config = await dependencies.loadConfig();
    return {
      config,
      driver: await dependencies.createDriver(config),
      // Kept warm with its clients and caches; read once per invocation.
      ...(config.inUse && { inUse: createInUseReader(config.inUse) }),
    };
  };
  return async (event: unknown, context?: InvocationContext): Promise<InvocationSummary> => {
    const request = parseCleanupEvent(event);
    const mode = request.mode ?? 'apply';
    ready ??= prepare();
    const { config, driver, inUse } = await ready.catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    const handlers = selectHandlers(await discoverHandlers(config, driver), request);
    const stopping = new AbortController();
    const aborting = new AbortController();
    const remaining = context?.getRemainingTimeInMillis?.();
    const timers =
      remaining === undefined
        ? []
        : [
            setTimeout(
              () => stopping.abort(new Error('the invocation is about to time out')),
              Math.max(0, remaining - stopMarginMs),
            ),
            setTimeout(
              () => aborting.abort(new Error('the invocation is timing out')),
              Math.max(0, remaining - abortMarginMs),
            ),
          ];
    try {
      const reports = await runPass(
        driver,
        handlers,
        {
          mode,
          logger: dependencies.logger,
          signal: stopping.signal,
          abortSignal: aborting.signal,
          ...(inUse && { inUse: inUse.forOnePass() }),
        },
        { repositoryConcurrency: config.registry.concurrency },
      );
      const summary: InvocationSummary = {
        mode,
        success: reports.every((report) => report.success),
        handlers: reports.map((report) => ({
          handler: report.handler,
          success: report.success,
          deleted: report.execution?.deleted.length ?? 0,
          failed: report.execution?.failed.length ?? 0,
          ...(report.error !== undefined && { error: report.error }),
        })),
      };
      dependencies.logger.info(summary, 'invocation finished');
      if (!summary.success) {
        const failed = summary.handlers
          .filter((handler) => !handler.success)
          .map((handler) => handler.handler);
        throw new Error(`handlers failed: ${failed.join(', ')} (see the log for each failure)`);
      }
      return summary;
    } finally {
      for (const timer of timers) clearTimeout(timer);
    }
  };
}

/**
 * The Lambda entry point (`dist/function/lambda.handler`). The config is the file named by
 * JANITOR_CONFIG, or `janitor.yaml` bundled at the function's root; without one every invocation
 * fails, naming what is missing (`JANITOR_CONFIG=builtin:seed` runs the seed deployment).
 */
const functionLogger = createLogger({ level: 'info', destination: 1, pretty: false });
export const handler = createFunctionHandler({
  loadConfig: async () => (await loadConfigFor('change', undefined)).config,
  createDriver: (config) => createDriver(config, { onWarning: (message) => functionLogger.warn(message) }),
  logger: functionLogger,
});
