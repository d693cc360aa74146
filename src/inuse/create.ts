import type { InUseConfig } from '../config/config.js';
import { ecsSource } from './ecs.js';
import { kubernetesSource } from './kubernetes.js';
import { lambdaSource } from './lambda.js';
import { InUseReader } from './reader.js';
import { referencesCommand, referencesFile } from './references.js';
import type { InUseSource } from './snapshot.js';

/**
 * The sources a config's `inUse` section names, behind one reader. `refreshMs` is how long a read
 * serves: a one-off pass reads once (Infinity), the daemon every `inUse.refresh`.
 */
export function createInUseReader(config: InUseConfig, options: { refreshMs: number }): InUseReader {
  const sources: InUseSource[] = [
    ...config.ecs.map((source) => ecsSource(source)),
    ...config.lambda.map((source) => lambdaSource(source)),
    ...config.kubernetes.map((source) => kubernetesSource(source)),
    ...(config.references?.files ?? []).map(referencesFile),
    ...(config.references?.commands ?? []).map(referencesCommand),
  ];
  return new InUseReader(sources, { refreshMs: options.refreshMs, timeoutMs: config.timeoutMs });
}
