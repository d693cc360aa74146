import { type Config, handlersOf, needsDiscovery } from '../config/config.js';
import type { HandlerSpec } from '../core/types.js';
import type { CallOptions, RegistryDriver } from '../registry/driver.js';

/**
 * The handlers of one pass: rules that name repositories by pattern are matched against the
 * registry's list of repositories, asked once per pass (and only when some rule has a pattern).
 */
export async function discoverHandlers(
  config: Config,
  driver: RegistryDriver,
  options: CallOptions = {},
): Promise<HandlerSpec[]> {
  const discovered = needsDiscovery(config) ? await driver.listRepositories(options) : [];
  return handlersOf(config, discovered);
}

/**
 * Rules that, this pass, apply to no repository at all: their patterns matched nothing the
 * registry lists (an empty registry, a team that has no repositories yet). Worth a warning, not
 * a failure: an hourly job must not fail every hour for a team that does not exist yet.
 */
export function rulesWithoutRepositories(config: Config, handlers: readonly HandlerSpec[]): string[] {
  const covered = new Set(handlers.map((handler) => handler.rule));
  return config.rules.flatMap((configured, index) =>
    configured.active && !covered.has(configured.rule)
      ? [
          `rules[${index}] (${configured.rule.name}: ${configured.repositories.join(', ')}) matches no repository`,
        ]
      : [],
  );
}
