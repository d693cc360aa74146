import { z } from 'zod';
import { duration } from './duration-schema.js';

/** Where an AWS source reads: one region of one account, reached through a profile and/or a role. */
const awsSource = {
  region: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'is required: a source reads one region, such as us-east-1'
          : 'must be an AWS region such as us-east-1',
    })
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { message: 'must be an AWS region such as us-east-1' })
    .describe('The region to read (required: a source covers one region).'),
  profile: z
    .string()
    .min(1)
    .optional()
    .describe('A profile of your AWS config/credentials files; default: the standard credential chain.'),
  roleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, {
      message: 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/janitor-read',
    })
    .optional()
    .describe('A role to assume (from the profile or the default credentials): read another account.'),
};

const ecsSource = z.strictObject({
  ...awsSource,
  taskDefinitionRevisions: z
    .int()
    .min(0, { message: 'cannot be negative (0 keeps no rollback revision)' })
    .max(100)
    .default(5)
    .describe('Newest revisions of each active task-definition family kept as rollback targets (default 5).'),
});

const kubernetesSource = z
  .strictObject({
    kubeconfig: z
      .string()
      .min(1)
      .optional()
      .describe('A kubeconfig file; default: $KUBECONFIG, else ~/.kube/config.'),
    context: z
      .string()
      .min(1)
      .optional()
      .describe('A context of the kubeconfig; default: its current context.'),
    inCluster: z
      .boolean()
      .optional()
      .describe('Use the pod’s service account (when the janitor runs in the cluster it reads).'),
  })
  .refine((source) => !(source.inCluster && (source.kubeconfig || source.context)), {
    message:
      'inCluster reads the pod’s own service account: it cannot be combined with kubeconfig or context',
  });

const command = z.union(
  [z.string().min(1), z.array(z.string().min(1)).min(1, { message: 'must name the program to run' })],
  { error: () => 'must be a shell command (a string) or a program and its arguments (a list)' },
);

/** The `inUse` section: images that run or are listed are never deleted. */
export const inUseSchema = z
  .strictObject({
    ecs: z
      .array(ecsSource)
      .default([])
      .describe('ECS: running and pending tasks, services’ deployments, newest task-definition revisions.'),
    lambda: z
      .array(z.strictObject(awsSource))
      .default([])
      .describe('Lambda container-image functions: $LATEST and every version an alias points to.'),
    kubernetes: z
      .array(kubernetesSource)
      .default([])
      .describe('Pods and the pod templates of workloads, including those scaled to zero.'),
    references: z
      .strictObject({
        files: z.array(z.string().min(1)).default([]).describe('Files of image references, one a line.'),
        commands: z.array(command).default([]).describe('Commands whose standard output is such a list.'),
      })
      .optional(),
    refresh: duration
      .default('5m')
      .describe('How long the daemon reuses what the sources said (default 5m).'),
    timeout: duration.default('2m').describe('The longest one source may take to read (default 2m).'),
  })
  .refine(
    (inUse) =>
      inUse.ecs.length +
        inUse.lambda.length +
        inUse.kubernetes.length +
        (inUse.references?.files.length ?? 0) +
        (inUse.references?.commands.length ?? 0) >
      0,
    { message: 'lists no source: give ecs, lambda, kubernetes or references (or leave inUse out)' },
  );

export type InUseFile = z.infer<typeof inUseSchema>;
