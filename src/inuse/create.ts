import type { InUseConfig } from '../config/config.js';
import { sourceName } from './names.js';
import { InUseReader } from './reader.js';
import { referencesCommand, referencesFile } from './references.js';
import type { InUseSnapshot, InUseSource } from './snapshot.js';

/**
 * The sources a config's `inUse` section names, behind one reader: the daemon reads them again
 * every `inUse.refresh`; a one-off pass (or a function invocation) uses `forOnePass()`. Each
 * source's client library is loaded on its first read, so a command that reads none (`--help`,
 * `validate`) does not pay for it.
 */
export function createInUseReader(
  config: InUseConfig,
  onRead?: (snapshot: InUseSnapshot) => void,
): InUseReader {
  const sources: InUseSource[] = [
    ...config.ecs.map((settings) =>
      lazily(sourceName.ecs(settings), async () => (await import('./ecs.js')).ecsSource(settings)),
    ),
    ...config.lambda.map((settings) =>
      lazily(sourceName.lambda(settings), async () => (await import('./lambda.js')).lambdaSource(settings)),
    ),
    ...config.kubernetes.map((settings) =>
      lazily(sourceName.kubernetes(settings), async () =>
        (await import('./kubernetes.js')).kubernetesSource(settings),
      ),
    ),
    ...(config.references?.files ?? []).map(referencesFile),
    ...(config.references?.commands ?? []).map(referencesCommand),
  ];
  return new InUseReader(sources, {
    refreshMs: config.refreshMs,
    timeoutMs: config.timeoutMs,
    ...(onRead && { onRead }),
  });
}

/** A source whose module is loaded on its first read, and kept (with its clients and caches). */
function lazily(name: string, load: () => Promise<InUseSource>): InUseSource {
  let source: Promise<InUseSource> | undefined;
  return {
    name,
    async read(signal) {
      source ??= load();
      return (await source).read(signal);
    },
  };
}
