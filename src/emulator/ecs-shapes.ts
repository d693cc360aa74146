// How ECS writes clusters' services, tasks and task definitions in its answers (JSON 1.1:
// timestamps as epoch seconds), from the records of ecs-state.ts.
import type { ServiceRecord, TaskDefinitionRecord, TaskRecord } from './ecs-state.js';

export function serviceShape(service: ServiceRecord) {
  return {
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
  };
}

export function taskShape(task: TaskRecord) {
  return {
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
  };
}

export function taskDefinitionShape(record: TaskDefinitionRecord) {
  return {
    taskDefinitionArn: record.arn,
    family: record.family,
    revision: record.revision,
    status: record.status,
    containerDefinitions: record.containerDefinitions.map((container) => ({ ...container, essential: true })),
    registeredAt: seconds(record.registeredAt),
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
  };
}

function seconds(date: Date): number {
  return date.getTime() / 1000;
}
