// Amazon ECS's JSON 1.1 API (target prefix AmazonEC2ContainerServiceV20141113.) for what the
// janitor reads: clusters, services, tasks and task definitions, with the real page sizes and
// batch limits. Answers are per account and region of the caller (see accounts.ts).
import { ApiError } from './api-error.js';
import { serviceShape, taskDefinitionShape, taskShape } from './ecs-shapes.js';
import type { ClusterRecord, EcsRegion, TaskDefinitionRecord } from './ecs-state.js';
import { type Input, invalid, optionalString, optionalStrings } from './input.js';
import type { PageTokens } from './tokens.js';

export const ecsTargetPrefix = 'AmazonEC2ContainerServiceV20141113.';

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
    const maxResults = optionalPageSize(input) ?? limit;
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
        const names = requiredList(input, 'services', 10);
        const services = [];
        const failures = [];
        for (const name of names) {
          const service = cluster.services.get(name.slice(name.lastIndexOf('/') + 1));
          if (service === undefined) {
            failures.push({ arn: name, reason: 'MISSING' });
            continue;
          }
          services.push(serviceShape(service));
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
          throw invalid('desiredStatus must be RUNNING, PENDING or STOPPED');
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
        const ids = requiredList(input, 'tasks', 100);
        const tasks = [];
        const failures = [];
        for (const id of ids) {
          const task = cluster.tasks.get(id.slice(id.lastIndexOf('/') + 1));
          if (task === undefined) {
            failures.push({ arn: id, reason: 'MISSING' });
            continue;
          }
          tasks.push(taskShape(task));
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
        return { taskDefinition: taskDefinitionShape(record) };
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

/** ECS's own limits on a list of names or ids: `services` 1–10, `tasks` 1–100. */
function requiredList(input: Input, name: string, maximum: number): string[] {
  const value = optionalStrings(input, name, 1, maximum);
  if (value === undefined) throw invalid(`${name} is required`);
  return value;
}

/** `maxResults` of ECS's list calls: 1 to 100. */
function optionalPageSize(input: Input): number | undefined {
  const value = input.maxResults;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100)
    throw invalid(`maxResults must be an integer from 1 to 100, got ${JSON.stringify(value)}`);
  return value;
}
