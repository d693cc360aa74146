import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  type ECSClientConfig,
  type Failure,
  paginateListClusters,
  paginateListServices,
  paginateListTaskDefinitionFamilies,
  paginateListTaskDefinitions,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import { BoundedCache } from '../registry/cache.js';
import { chunk, mapWithConcurrency } from '../registry/driver.js';
import { awsClientSettings } from './aws.js';
import { type AwsSourcePlace, sourceName } from './names.js';
import type { ImageUseText, InUseSource } from './snapshot.js';

export interface EcsSourceSettings extends AwsSourcePlace {
  /** Newest revisions of each active task-definition family kept as rollback targets. */
  readonly taskDefinitionRevisions: number;
}

/** The APIs' own limits: lists of up to 100, DescribeServices 10 at a time, DescribeTasks 100. */
const pageSize = 100;
const servicesPerDescribe = 10;
const tasksPerDescribe = 100;
/** Clusters, families and task definitions read at once. */
const concurrency = 8;
/** Task definitions whose images are remembered: a few deployments' worth of a large account. */
const taskDefinitionsRemembered = 50_000;

/**
 * What ECS runs in one account and region, and what it would run next:
 *
 *   clusters  ← ListClusters
 *   services  ← ListServices, DescribeServices: each deployment's and task set's task definition
 *   tasks     ← ListTasks (running and pending), DescribeTasks: each container's image and digest
 *   rollbacks ← ListTaskDefinitionFamilies (active), ListTaskDefinitions: the newest N of each
 *   images    ← DescribeTaskDefinition of each task definition above (remembered: they never change)
 */
export function ecsSource(settings: EcsSourceSettings, overrides: ECSClientConfig = {}): InUseSource {
  const client = new ECSClient({ ...awsClientSettings(settings), ...overrides });
  const imagesOf = new BoundedCache<string, Promise<string[]>>(taskDefinitionsRemembered);
  const describe = (arn: string, signal: AbortSignal) => {
    let images = imagesOf.get(arn);
    if (images === undefined) {
      images = client
        .send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), { abortSignal: signal })
        .then((answer) =>
          (answer.taskDefinition?.containerDefinitions ?? []).flatMap((container) => container.image ?? []),
        );
      // A failed read is not remembered: the next refresh asks again.
      images.catch(() => imagesOf.forget(arn));
      imagesOf.set(arn, images);
    }
    return images;
  };
  return {
    name: sourceName.ecs(settings),
    async read(signal) {
      const found = new EcsUses();
      const clusters: string[] = [];
      for await (const page of paginateListClusters({ client, pageSize }, {}, { abortSignal: signal }))
        clusters.push(...(page.clusterArns ?? []));
      await mapWithConcurrency(clusters, concurrency, (cluster) =>
        readCluster(client, cluster, found, signal).catch((error: unknown) => {
          // Deleted since it was listed: nothing runs there any more.
          if ((error as Error).name !== 'ClusterNotFoundException') throw error;
        }),
      );
      const count = settings.taskDefinitionRevisions;
      if (count > 0) {
        for (const arn of await newestRevisions(client, count, signal))
          found.runs(
            arn,
            `ecs task definition ${nameOf(arn)} (a rollback target: one of the newest ${count})`,
          );
      }
      const images: ImageUseText[] = [];
      await mapWithConcurrency([...found.byTaskDefinition], concurrency, async ([arn, users]) => {
        for (const image of await describe(arn, signal))
          for (const usedBy of users) images.push({ image, usedBy });
      });
      // Services first: a reason names the first user of an image, and a service says the most.
      return [...images, ...found.images];
    },
  };
}

/** Images tasks report, and the task definitions still to read with who runs each. */
class EcsUses {
  readonly images: ImageUseText[] = [];
  readonly byTaskDefinition = new Map<string, string[]>();

  runs(taskDefinition: string, usedBy: string): void {
    const users = this.byTaskDefinition.get(taskDefinition);
    if (users === undefined) this.byTaskDefinition.set(taskDefinition, [usedBy]);
    else users.push(usedBy);
  }
}

async function readCluster(client: ECSClient, cluster: string, found: EcsUses, signal: AbortSignal) {
  const clusterName = nameOf(cluster);
  const serviceArns: string[] = [];
  for await (const page of paginateListServices({ client, pageSize }, { cluster }, { abortSignal: signal }))
    serviceArns.push(...(page.serviceArns ?? []));
  for (const batch of chunk(serviceArns, servicesPerDescribe)) {
    const answer = await client.send(new DescribeServicesCommand({ cluster, services: batch }), {
      abortSignal: signal,
    });
    failOn(answer.failures, 'DescribeServices', cluster);
    for (const service of answer.services ?? []) {
      // The primary deployment, any still rolling out or back, and task sets of external deployers.
      const definitions = new Set([
        ...(service.deployments ?? []).flatMap((deployment) => deployment.taskDefinition ?? []),
        ...(service.taskSets ?? []).flatMap((taskSet) => taskSet.taskDefinition ?? []),
        ...(service.taskDefinition ? [service.taskDefinition] : []),
      ]);
      for (const definition of definitions)
        found.runs(
          definition,
          `ecs service ${clusterName}/${service.serviceName} (task definition ${nameOf(definition)})`,
        );
    }
  }
  // Running and pending tasks both have the desired status RUNNING.
  const taskArns: string[] = [];
  for await (const page of paginateListTasks(
    { client, pageSize },
    { cluster, desiredStatus: 'RUNNING' },
    { abortSignal: signal },
  ))
    taskArns.push(...(page.taskArns ?? []));
  for (const batch of chunk(taskArns, tasksPerDescribe)) {
    const answer = await client.send(new DescribeTasksCommand({ cluster, tasks: batch }), {
      abortSignal: signal,
    });
    failOn(answer.failures, 'DescribeTasks', cluster);
    for (const task of answer.tasks ?? []) {
      const usedBy = `ecs task ${clusterName}/${(task.taskArn ?? '').split('/').at(-1)}${task.group ? ` (${task.group})` : ''}`;
      if (task.taskDefinitionArn) found.runs(task.taskDefinitionArn, usedBy);
      for (const container of task.containers ?? []) {
        if (container.image === undefined) continue;
        found.images.push({ image: container.image, usedBy });
        // The digest the task really pulled, whatever its tag names now.
        if (container.imageDigest)
          found.images.push({ image: withDigest(container.image, container.imageDigest), usedBy });
      }
    }
  }
}

/** The newest revisions of every active family: what a rollback would deploy. */
async function newestRevisions(client: ECSClient, count: number, signal: AbortSignal): Promise<string[]> {
  const families: string[] = [];
  for await (const page of paginateListTaskDefinitionFamilies(
    { client, pageSize },
    { status: 'ACTIVE' },
    { abortSignal: signal },
  ))
    families.push(...(page.families ?? []));
  const revisions = await mapWithConcurrency(families, concurrency, async (family) => {
    const newest: string[] = [];
    // `familyPrefix` is a prefix: `api` also lists `api-worker`, which sorts before it, newest first.
    for await (const page of paginateListTaskDefinitions(
      { client, pageSize },
      { familyPrefix: family, status: 'ACTIVE', sort: 'DESC' },
      { abortSignal: signal },
    )) {
      const arns = page.taskDefinitionArns ?? [];
      newest.push(...arns.filter((arn) => familyOf(arn) === family));
      const last = arns.at(-1);
      if (newest.length >= count || (last !== undefined && familyOf(last) < family)) break;
    }
    return newest.slice(0, count);
  });
  return revisions.flat();
}

/** A MISSING service or task stopped between listing and describing: gone, not unread. */
function failOn(failures: readonly Failure[] | undefined, operation: string, cluster: string): void {
  const real = (failures ?? []).filter((failure) => failure.reason !== 'MISSING');
  const first = real[0];
  if (first === undefined) return;
  throw new Error(
    `${operation} in cluster ${nameOf(cluster)} answered ${real.length} failure(s), e.g. ${first.arn}: ${first.reason}${first.detail ? ` (${first.detail})` : ''}`,
  );
}

/** `arn:aws:ecs:…:cluster/prod` → `prod`; `…:task-definition/api:42` → `api:42`. */
function nameOf(arn: string): string {
  return arn.slice(arn.indexOf('/') + 1);
}

function familyOf(taskDefinitionArn: string): string {
  const name = nameOf(taskDefinitionArn);
  return name.slice(0, name.lastIndexOf(':'));
}

/** `repo:tag` and the digest a container pulled → `repo:tag@sha256:…` (a digest already there stays). */
function withDigest(image: string, digest: string): string {
  return image.includes('@') ? image : `${image}@${digest}`;
}
