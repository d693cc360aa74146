import type { LevelWithSilent } from 'pino';
import { discoverHandlers } from '../cleanup/discover.js';
import { cleanupJob, countCleanup } from '../cleanup/job.js';
import { RepositoryLocks } from '../cleanup/lock.js';
import { needsDiscovery } from '../config/config.js';
import { formatDuration, parseDuration } from '../config/duration.js';
import { loadConfigFor } from '../config/load.js';
import type { HandlerSpec } from '../core/types.js';
import { parseListenAddress, startStatusServer } from '../daemon/server.js';
import { Engine } from '../engine/engine.js';
import { instrument } from '../engine/instrument.js';
import { createMetrics } from '../engine/metrics.js';
import { withTimeout } from '../engine/timeout.js';
import { createLogger } from '../log.js';
import { createDriver } from '../registry/create.js';

export interface DaemonOptions {
  readonly config?: string;
  readonly metricsAddr: string;
  readonly logLevel: string;
  readonly shutdownTimeout: string;
}

/**
 * `janitor daemon`: every handler in its own loop with the seed's jittered cooldown, metrics and
 * health over HTTP, and a graceful stop on SIGTERM or SIGINT. Resolves to the exit code.
 */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const logger = createLogger({ level: options.logLevel as LevelWithSilent, destination: 1 });
  let setup: Awaited<ReturnType<typeof prepare>>;
  try {
    setup = await prepare(options, (message) => logger.warn(message));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const { config, driver, address, shutdownMs } = setup;
  let handlers: HandlerSpec[];
  try {
    handlers = await discoverHandlers(config, driver);
  } catch (error) {
    process.stderr.write(`cannot list the registry's repositories: ${(error as Error).message}\n`);
    return 1;
  }
  const metrics = createMetrics(handlers);
  const locks = new RepositoryLocks();
  const jobFor = (spec: HandlerSpec) =>
    instrument(
      countCleanup(withTimeout(cleanupJob(driver, spec, logger, locks), config.schedule.timeoutMs), metrics),
      metrics,
    );
  const engine = new Engine(handlers.map(jobFor), {
    everyMs: config.schedule.everyMs,
    jitter: config.schedule.jitter,
    logger,
  });
  let server: Awaited<ReturnType<typeof startStatusServer>>;
  try {
    server = await startStatusServer(address, metrics.registry, () => engine.isRunning);
  } catch (error) {
    process.stderr.write(`cannot listen on ${options.metricsAddr}: ${(error as Error).message}\n`);
    return 2;
  }
  engine.start();
  // A handler's siblings (the other rules of its repository) decide what it must leave alone: a
  // handler whose siblings changed is replaced, not kept with a stale view.
  const siblingsOf = (spec: HandlerSpec) => (spec.siblings ?? []).map((sibling) => sibling.name).join(',');
  const known = new Map(handlers.map((handler) => [handler.name, siblingsOf(handler)]));
  let discovering = false;
  const rediscover = async () => {
    if (discovering) return;
    discovering = true;
    try {
      const current = await discoverHandlers(config, driver);
      const names = new Set(current.map((handler) => handler.name));
      for (const name of engine.jobNames) if (!names.has(name)) engine.remove(name);
      for (const handler of current) {
        if (known.has(handler.name) && known.get(handler.name) !== siblingsOf(handler))
          engine.remove(handler.name);
        known.set(handler.name, siblingsOf(handler));
        engine.add(jobFor(handler));
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not list the repositories again; keeping the current handlers');
    } finally {
      discovering = false;
    }
  };
  // Rules that name repositories by pattern follow the registry, looked at once per cooldown.
  const rediscovery = needsDiscovery(config)
    ? setInterval(() => void rediscover(), config.schedule.everyMs)
    : undefined;
  logger.info(
    {
      handlers: handlers.map((handler) => handler.name),
      every: formatDuration(config.schedule.everyMs),
      jitter: config.schedule.jitter,
      metrics: `http://${server.address.host}:${server.address.port}/metrics`,
    },
    'daemon started',
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  // A second signal means "now": exit without waiting for runs in flight.
  const exitNow = (second: NodeJS.Signals) => {
    logger.warn({ signal: second }, 'second signal: exiting at once');
    process.exit(1);
  };
  process.once('SIGTERM', exitNow);
  process.once('SIGINT', exitNow);
  logger.info(
    { signal, graceMs: shutdownMs },
    'stopping: no new runs; runs in flight finish their delete batch',
  );
  // Keep a little of the budget for closing the server and flushing logs.
  clearInterval(rediscovery);
  const finished = await engine.stop(Math.max(0, shutdownMs - 1_000));
  if (!finished) logger.warn('runs still in flight at the end of the grace period were aborted');
  await server.close();
  logger.info('daemon stopped');
  return 0;
}

async function prepare(options: DaemonOptions, onWarning: (message: string) => void) {
  const shutdownMs = parseDuration(options.shutdownTimeout);
  if (shutdownMs === undefined) {
    throw new Error(`--shutdown-timeout must be a duration such as 10s, got "${options.shutdownTimeout}"`);
  }
  const address = parseListenAddress(options.metricsAddr);
  const { config } = await loadConfigFor('change', options.config);
  return { config, driver: await createDriver(config, { onWarning }), address, shutdownMs };
}
