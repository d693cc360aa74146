import type { Logger } from 'pino';
import { discoverHandlers } from '../cleanup/discover.js';
import { type Config, handlersOf, needsDiscovery } from '../config/config.js';
import type { HandlerSpec } from '../core/types.js';
import type { Engine } from '../engine/engine.js';
import type { Job } from '../engine/job.js';
import { logFailure } from '../log.js';
import type { RegistryDriver } from '../registry/driver.js';

/** While the registry cannot be listed, it is asked again this soon, doubling up to `every`. */
const firstRetryMs = 30_000;

export interface Following {
  /** The handlers the daemon starts with: the registry's, or — when it cannot be listed yet — those of named repositories. */
  readonly handlers: readonly HandlerSpec[];
  stop(): void;
}

/**
 * Rules that name repositories by pattern follow the registry: it is listed again once per
 * cooldown, handlers of new repositories are added, those of vanished ones removed, and a handler
 * whose siblings changed (they decide what it must leave alone) is replaced. A registry that
 * cannot be listed — at start-up too — is not a reason to exit (a crash loop helps nobody): the
 * daemon runs what it knows and asks again, soon at first, then once per cooldown.
 */
export async function followRepositories(options: {
  readonly config: Config;
  readonly driver: RegistryDriver;
  readonly logger: Logger;
  readonly engine: () => Engine;
  readonly jobFor: (spec: HandlerSpec) => Job;
  readonly onAdded: (spec: HandlerSpec) => void;
  readonly onRemoved: (name: string) => void;
}): Promise<Following> {
  const { config, driver, logger } = options;
  let failures = 0;
  let initial: HandlerSpec[];
  try {
    initial = await discoverHandlers(config, driver);
  } catch (error) {
    failures = 1;
    logFailure(
      logger,
      'error',
      error,
      "cannot list the registry's repositories; running the named ones and asking again",
    );
    initial = handlersOf(config, []);
  }
  if (!needsDiscovery(config)) return { handlers: initial, stop: () => {} };

  const siblingsOf = (spec: HandlerSpec) => (spec.siblings ?? []).map((sibling) => sibling.name).join(',');
  const known = new Map(initial.map((handler) => [handler.name, siblingsOf(handler)]));
  const rediscover = async () => {
    const engine = options.engine();
    const current = await discoverHandlers(config, driver);
    const names = new Set(current.map((handler) => handler.name));
    for (const name of engine.jobNames) {
      if (names.has(name)) continue;
      engine.remove(name);
      known.delete(name);
      options.onRemoved(name);
    }
    for (const handler of current) {
      if (!known.has(handler.name)) options.onAdded(handler);
      else if (known.get(handler.name) !== siblingsOf(handler)) engine.remove(handler.name);
      known.set(handler.name, siblingsOf(handler));
      engine.add(options.jobFor(handler));
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    const delay =
      failures === 0
        ? config.schedule.everyMs
        : Math.min(config.schedule.everyMs, firstRetryMs * 2 ** (failures - 1));
    timer = setTimeout(async () => {
      try {
        await rediscover();
        if (failures > 0) logger.info('the registry can be listed again');
        failures = 0;
      } catch (error) {
        failures += 1;
        logFailure(
          logger,
          'warn',
          error,
          'could not list the repositories again; keeping the current handlers',
        );
      }
      schedule();
    }, delay);
  };
  schedule();
  return {
    handlers: initial,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
