import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesSource } from '../../src/inuse/kubernetes.js';
import type { ImageUseText } from '../../src/inuse/snapshot.js';
import { KubernetesStandIn, podSpec } from '../support/kubernetes.js';
import { digestFor } from '../support/workloads.js';

const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const meta = (namespace: string, name: string) => ({ metadata: { namespace, name } });

describe('the Kubernetes source, through @kubernetes/client-node against a stand-in API server', () => {
  let cluster: KubernetesStandIn;
  let kubeconfig: string;
  const read = (settings = { kubeconfig, context: 'stand-in' }) =>
    kubernetesSource(settings).read(AbortSignal.timeout(10_000));
  const byUser = (uses: ImageUseText[], usedBy: string) =>
    uses
      .filter((use) => use.usedBy === usedBy)
      .map((use) => use.image)
      .sort();

  beforeAll(async () => {
    cluster = await KubernetesStandIn.start();
    kubeconfig = await cluster.writeKubeconfig(await mkdtemp(join(tmpdir(), 'janitor-kube-')));
    cluster.add('pods', {
      ...meta('shop', 'web-7f9c'),
      spec: podSpec(
        { web: `${registry}/web:v1.4.0`, proxy: 'envoyproxy/envoy:v1.31.0' },
        { init: { migrate: `${registry}/migrate:v1.4.0` }, ephemeral: { debug: 'busybox' } },
      ),
      status: {
        containerStatuses: [
          { name: 'web', image: `${registry}/web:v1.4.0`, imageID: `${registry}/web@${digestFor('web')}` },
          // Docker's runtime writes a prefix; a bare config id names no manifest.
          {
            name: 'proxy',
            image: 'envoyproxy/envoy:v1.31.0',
            imageID: `docker-pullable://envoyproxy/envoy@${digestFor('envoy')}`,
          },
        ],
        initContainerStatuses: [{ name: 'migrate', image: 'x', imageID: `sha256:${'c'.repeat(64)}` }],
      },
    });
    cluster.add('deployments', {
      ...meta('shop', 'web'),
      spec: { replicas: 0, template: { spec: podSpec({ web: `${registry}/web:v1.4.0` }) } },
    });
    cluster.add('statefulsets', {
      ...meta('data', 'db'),
      spec: { template: { spec: podSpec({ db: `${registry}/db:15` }) } },
    });
    cluster.add('daemonsets', {
      ...meta('kube-system', 'agent'),
      spec: { template: { spec: podSpec({ agent: `${registry}/agent:3` }) } },
    });
    // An old ReplicaSet of the Deployment, scaled to zero: what a rollback would run.
    cluster.add('replicasets', {
      ...meta('shop', 'web-5d8b'),
      spec: { replicas: 0, template: { spec: podSpec({ web: `${registry}/web:v1.3.0` }) } },
    });
    cluster.add('jobs', {
      ...meta('batch', 'backfill'),
      spec: { template: { spec: podSpec({ run: `${registry}/backfill@${digestFor('backfill')}` }) } },
    });
    cluster.add('cronjobs', {
      ...meta('batch', 'report'),
      spec: {
        schedule: '0 3 * * 1',
        jobTemplate: { spec: { template: { spec: podSpec({ report: `${registry}/report:2024.06` }) } } },
      },
    });
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('reads every container of pods, the digests they pulled, and the pod templates of all workloads', async () => {
    const uses = await read();
    expect(byUser(uses, 'kubernetes pod shop/web-7f9c')).toEqual(
      [
        `${registry}/web:v1.4.0`,
        `${registry}/web@${digestFor('web')}`,
        'envoyproxy/envoy:v1.31.0',
        `docker-pullable://envoyproxy/envoy@${digestFor('envoy')}`,
        `${registry}/migrate:v1.4.0`,
        'busybox',
      ].sort(),
    );
    expect(byUser(uses, 'kubernetes deployment shop/web')).toEqual([`${registry}/web:v1.4.0`]);
    expect(byUser(uses, 'kubernetes statefulset data/db')).toEqual([`${registry}/db:15`]);
    expect(byUser(uses, 'kubernetes daemonset kube-system/agent')).toEqual([`${registry}/agent:3`]);
    expect(byUser(uses, 'kubernetes replicaset shop/web-5d8b')).toEqual([`${registry}/web:v1.3.0`]);
    expect(byUser(uses, 'kubernetes job batch/backfill')).toEqual([
      `${registry}/backfill@${digestFor('backfill')}`,
    ]);
    expect(byUser(uses, 'kubernetes cronjob batch/report')).toEqual([`${registry}/report:2024.06`]);
    expect(uses.some((use) => use.image.startsWith('sha256:'))).toBe(false);
  });

  it('pages with limit and continue, and starts a list over once when its continue token expired', async () => {
    const big = await KubernetesStandIn.start();
    try {
      for (let index = 0; index < 1_201; index += 1)
        big.add('pods', {
          ...meta(`team-${index % 7}`, `pod-${index}`),
          spec: podSpec({ app: `${registry}/app:${index}` }),
        });
      const path = await big.writeKubeconfig(await mkdtemp(join(tmpdir(), 'janitor-kube-')));
      const source = kubernetesSource({ kubeconfig: path });
      const uses = await source.read(AbortSignal.timeout(10_000));
      expect(new Set(uses.map((use) => use.image)).size).toBe(1_201);
      // 500 a page: 3 requests for the pods, 1 for each other (empty) list.
      expect(Object.fromEntries(big.requests)).toEqual({
        pods: 3,
        deployments: 1,
        statefulsets: 1,
        daemonsets: 1,
        replicasets: 1,
        jobs: 1,
        cronjobs: 1,
      });
      // A token expired halfway: the pods are listed again from the start, and all are there.
      big.requests.clear();
      big.expireContinueTokens();
      const again = await source.read(AbortSignal.timeout(10_000));
      expect(new Set(again.map((use) => use.image)).size).toBe(1_201);
      expect(big.requests.get('pods')).toBe(2 + 3);
      // Expired again on the second try: the source fails rather than return part of the pods.
      big.expireContinueTokens(2);
      await expect(source.read(AbortSignal.timeout(10_000))).rejects.toThrow(
        /listing pods: HTTP 410 Expired/,
      );
    } finally {
      await big.stop();
    }
  });

  it('fails when it cannot read everything: a resource RBAC does not grant, a wrong token, an unknown context', async () => {
    cluster.forbid('cronjobs');
    await expect(read()).rejects.toThrow(/listing cronjobs: HTTP 403 Forbidden: cronjobs is forbidden/);
    cluster.forbid();
    const stale = await cluster.writeKubeconfig(
      await mkdtemp(join(tmpdir(), 'janitor-kube-')),
      'stale',
      'revoked',
    );
    await expect(read({ kubeconfig: stale, context: 'stale' })).rejects.toThrow(/HTTP 401 Unauthorized/);
    await expect(read({ kubeconfig, context: 'elsewhere' })).rejects.toThrow(/no context "elsewhere"/);
    await expect(
      read({ kubeconfig: join(tmpdir(), 'no-such-kubeconfig'), context: 'stand-in' }),
    ).rejects.toThrow(/ENOENT/);
  });
});
