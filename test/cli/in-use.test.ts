import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildImageManifest, buildIndex } from '../../src/emulator/manifests.js';
import { runCli } from '../support/cli.js';
import { type EmulatedEcr, inventoryOf, startEmulatedEcr } from '../support/emulator.js';
import { KubernetesStandIn } from '../support/kubernetes.js';

const host = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const role = 'arn:aws:iam::111122223333:role/janitor-read';
const day = 86_400_000;

/**
 * The whole path as a person runs it: the `janitor` binary, a config with every kind of source,
 * ECS in two accounts and regions (a profile, the default credentials), Lambda in a third account
 * through an assumed role, a Kubernetes cluster through a kubeconfig, and a list of references.
 */
describe('janitor plan/apply/check with in-use sources (child process, real clients)', () => {
  let ecr: EmulatedEcr;
  let cluster: KubernetesStandIn;
  let directory: string;
  let environment: Record<string, string>;
  const releases = new Map<string, string>();
  let platformChild = '';

  /** Without `kubernetes`, a run does not load @kubernetes/client-node (seconds on this machine). */
  const writeConfig = async (extra = '', kubernetes = true) => {
    const path = join(directory, 'janitor.yaml');
    await writeFile(
      path,
      `registry: {type: ecr, region: us-east-1}
rules:
  - {repositories: [api], tags: tag, keep: 3, drop: 20, maxDeleteShare: off}
inUse:
  ecs:
    - {region: us-east-1}
    - {region: eu-west-1, profile: europe}
  lambda:
    - {region: us-east-1, roleArn: "${role}"}
  kubernetes: ${kubernetes ? `[{kubeconfig: ${join(directory, 'kubeconfig-stand-in')}, context: stand-in}]` : '[]'}
  references:
    files: [${join(directory, 'images.txt')}]
${extra}`,
    );
    return path;
  };

  beforeEach(async () => {
    ecr = await startEmulatedEcr();
    directory = await mkdtemp(join(tmpdir(), 'janitor-in-use-'));
    const now = Date.now();
    // api: v0.1.0 … v0.15.0, a day apart; v0.4.0 is a multi-arch index.
    for (let minor = 1; minor <= 15; minor += 1) {
      const tag = `v0.${minor}.0`;
      const pushedAt = new Date(now - (20 - minor) * day);
      if (minor === 4) {
        const children = ['amd64', 'arm64'].map((architecture) =>
          buildImageManifest({ seed: `api/${tag}/${architecture}`, platform: { os: 'linux', architecture } }),
        );
        for (const child of children)
          ecr.emulator.state.putImage('api', { manifest: child.text, mediaType: child.mediaType, pushedAt });
        platformChild = (children[0] as { digest: string }).digest;
        const index = buildIndex(children);
        releases.set(
          tag,
          ecr.emulator.state.putImage('api', {
            manifest: index.text,
            mediaType: index.mediaType,
            tag,
            pushedAt,
          }),
        );
      } else {
        const image = buildImageManifest({ seed: `api/${tag}` });
        releases.set(
          tag,
          ecr.emulator.state.putImage('api', {
            manifest: image.text,
            mediaType: image.mediaType,
            tag,
            pushedAt,
          }),
        );
      }
    }
    const workloads = ecr.emulator.workloads;
    // ECS in the registry's own account: a service pinned to an old release.
    const ecs = workloads.ecsOf();
    ecs.createService(
      'prod',
      'api',
      ecs.registerTaskDefinition('api', [{ name: 'api', image: `${host}/api:v0.2.0` }]),
    );
    // ECS in another account and region (through a profile): a task pinned to a platform manifest.
    workloads.accounts.addKey('AKIAEUROPEPROFILE', '222233334444');
    const europe = workloads.ecsOf('222233334444', 'eu-west-1');
    europe.runTask(
      'batch',
      europe.registerTaskDefinition('nightly', [{ name: 'run', image: `${host}/api@${platformChild}` }]),
    );
    // Lambda in a third account, read through an assumed role: an alias on an old build.
    workloads.accounts.allowRole(role);
    const lambda = workloads.lambdaOf('111122223333', 'us-east-1');
    lambda.createFunction('billing', {
      image: `${host}/api:v0.3.0`,
      digest: releases.get('v0.3.0') as string,
    });
    lambda.createAlias('billing', 'live', lambda.publishVersion('billing'));
    lambda.updateImage('billing', `${host}/api:v0.15.0`, releases.get('v0.15.0') as string);
    // Kubernetes: a weekly CronJob on an old release.
    cluster = await KubernetesStandIn.start();
    await cluster.writeKubeconfig(directory);
    cluster.add('cronjobs', {
      metadata: { namespace: 'batch', name: 'report' },
      spec: {
        schedule: '0 3 * * 1',
        jobTemplate: {
          spec: { template: { spec: { containers: [{ name: 'report', image: `${host}/api:v0.5.0` }] } } },
        },
      },
    });
    // A list: one of ours, and two of other registries (Docker Hub, another account's ECR).
    await writeFile(
      join(directory, 'images.txt'),
      `# deployed by the CD system\n${host}/api:v0.6.0\nnginx:1.27\n999999999999.dkr.ecr.us-east-1.amazonaws.com/api:v0.1.0\n`,
    );
    await writeFile(join(directory, 'aws-config'), '[profile europe]\nregion = eu-west-1\n');
    await writeFile(
      join(directory, 'aws-credentials'),
      '[europe]\naws_access_key_id = AKIAEUROPEPROFILE\naws_secret_access_key = europe-secret\n',
    );
    environment = {
      ...ecr.environment,
      AWS_ENDPOINT_URL_ECS: ecr.emulator.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: ecr.emulator.endpoint,
      AWS_ENDPOINT_URL_STS: ecr.emulator.endpoint,
      AWS_CONFIG_FILE: join(directory, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(directory, 'aws-credentials'),
    };
  });
  afterEach(async () => {
    await ecr.emulator.stop();
    await cluster.stop();
  });

  it('keeps what every source says is in use, with its reason, and deletes the rest', async () => {
    const config = await writeConfig();
    const plan = await runCli(['plan', '--config', config], environment);
    expect(plan.stderr).toBe('');
    expect(plan.exitCode).toBe(0);
    const kept = (tag: string, reason: string) =>
      new RegExp(`kept ${tag.replace(/\./g, '\\.')} \\(sha256:\\w{12}\\): ${reason}`);
    expect(plan.stdout).toMatch(kept('v0.2.0', 'in use by ecs service prod/api \\(task definition api:1\\)'));
    expect(plan.stdout).toMatch(kept('v0.3.0', 'in use by lambda billing:live'));
    expect(plan.stdout).toMatch(
      kept('v0.4.0', 'its manifest sha256:\\w{12} is in use by ecs task batch/\\w+'),
    );
    expect(plan.stdout).toMatch(kept('v0.5.0', 'in use by kubernetes cronjob batch/report'));
    expect(plan.stdout).toMatch(kept('v0.6.0', 'in use by list .*images.txt \\(line 2\\)'));
    expect(plan.stdout).toContain(
      'ecs us-east-1, ecs eu-west-1 (profile europe), lambda us-east-1 (role arn:aws:iam::111122223333:role/janitor-read)',
    );
    // Another registry's api:v0.1.0 keeps nothing here: ours goes.
    expect(plan.stdout).toMatch(/│ v0\.1\.0 /);

    const json = JSON.parse((await runCli(['plan', '--config', config, '--json'], environment)).stdout);
    const decisions = json.handlers[0].images.filter(
      (image: { reason: string }) => image.reason === 'in-use',
    );
    expect(decisions.map((decision: { tags: string[] }) => decision.tags[0]).sort()).toEqual([
      'v0.2.0',
      'v0.3.0',
      'v0.4.0',
      'v0.5.0',
      'v0.6.0',
    ]);
    expect(json.inUse.failures).toEqual([]);

    const audit = join(directory, 'audit.jsonl');
    const apply = await runCli(['apply', '--config', config, '--audit-log', audit], environment);
    expect(apply.exitCode).toBe(0);
    const left = (await ecr.driver.listImages('api')).flatMap((image) => image.tags).sort();
    expect(left).toEqual(['v0.13.0', 'v0.14.0', 'v0.15.0', 'v0.2.0', 'v0.3.0', 'v0.4.0', 'v0.5.0', 'v0.6.0']);
    expect(inventoryOf(ecr)).toContain(`api@${platformChild}`);
    const entries = (await readFile(audit, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries.filter((entry) => entry.action === 'deleted')).toHaveLength(7);
    expect(entries.filter((entry) => entry.action === 'kept').map((entry) => entry.reason)).toContainEqual(
      'in use by kubernetes cronjob batch/report',
    );
  });

  it('fails closed: any source it cannot read blocks every handler, names the source and its error, and deletes nothing', async () => {
    const before = inventoryOf(ecr);
    const cases: [string, () => Promise<void> | void, () => void, RegExp, boolean?][] = [
      [
        'ECS permissions',
        () =>
          ecr.emulator.workloads.failOperation('ListClusters', {
            type: 'AccessDeniedException',
            message: 'not authorized to perform: ecs:ListClusters',
          }),
        () => ecr.emulator.workloads.failOperation('ListClusters'),
        /the in-use source ecs us-east-1 could not be read completely \(AccessDeniedException: not authorized to perform: ecs:ListClusters\)/,
      ],
      [
        'an assumed role refused',
        () =>
          ecr.emulator.workloads.failOperation('AssumeRole', {
            type: 'AccessDenied',
            status: 403,
            message: 'not authorized to perform: sts:AssumeRole',
          }),
        () => ecr.emulator.workloads.failOperation('AssumeRole'),
        /lambda us-east-1 \(role arn:aws:iam::111122223333:role\/janitor-read\) could not be read completely \(.*sts:AssumeRole/,
      ],
      [
        'Kubernetes RBAC',
        () => cluster.forbid('cronjobs'),
        () => cluster.forbid(),
        /kubernetes context stand-in of .* could not be read completely \(listing cronjobs: HTTP 403 Forbidden/,
        true,
      ],
      [
        'a list with a line that is no reference',
        () => writeFile(join(directory, 'images.txt'), 'not a reference at all\n'),
        () => undefined,
        /references file .*images.txt could not be read completely \(list .*images.txt, line 1: "not a reference at all" has a malformed/,
      ],
    ];
    for (const [name, breakIt, repair, message, kubernetes = false] of cases) {
      await breakIt();
      const result = await runCli(['apply', '--config', await writeConfig('', kubernetes)], environment);
      expect(result.exitCode, name).toBe(1);
      expect(result.stdout, name).toMatch(/api:v — 0 of 0 going/);
      expect(result.stdout, name).toMatch(message);
      expect(inventoryOf(ecr), name).toEqual(before);
      repair();
    }
    const command = await runCli(
      ['apply', '--config', await writeConfig(`    commands: ["echo ${host}/api:v0.7.0; exit 3"]`, false)],
      environment,
    );
    expect(command.exitCode).toBe(1);
    expect(command.stdout).toMatch(
      /references command `echo .*exit 3` could not be read completely \(`echo .*` exited with status 3\)/,
    );
    expect(inventoryOf(ecr)).toEqual(before);
  });

  it('check reports references to this registry that name nothing', async () => {
    await writeFile(
      join(directory, 'images.txt'),
      `${host}/api:v0.6.0\n${host}/api:v9.9.9\n${host}/gone:v1\n${host}/api@sha256:${'d'.repeat(64)}\nnginx:1.27\n`,
    );
    const result = await runCli(['check', '--config', await writeConfig('', false)], environment);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /cannot pull .*\/api:v9\.9\.9 \(list .* \(line 2\)\): no image in api has the tag v9\.9\.9/,
    );
    expect(result.stdout).toMatch(/cannot pull .*\/gone:v1 .*: the repository gone does not exist/);
    expect(result.stdout).toMatch(/cannot pull .*\/api@sha256:d{64} .*: api does not hold sha256:d{64}/);
    expect(result.stdout).not.toMatch(/cannot pull .*v0\.6\.0|nginx/);
  });
});
