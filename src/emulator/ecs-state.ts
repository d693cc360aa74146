import { createHash } from 'node:crypto';

export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
}

export interface TaskDefinitionRecord {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  readonly containerDefinitions: readonly ContainerDefinition[];
  readonly registeredAt: Date;
}

export interface DeploymentRecord {
  readonly id: string;
  readonly status: 'PRIMARY' | 'ACTIVE';
  readonly taskDefinition: string;
  readonly createdAt: Date;
}

export interface ServiceRecord {
  readonly arn: string;
  readonly name: string;
  readonly clusterArn: string;
  readonly taskDefinition: string;
  readonly deployments: readonly DeploymentRecord[];
  readonly desiredCount: number;
  readonly createdAt: Date;
}

export interface TaskRecord {
  readonly arn: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly group: string;
  readonly desiredStatus: 'RUNNING' | 'STOPPED';
  readonly lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  readonly containers: readonly {
    readonly name: string;
    readonly image: string;
    readonly imageDigest?: string;
  }[];
  readonly createdAt: Date;
}

export interface ClusterRecord {
  readonly arn: string;
  readonly name: string;
  readonly services: Map<string, ServiceRecord>;
  readonly tasks: Map<string, TaskRecord>;
}

/**
 * What ECS holds in one account and region: clusters with their services and tasks, and task
 * definitions by family. Seeded directly (the janitor only reads ECS); the ECS API in ecs.ts reads it.
 */
export class EcsRegion {
  readonly clusters = new Map<string, ClusterRecord>();
  readonly families = new Map<string, TaskDefinitionRecord[]>();
  private serial = 0;

  constructor(
    readonly account: string,
    readonly region: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.account}:${resource}`;
  }

  createCluster(name: string): string {
    let cluster = this.clusters.get(name);
    if (cluster === undefined) {
      cluster = { arn: this.arn(`cluster/${name}`), name, services: new Map(), tasks: new Map() };
      this.clusters.set(name, cluster);
    }
    return cluster.arn;
  }

  /** The next revision of the family; returns its ARN. */
  registerTaskDefinition(family: string, containerDefinitions: readonly ContainerDefinition[]): string {
    const revisions = this.families.get(family) ?? [];
    const revision = revisions.length + 1;
    const record: TaskDefinitionRecord = {
      arn: this.arn(`task-definition/${family}:${revision}`),
      family,
      revision,
      status: 'ACTIVE',
      containerDefinitions,
      registeredAt: this.now(),
    };
    revisions.push(record);
    this.families.set(family, revisions);
    return record.arn;
  }

  deregisterTaskDefinition(arn: string): void {
    const record = this.taskDefinition(arn);
    if (record) record.status = 'INACTIVE';
  }

  /** `family:revision`, an ARN, or a family alone (its newest active revision). */
  taskDefinition(reference: string): TaskDefinitionRecord | undefined {
    const name = reference.startsWith('arn:') ? reference.slice(reference.indexOf('/') + 1) : reference;
    const colon = name.lastIndexOf(':');
    if (colon < 0)
      return this.families
        .get(name)
        ?.filter((record) => record.status === 'ACTIVE')
        .at(-1);
    const revision = Number(name.slice(colon + 1));
    return this.families.get(name.slice(0, colon))?.find((record) => record.revision === revision);
  }

  /**
   * A service on its task definition; `rollingFrom` adds the deployment still being replaced
   * (an ACTIVE deployment beside the PRIMARY one, as during a rolling update).
   */
  createService(
    cluster: string,
    name: string,
    taskDefinition: string,
    options: { rollingFrom?: string; desiredCount?: number } = {},
  ): string {
    const record = this.cluster(cluster);
    const deployment = (status: 'PRIMARY' | 'ACTIVE', definition: string): DeploymentRecord => ({
      id: `ecs-svc/${this.nextId().slice(0, 19)}`,
      status,
      taskDefinition: definition,
      createdAt: this.now(),
    });
    const service: ServiceRecord = {
      arn: this.arn(`service/${record.name}/${name}`),
      name,
      clusterArn: record.arn,
      taskDefinition,
      deployments: [
        deployment('PRIMARY', taskDefinition),
        ...(options.rollingFrom ? [deployment('ACTIVE', options.rollingFrom)] : []),
      ],
      desiredCount: options.desiredCount ?? 1,
      createdAt: this.now(),
    };
    record.services.set(name, service);
    return service.arn;
  }

  /** A task of the task definition; `digests` gives what each container pulled, by container name. */
  runTask(
    cluster: string,
    taskDefinition: string,
    options: { group?: string; digests?: Record<string, string>; stopped?: boolean; pending?: boolean } = {},
  ): string {
    const record = this.cluster(cluster);
    const definition = this.taskDefinition(taskDefinition);
    if (definition === undefined) throw new Error(`no task definition ${taskDefinition}`);
    const id = this.nextId();
    const task: TaskRecord = {
      arn: this.arn(`task/${record.name}/${id}`),
      clusterArn: record.arn,
      taskDefinitionArn: definition.arn,
      group: options.group ?? `family:${definition.family}`,
      desiredStatus: options.stopped ? 'STOPPED' : 'RUNNING',
      lastStatus: options.stopped ? 'STOPPED' : options.pending ? 'PENDING' : 'RUNNING',
      containers: definition.containerDefinitions.map((container) => ({
        name: container.name,
        image: container.image,
        ...(options.digests?.[container.name] && { imageDigest: options.digests[container.name] }),
      })),
      createdAt: this.now(),
    };
    record.tasks.set(id, task);
    return task.arn;
  }

  /** By name or ARN; ECS calls without a cluster mean `default`. */
  findCluster(reference: string | undefined): ClusterRecord | undefined {
    const name = reference === undefined ? 'default' : reference.slice(reference.lastIndexOf('/') + 1);
    return this.clusters.get(name);
  }

  private cluster(name: string): ClusterRecord {
    this.createCluster(name);
    return this.clusters.get(name) as ClusterRecord;
  }

  private nextId(): string {
    this.serial += 1;
    return createHash('sha256')
      .update(`${this.account}/${this.region}/${this.serial}`)
      .digest('hex')
      .slice(0, 32);
  }
}
