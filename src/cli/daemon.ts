import type { LevelWithSilent } from 'pino';
import { cleanupJob } from '../cleanup/job.js';
import { RepositoryLocks } from '../cleanup/lock.js';
import { loadConfigFor } from '../config/load.js';
import type { HandlerSpec } from '../core/types.js';
import { countCleanup } from '../daemon/count.js';
import { followRepositories } from '../daemon/follow.js';
import { assessHealth } from '../daemon/health.js';
import { parseListenAddress, startStatusServer } from '../daemon/server.js';
import { starter, waitForStop } from '../daemon/stop.js';
import { formatDuration, parseDuration } from '../duration.js';
import { Engine } from '../engine/engine.js';
import { instrument } from '../engine/instrument.js';
import { createMetrics } from '../engine/metrics.js';
import { RunRecords } from '../engine/records.js';
import { withTimeout } from '../engine/timeout.js';
import { createInUseReader } from '../inuse/create.js';
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
  // First thing: whoever started us may be gone by the time we listen for a stop.
  const started = starter();
  const logger = createLogger({ level: options.logLevel as LevelWithSilent, destination: 1 });
  let setup: Awaited<ReturnType<typeof prepare>>;
  try {
    setup = await prepare(options, (message) => logger.warn(message));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const { config, driver, address, shutdownMs } = setup;
  const records = new RunRecords();
  const metrics = createMetrics(records, config.schedule);
  const locks = new RepositoryLocks();
  // Read at most once per `inUse.refresh`, however many handlers run in that time.
  const inUse =
    config.inUse &&
    createInUseReader(config.inUse, (snapshot) => {
      const fields = {
        sources: snapshot.sources,
        references: snapshot.uses.length,
        failures: snapshot.failures,
      };
      if (snapshot.failures.length > 0)
        logger.error(fields, 'in-use sources could not all be read: every handler is blocked');
      else logger.info(fields, 'read what is in use');
    });
  // Outside in: the records (health, last success) and the seed's run metrics see a run cut off at
  // its deadline as failed; the cleanup counters hear of each deletion as it happens.
  const jobFor = (spec: HandlerSpec) =>
    records.watch(
      instrument(
        countCleanup(
          withTimeout(cleanupJob(driver, spec, logger, locks, inUse), config.schedule.timeoutMs),
          metrics,
        ),
        metrics,
      ),
    );
  let engine: Engine | undefined;
  const following = await followRepositories({
    config,
    driver,
    logger,
    engine: () => engine as Engine,
    jobFor,
    onAdded: (spec) => metrics.addHandler(spec),
    onRemoved: (name) => {
      records.forget(name);
      metrics.removeHandler(name);
    },
  });
  for (const handler of following.handlers) metrics.addHandler(handler);
  engine = new Engine(following.handlers.map(jobFor), {
    everyMs: config.schedule.everyMs,
    jitter: config.schedule.jitter,
    logger,
  });
  const running = engine;
  let server: Awaited<ReturnType<typeof startStatusServer>>;
  try {
    server = await startStatusServer(address, metrics.registry, () =>
      assessHealth(records.entries(), running, config.schedule, Date.now()),
    );
  } catch (error) {
    following.stop();
    process.stderr.write(`cannot listen on ${options.metricsAddr}: ${(error as Error).message}\n`);
    return 2;
  }
  running.start();
  logger.info(
    {
      handlers: following.handlers.map((handler) => handler.name),
      every: formatDuration(config.schedule.everyMs),
      jitter: config.schedule.jitter,
      metrics: `http://${server.address.host}:${server.address.port}/metrics`,
    },
    'daemon started',
  );

  const reason = await waitForStop(logger, started);
  // A second signal means "now": exit without waiting for runs in flight.
  const exitNow = (second: NodeJS.Signals) => {
    logger.warn({ signal: second }, 'second signal: exiting at once');
    process.exit(1);
  };
  process.once('SIGTERM', exitNow);
  process.once('SIGINT', exitNow);
  logger.info(
    { signal: reason, graceMs: shutdownMs },
    'stopping: no new runs; runs in flight finish their delete batch',
  );
  following.stop();
  // Keep a little of the budget for closing the server and flushing logs.
  const finished = await running.stop(Math.max(0, shutdownMs - 1_000));
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
