import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../src/config/load.js';

const read = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8');

describe('deployment files', () => {
  it('the IAM policy grants exactly the actions the code calls: ECR, and the ECS, Lambda and STS of in-use', async () => {
    // Each place that calls AWS, and the service its commands and paginators belong to.
    const callers: [string, string][] = [
      ...(await readdir(new URL('../src/registry/ecr/', import.meta.url))).map((file): [string, string] => [
        `src/registry/ecr/${file}`,
        'ecr',
      ]),
      ['src/inuse/ecs.ts', 'ecs'],
      ['src/inuse/lambda.ts', 'lambda'],
    ];
    const used = new Set<string>();
    for (const [path, service] of callers) {
      for (const match of (await read(path)).matchAll(/\b(?:(\w+)Command\b|paginate(\w+)\()/g))
        used.add(`${service}:${match[1] ?? match[2]}`);
    }
    // A source with a roleArn assumes it through STS (the credential provider's call).
    if ((await read('src/inuse/aws.ts')).includes('fromTemporaryCredentials(')) used.add('sts:AssumeRole');
    const policy = JSON.parse(await read('deploy/iam-policy.json'));
    const granted = new Set(policy.Statement.flatMap((statement: { Action: string[] }) => statement.Action));
    expect([...granted].sort()).toEqual([...used].sort());
  });

  it('the Kubernetes manifests parse, and their config is a valid janitor config', async () => {
    const documents = [];
    for (const file of [
      'config.yaml',
      'daemon.yaml',
      'cronjob.yaml',
      'pod-monitor.yaml',
      'prometheus-rule.yaml',
      'rbac.yaml',
    ]) {
      for (const document of parseAllDocuments(await read(`deploy/kubernetes/${file}`))) {
        expect(document.errors, file).toEqual([]);
        documents.push(document.toJS());
      }
    }
    const configMap = documents.find((document) => document.kind === 'ConfigMap');
    expect(() => parseConfig(configMap.data['config.yaml'], 'ConfigMap registry-janitor')).not.toThrow();
    const deployment = documents.find((document) => document.kind === 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.args).toContain('0.0.0.0:9464');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/livez');
    // The PodMonitor scrapes the daemon's metrics port under the job name the alert rules select.
    const podMonitor = documents.find((document) => document.kind === 'PodMonitor');
    expect(podMonitor.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    expect(podMonitor.spec.podMetricsEndpoints[0].port).toBe(container.ports[0].name);
    const jobName = deployment.spec.template.metadata.labels[podMonitor.spec.jobLabel];
    const rules = documents.find((document) => document.kind === 'PrometheusRule');
    const upRules = rules.spec.groups[0].rules.filter((rule: { expr: string }) => /\bup\{/.test(rule.expr));
    expect(upRules.length).toBeGreaterThan(0);
    for (const rule of upRules) expect(rule.expr).toContain(`job="${jobName}"`);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(10);
    expect(parseConfig(configMap.data['config.yaml'], 'ConfigMap').inUse?.kubernetes).toEqual([
      { inCluster: true },
    ]);
    // The ClusterRole grants get and list of exactly what the Kubernetes source lists, to the janitor.
    const role = documents.find((document) => document.kind === 'ClusterRole');
    const granted = role.rules.flatMap((rule: { resources: string[]; verbs: string[] }) => {
      expect(rule.verbs).toEqual(['get', 'list']);
      return rule.resources;
    });
    const listed = [...(await read('src/inuse/kubernetes.ts')).matchAll(/readAll\(\s*'(\w+)'/g)].map(
      (match) => match[1],
    );
    expect(granted.sort()).toEqual(listed.sort());
    const binding = documents.find((document) => document.kind === 'ClusterRoleBinding');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    const account = documents.find((document) => document.kind === 'ServiceAccount');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: account.metadata.name, namespace: 'registry-janitor' },
    ]);
    const cronJob = documents.find((document) => document.kind === 'CronJob');
    expect(cronJob.spec.jobTemplate.spec.template.spec.containers[0].command).toContain('apply');
  });

  it('the Dockerfile runs the daemon as the unprivileged node user on Node 20', async () => {
    const dockerfile = await read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/app/bin/janitor.js", "daemon"]');
    // A config is required: the image names where it is mounted.
    expect(dockerfile).toContain('JANITOR_CONFIG=/etc/janitor/config.yaml');
    // Nothing between the supervisor and the daemon that would swallow SIGTERM.
    const instructions = dockerfile.split('\n').filter((line) => !line.startsWith('#'));
    expect(instructions.join('\n')).not.toMatch(/\bnpx\b|npm (run|exec|start)/);
  });
});
