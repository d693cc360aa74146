import type { EcsRegion } from '../../src/emulator/ecs-state.js';
import type { LambdaRegion } from '../../src/emulator/lambda-state.js';

/** A sha256 digest derived from a name, for images workloads run. */
export function digestFor(name: string): string {
  return `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`;
}

export interface EcsFleetShape {
  readonly clusters: number;
  readonly servicesPerCluster: number;
  readonly tasksPerService: number;
  /** Revisions registered for each service's family (the newest runs). */
  readonly revisionsPerFamily: number;
  readonly registry: string;
}

/**
 * Clusters of services, each service on its own task-definition family at its newest revision,
 * each running tasks that report the digest they pulled. Images: `REGISTRY/service-N:rR`.
 */
export function seedEcsFleet(ecs: EcsRegion, shape: EcsFleetShape): { services: number; tasks: number } {
  let tasks = 0;
  for (let cluster = 0; cluster < shape.clusters; cluster += 1) {
    const clusterName = `cluster-${String(cluster).padStart(3, '0')}`;
    ecs.createCluster(clusterName);
    for (let service = 0; service < shape.servicesPerCluster; service += 1) {
      const family = `${clusterName}-service-${String(service).padStart(3, '0')}`;
      let newest = '';
      for (let revision = 1; revision <= shape.revisionsPerFamily; revision += 1) {
        newest = ecs.registerTaskDefinition(family, [
          { name: 'app', image: `${shape.registry}/${family}:r${revision}` },
        ]);
      }
      ecs.createService(clusterName, family, newest);
      for (let task = 0; task < shape.tasksPerService; task += 1) {
        ecs.runTask(clusterName, newest, {
          group: `service:${family}`,
          digests: { app: digestFor(`${family}:r${shape.revisionsPerFamily}`) },
        });
        tasks += 1;
      }
    }
  }
  return { services: shape.clusters * shape.servicesPerCluster, tasks };
}

/** Container-image functions with two published versions, an alias on the first, $LATEST on the second. */
export function seedLambdaFleet(lambda: LambdaRegion, functions: number, registry: string): void {
  for (let index = 0; index < functions; index += 1) {
    const name = `function-${String(index).padStart(4, '0')}`;
    lambda.createFunction(name, { image: `${registry}/${name}:one`, digest: digestFor(`${name}:one`) });
    const first = lambda.publishVersion(name);
    lambda.updateImage(name, `${registry}/${name}:two`, digestFor(`${name}:two`));
    lambda.publishVersion(name);
    lambda.createAlias(name, 'live', first);
  }
}
