import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import { LambdaClient, ListAliasesCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcrEmulator } from '../src/emulator/server.js';

/** The ECS, Lambda and STS answers of the emulator, through the official clients, as the APIs answer. */
describe('emulator: ECS, Lambda and STS', () => {
  let emulator: EcrEmulator;
  const settings = (region = 'us-east-1') => ({
    region,
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  beforeAll(async () => {
    emulator = await EcrEmulator.start();
    const ecs = emulator.workloads.ecsOf();
    const definition = ecs.registerTaskDefinition('app', [{ name: 'app', image: 'nginx' }]);
    for (let index = 0; index < 25; index += 1) ecs.createService('prod', `service-${index}`, definition);
    const lambda = emulator.workloads.lambdaOf();
    for (let index = 0; index < 60; index += 1) lambda.createFunction(`function-${index}`, { zip: true });
    for (let index = 0; index < 55; index += 1) lambda.createAlias('function-0', `alias-${index}`, '$LATEST');
    emulator.workloads.ecsOf('123456789012', 'eu-west-1').createCluster('europe');
    emulator.workloads.ecsOf('111122223333', 'us-east-1').createCluster('other-account');
    emulator.workloads.accounts.allowRole('arn:aws:iam::111122223333:role/reader');
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('ECS: ListServices answers 10 a page unless asked for up to 100; Describe calls take at most 10 services, 100 tasks', async () => {
    const ecs = new ECSClient(settings());
    expect((await ecs.send(new ListServicesCommand({ cluster: 'prod' }))).serviceArns).toHaveLength(10);
    const all = await ecs.send(new ListServicesCommand({ cluster: 'prod', maxResults: 100 }));
    expect(all.serviceArns).toHaveLength(25);
    expect(all.nextToken).toBeUndefined();
    await expect(ecs.send(new ListServicesCommand({ cluster: 'prod', maxResults: 101 }))).rejects.toThrow(
      /maxResults/,
    );
    const eleven = Array.from({ length: 11 }, (_, index) => `service-${index}`);
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: eleven })),
    ).rejects.toThrow(/services must have between 1 and 10 members/);
    const tasks = Array.from({ length: 101 }, (_, index) => `task-${index}`);
    await expect(ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks }))).rejects.toThrow(
      /tasks must have between 1 and 100 members/,
    );
    const missing = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['gone'] }));
    expect(missing.failures).toEqual([{ arn: 'gone', reason: 'MISSING' }]);
    await expect(ecs.send(new ListServicesCommand({ cluster: 'nowhere' }))).rejects.toThrow(
      expect.objectContaining({ name: 'ClusterNotFoundException' }),
    );
  });

  it('Lambda: at most 50 functions and 50 aliases a page, whatever MaxItems asks', async () => {
    const lambda = new LambdaClient(settings());
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 1000 }));
    expect(first.Functions).toHaveLength(50);
    const second = await lambda.send(new ListFunctionsCommand({ MaxItems: 1000, Marker: first.NextMarker }));
    expect(second.Functions).toHaveLength(10);
    expect(second.NextMarker).toBeUndefined();
    const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: 'function-0', MaxItems: 1000 }));
    expect(aliases.Aliases).toHaveLength(50);
    expect(aliases.NextMarker).toBeDefined();
    await expect(lambda.send(new ListAliasesCommand({ FunctionName: 'nope' }))).rejects.toThrow(
      expect.objectContaining({ name: 'ResourceNotFoundException' }),
    );
  });

  it('answers per account and region: the signing key picks the account, the signature scope the region', async () => {
    const clusters = async (client: ECSClient) =>
      (await client.send(new ListClustersCommand({}))).clusterArns?.map((arn) => arn.split('/')[1]);
    expect(await clusters(new ECSClient(settings('us-east-1')))).toEqual(['prod']);
    expect(await clusters(new ECSClient(settings('eu-west-1')))).toEqual(['europe']);
    const assumed = (roleArn: string) =>
      new ECSClient({
        ...settings(),
        credentials: fromTemporaryCredentials({
          params: { RoleArn: roleArn, RoleSessionName: 'test' },
          masterCredentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          clientConfig: { region: 'us-east-1', endpoint: emulator.endpoint },
        }),
      });
    expect(await clusters(assumed('arn:aws:iam::111122223333:role/reader'))).toEqual(['other-account']);
    await expect(clusters(assumed('arn:aws:iam::111122223333:role/admin'))).rejects.toThrow(/sts:AssumeRole/);
  });
});
