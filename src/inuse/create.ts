import type { InUseConfig } from '../config/config.js';
import { ecsSource } from './ecs.js';
import { kubernetesSource } from './kubernetes.js';
import { lambdaSource } from './lambda.js';
import { InUseReader } from './reader.js';
import { referencesCommand, referencesFile } from './references.js';
import type { InUseSource } from './snapshot.js';

/**
 * The sources a config's `inUse` section names, behind one reader: the daemon reads them again
 * every `inUse.refresh`; a one-off pass (or a function invocation) uses `forOnePass()`.
 */
export function createInUseReader(config: InUseConfig): InUseReader {
  const sources: InUseSource[] = [
    ...config.ecs.map((source) => ecsSource(source)),
    ...config.lambda.map((source) => lambdaSource(source)),
    ...config.kubernetes.map((source) => kubernetesSource(source)),
    ...(config.references?.files ?? []).map(referencesFile),
    ...(config.references?.commands ?? []).map(referencesCommand),
  ];
  return new InUseReader(sources, { refreshMs: config.refreshMs, timeoutMs: config.timeoutMs });
}
