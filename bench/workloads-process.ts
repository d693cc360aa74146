/**
 * What the in-use sources read, in a process of its own for benchmarks: the emulator's ECS and
 * Lambda seeded with a fleet, and the Kubernetes stand-in with a cluster, each answering after an
 * injected round-trip time. Reports over IPC the requests each received.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcrEmulator } from '../src/emulator/server.js';
import { KubernetesStandIn, podSpec } from '../test/support/kubernetes.js';
import { digestFor, seedEcsFleet, seedLambdaFleet } from '../test/support/workloads.js';

const [clusters, services, functions, pods, latencyMs] = process.argv.slice(2).map(Number);
const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const started = performance.now();
const emulator = await EcrEmulator.start();
seedEcsFleet(emulator.workloads.ecsOf(), {
  clusters: clusters ?? 100,
  servicesPerCluster: services ?? 50,
  tasksPerService: 2,
  revisionsPerFamily: 3,
  registry,
});
seedLambdaFleet(emulator.workloads.lambdaOf(), functions ?? 1000, registry);
emulator.setFaults({ latencyMs: latencyMs ?? 20 });

const cluster = await KubernetesStandIn.start({ latencyMs: latencyMs ?? 20 });
const podCount = pods ?? 20_000;
// A Deployment per 10 pods (and two ReplicaSets each: the current one and a rollback), a few of the rest.
for (let index = 0; index < podCount; index += 1) {
  const namespace = `team-${index % 100}`;
  const app = `app-${Math.floor(index / 10)}`;
  cluster.add('pods', {
    metadata: { namespace, name: `${app}-${index}` },
    spec: podSpec({ app: `${registry}/${app}:v2`, proxy: 'envoyproxy/envoy:v1.31.0' }),
    status: {
      containerStatuses: [
        { name: 'app', image: `${registry}/${app}:v2`, imageID: `${registry}/${app}@${digestFor(app)}` },
      ],
    },
  });
}
for (let index = 0; index < podCount / 10; index += 1) {
  const metadata = { namespace: `team-${index % 100}`, name: `app-${index}` };
  cluster.add('deployments', {
    metadata,
    spec: { template: { spec: podSpec({ app: `${registry}/app-${index}:v2` }) } },
  });
  for (const version of ['v1', 'v2'])
    cluster.add('replicasets', {
      metadata: { ...metadata, name: `app-${index}-${version}` },
      spec: { template: { spec: podSpec({ app: `${registry}/app-${index}:${version}` }) } },
    });
}
for (let index = 0; index < 100; index += 1) {
  const metadata = { namespace: 'batch', name: `report-${index}` };
  cluster.add('cronjobs', {
    metadata,
    spec: { jobTemplate: { spec: { template: { spec: podSpec({ run: `${registry}/report:${index}` }) } } } },
  });
  cluster.add('jobs', {
    metadata,
    spec: { template: { spec: podSpec({ run: `${registry}/report:${index}` }) } },
  });
  cluster.add('statefulsets', {
    metadata,
    spec: { template: { spec: podSpec({ db: `${registry}/db:${index}` }) } },
  });
  cluster.add('daemonsets', {
    metadata,
    spec: { template: { spec: podSpec({ agent: `${registry}/agent:${index}` }) } },
  });
}
const kubeconfig = await cluster.writeKubeconfig(await mkdtemp(join(tmpdir(), 'janitor-bench-kube-')));

process.send?.({
  ready: true,
  endpoint: emulator.endpoint,
  kubeconfig,
  seedSeconds: (performance.now() - started) / 1000,
});
process.on('message', (message: { command: string }) => {
  if (message.command === 'counts') {
    process.send?.({ counts: { ...emulator.requestCounts(), ...Object.fromEntries(cluster.requests) } });
  } else if (message.command === 'reset') {
    emulator.resetRequestCounts();
    cluster.requests.clear();
    process.send?.({ reset: true });
  } else if (message.command === 'stop') {
    void Promise.all([emulator.stop(), cluster.stop()]).then(() => process.exit(0));
  }
});
