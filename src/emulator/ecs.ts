// Amazon ECS's JSON 1.1 API (target prefix AmazonEC2ContainerServiceV20141113.) for what the
// janitor reads: clusters, services, tasks and task definitions, with the real page sizes and
// batch limits. Answers are per account and region of the caller (see accounts.ts).
import { ApiError } from './api-error.js';
import type { ClusterRecord, EcsRegion, TaskDefinitionRecord } from './ecs-state.js';
import type { PageTokens } from './tokens.js';

export const ecsTargetPrefix = 'AmazonEC2ContainerServiceV20141113.';

type Input = Record<string, unknown>;
type Operation = (input: Input, region: EcsRegion) => unknown;

/** The ECS operations, by name; each reads the caller's region of ECS. */
export function ecsOperations(tokens: PageTokens): Map<string, Operation> {
  const page = <T>(
    context: string,
    items: readonly T[],
    keyOf: (item: T) => string,
    input: Input,
    limit: number,
  ) => {
    const maxResults = optionalInteger(input, 'maxResults', 1, 100) ?? limit;
    return tokens.page(context, items, keyOf, maxResults, optionalString(input, 'nextToken'), () =>
      invalid('Invalid token'),
    );
  };
  return new Map<string, Operation>([
    [
      'ListClusters',
      (input, region) => {
        const clusters = [...region.clusters.values()].map((cluster) => cluster.arn).sort();
        const { items, next } = page('ListClusters', clusters, (arn) => arn, input, 100);
        return { clusterArns: items, ...(next && { nextToken: next }) };
      },
    ],
    [
      'ListServices',
      (input, region) => {
        const cluster = clusterOf(input, region);
        const arns = [...cluster.services.values()].map((service) => service.arn).sort();
        // ListServices answers 10 a page unless asked for more (up to 100).
        const { items, next } = page(`ListServices\n${cluster.arn}`, arns, (arn) => arn, input, 10);
        return { serviceArns: items, ...(next && { nextToken: next }) };
      },
    ],
    [
      'DescribeServices',
      (input, region) => {
        const cluster = clusterOf(input, region);
        const names = requiredStrings(input, 'services', 10);
        const services = [];
        const failures = [];
        for (const name of names) {
          const service = cluster.services.get(name.slice(name.lastIndexOf('/') + 1));
          if (service === undefined) {
            failures.push({ arn: name, reason: 'MISSING' });
            continue;
          }
          services.push({
            serviceArn: service.arn,
            serviceName: service.name,
            clusterArn: service.clusterArn,
            status: 'ACTIVE',
            desiredCount: service.desiredCount,
            runningCount: service.desiredCount,
            pendingCount: 0,
            launchType: 'FARGATE',
            taskDefinition: service.taskDefinition,
            deployments: service.deployments.map((deployment) => ({
              id: deployment.id,
              status: deployment.status,
              taskDefinition: deployment.taskDefinition,
              desiredCount: service.desiredCount,
              runningCount: service.desiredCount,
              createdAt: seconds(deployment.createdAt),
              rolloutState: deployment.status === 'PRIMARY' ? 'COMPLETED' : 'IN_PROGRESS',
            })),
            createdAt: seconds(service.createdAt),
            schedulingStrategy: 'REPLICA',
            deploymentController: { type: 'ECS' },
          });
        }
        return { services, failures };
      },
    ],
    [
      'ListTasks',
      (input, region) => {
        const cluster = clusterOf(input, region);
        const desired = optionalString(input, 'desiredStatus') ?? 'RUNNING';
        if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desired))
          throw invalid(`desiredStatus must be RUNNING, PENDING or STOPPED`);
        const arns = [...cluster.tasks.values()]
          .filter((task) => (desired === 'STOPPED') === (task.desiredStatus === 'STOPPED'))
          .map((task) => task.arn)
          .sort();
        const { items, next } = page(`ListTasks\n${cluster.arn}\n${desired}`, arns, (arn) => arn, input, 100);
        return { taskArns: items, ...(next && { nextToken: next }) };
      },
    ],
    [
      'DescribeTasks',
      (input, region) => {
        const cluster = clusterOf(input, region);
        const ids = requiredStrings(input, 'tasks', 100);
        const tasks = [];
        const failures = [];
        for (const id of ids) {
          const task = cluster.tasks.get(id.slice(id.lastIndexOf('/') + 1));
          if (task === undefined) {
            failures.push({ arn: id, reason: 'MISSING' });
            continue;
          }
          tasks.push({
            taskArn: task.arn,
            clusterArn: task.clusterArn,
            taskDefinitionArn: task.taskDefinitionArn,
            group: task.group,
            desiredStatus: task.desiredStatus,
            lastStatus: task.lastStatus,
            launchType: 'FARGATE',
            createdAt: seconds(task.createdAt),
            containers: task.containers.map((container, index) => ({
              containerArn: `${task.arn.replace(':task/', ':container/')}/${index}`,
              taskArn: task.arn,
              name: container.name,
              image: container.image,
              ...(container.imageDigest && { imageDigest: container.imageDigest }),
              lastStatus: task.lastStatus,
            })),
          });
        }
        return { tasks, failures };
      },
    ],
    [
      'ListTaskDefinitionFamilies',
      (input, region) => {
        const prefix = optionalString(input, 'familyPrefix') ?? '';
        const status = optionalString(input, 'status') ?? 'ACTIVE';
        const families = [...region.families]
          .filter(([family]) => family.startsWith(prefix))
          .filter(([, revisions]) => {
            const active = revisions.some((revision) => revision.status === 'ACTIVE');
            return status === 'ALL' || (status === 'ACTIVE') === active;
          })
          .map(([family]) => family)
          .sort();
        const { items, next } = page(
          `ListTaskDefinitionFamilies\n${prefix}\n${status}`,
          families,
          (family) => family,
          input,
          100,
        );
        return { families: items, ...(next && { nextToken: next }) };
      },
    ],
    [
      'ListTaskDefinitions',
      (input, region) => {
        const prefix = optionalString(input, 'familyPrefix') ?? '';
        const status = optionalString(input, 'status') ?? 'ACTIVE';
        const descending = optionalString(input, 'sort') === 'DESC';
        // Ordered by family, then numerically by revision; DESC reverses both.
        const records = [...region.families]
          .filter(([family]) => family.startsWith(prefix))
          .flatMap(([, revisions]) => revisions)
          .filter((record) => status === 'ALL' || record.status === status)
          .sort((left, right) => compareDefinitions(left, right) * (descending ? -1 : 1));
        const keyOf = (record: TaskDefinitionRecord) => sortKey(record, descending);
        const { items, next } = page(
          `ListTaskDefinitions\n${prefix}\n${status}\n${descending}`,
          records,
          keyOf,
          input,
          100,
        );
        return { taskDefinitionArns: items.map((record) => record.arn), ...(next && { nextToken: next }) };
      },
    ],
    [
      'DescribeTaskDefinition',
      (input, region) => {
        const reference = optionalString(input, 'taskDefinition');
        if (reference === undefined) throw invalid('taskDefinition is required');
        const record = region.taskDefinition(reference);
        if (record === undefined)
          throw new ApiError('ClientException', 'Unable to describe task definition.');
        return {
          taskDefinition: {
            taskDefinitionArn: record.arn,
            family: record.family,
            revision: record.revision,
            status: record.status,
            containerDefinitions: record.containerDefinitions.map((container) => ({
              ...container,
              essential: true,
            })),
            registeredAt: seconds(record.registeredAt),
            requiresCompatibilities: ['FARGATE'],
            networkMode: 'awsvpc',
          },
        };
      },
    ],
  ]);
}

function compareDefinitions(left: TaskDefinitionRecord, right: TaskDefinitionRecord): number {
  if (left.family !== right.family) return left.family < right.family ? -1 : 1;
  return left.revision - right.revision;
}

/** A key that sorts like the listing: zero-padded revisions, inverted for DESC. */
function sortKey(record: TaskDefinitionRecord, descending: boolean): string {
  const key = `${record.family}\u0000${String(record.revision).padStart(10, '0')}`;
  if (!descending) return key;
  return [...key].map((character) => String.fromCharCode(0xffff - character.charCodeAt(0))).join('');
}

function clusterOf(input: Input, region: EcsRegion): ClusterRecord {
  const reference = optionalString(input, 'cluster');
  const cluster = region.findCluster(reference);
  if (cluster === undefined) throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
  return cluster;
}

function invalid(message: string): ApiError {
  return new ApiError('InvalidParameterException', message);
}

function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  return value;
}

function optionalInteger(input: Input, name: string, minimum: number, maximum: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum)
    throw invalid(`${name} must be an integer from ${minimum} to ${maximum}, got ${JSON.stringify(value)}`);
  return value;
}

function requiredStrings(input: Input, name: string, maximum: number): string[] {
  const value = input[name];
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string'))
    throw invalid(`${name} must be a non-empty list of strings`);
  if (value.length > maximum)
    throw invalid(`${name} can have at most ${maximum} members, got ${value.length}`);
  return value;
}

function seconds(date: Date): number {
  return date.getTime() / 1000;
}
