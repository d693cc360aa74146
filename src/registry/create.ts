import type { Config } from '../config/config.js';
import type { RegistryDriver } from './driver.js';
import { createEcrClient } from './ecr/client.js';
import { EcrDriver } from './ecr/driver.js';

/** The driver a config names, with its client built from the standard environment. */
export function createDriver(config: Config): RegistryDriver {
  return new EcrDriver(
    createEcrClient({ ...(config.registry.region && { region: config.registry.region }) }),
  );
}
