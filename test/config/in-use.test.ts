import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { problemsOf } from '../support/config.js';

const base = `
registry: {type: ecr, region: us-east-1}
rules:
  - {repositories: [api], tags: tag, keep: 10, drop: 5}
`;

describe('config: inUse', () => {
  it('reads sources in several accounts and regions, with defaults for what is left out', () => {
    const config = parseConfig(
      `${base}
inUse:
  ecs:
    - {region: us-east-1}
    - {region: eu-west-1, roleArn: "arn:aws:iam::111122223333:role/janitor-read", taskDefinitionRevisions: 2}
  lambda:
    - {region: us-east-1, profile: prod}
    - {region: ap-southeast-2, profile: prod, roleArn: "arn:aws:iam::444455556666:role/janitor-read"}
  kubernetes:
    - {kubeconfig: ~/.kube/config, context: prod}
    - {inCluster: true}
  references:
    files: [/etc/janitor/images.txt]
    commands: ["aws apprunner list-services --output text", [/usr/local/bin/list-images, --all]]
`,
      'janitor.yaml',
    );
    expect(config.inUse).toEqual({
      ecs: [
        { region: 'us-east-1', taskDefinitionRevisions: 5 },
        {
          region: 'eu-west-1',
          roleArn: 'arn:aws:iam::111122223333:role/janitor-read',
          taskDefinitionRevisions: 2,
        },
      ],
      lambda: [
        { region: 'us-east-1', profile: 'prod' },
        { region: 'ap-southeast-2', profile: 'prod', roleArn: 'arn:aws:iam::444455556666:role/janitor-read' },
      ],
      kubernetes: [{ kubeconfig: '~/.kube/config', context: 'prod' }, { inCluster: true }],
      references: {
        files: ['/etc/janitor/images.txt'],
        commands: ['aws apprunner list-services --output text', ['/usr/local/bin/list-images', '--all']],
      },
      refreshMs: 300_000,
      timeoutMs: 120_000,
    });
  });

  it('names every wrong field', () => {
    expect(
      problemsOf(`${base}
inUse:
  ecs:
    - {region: us-east1, roleArn: "arn:aws:iam::1111:role/x", taskDefinitionRevisions: -1}
    - {profile: prod}
  lambda:
    - {region: us-east-1, roles: x}
  kubernetes:
    - {inCluster: true, context: prod}
  references:
    commands: [[]]
  refresh: 5 minutes
`),
    ).toEqual([
      'inUse.ecs[0].region: must be an AWS region such as us-east-1',
      'inUse.ecs[0].roleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/janitor-read',
      'inUse.ecs[0].taskDefinitionRevisions: cannot be negative (0 keeps no rollback revision)',
      'inUse.ecs[1].region: is required: a source reads one region, such as us-east-1',
      'inUse.lambda[0]: unknown key "roles"',
      'inUse.kubernetes[0]: inCluster reads the pod’s own service account: it cannot be combined with kubeconfig or context',
      'inUse.references.commands[0]: must name the program to run',
      'inUse.refresh: must be a duration from 1s to 24d, such as 90s, 30m, 1h or 1d',
    ]);
  });

  it('refuses an inUse section with no source, and a registry id that is no account id', () => {
    expect(problemsOf(`${base}inUse: {refresh: 1m}\n`)).toEqual([
      'inUse: lists no source: give ecs, lambda, kubernetes or references (or leave inUse out)',
    ]);
    expect(problemsOf(base.replace('region: us-east-1}', 'region: us-east-1, registryId: "12345"}'))).toEqual(
      ['registry.registryId: must be a 12-digit AWS account id such as 123456789012'],
    );
  });
});
