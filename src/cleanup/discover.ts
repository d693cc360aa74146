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
