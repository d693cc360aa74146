/**
 * Reading what is in use at fleet scale: the ECS source over clusters × services, the Lambda
 * source over functions, and the Kubernetes source over a cluster of pods — each through its real
 * client against the emulator or the stand-in (in a process of their own), with an injected
 * round-trip time. Reports wall time and requests by operation against the fewest the APIs allow.
 *
 *   npx tsx bench/in-use.ts [--clusters 100] [--services 50] [--functions 1000] [--pods 20000] [--runs 5] [--latency 20]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ecsSource } from '../src/inuse/ecs.js';
import { kubernetesSource } from '../src/inuse/kubernetes.js';
import { lambdaSource } from '../src/inuse/lambda.js';
import type { InUseSource } from '../src/inuse/snapshot.js';
import { argument, machine, summary } from './support.js';

const clusters = argument('clusters', 100);
const services = argument('services', 50);
const functions = argument('functions', 1000);
const pods = argument('pods', 20_000);
const runs = argument('runs', 5);
const latencyMs = argument('latency', 20);
const tasksPerService = 2;
const revisions = 3;
const rollbackRevisions = 5;
/** Requests the ECS and Lambda sources keep in flight. */
const sourceConcurrency = 8;

const child: ChildProcess = fork(
  fileURLToPath(new URL('./workloads-process.ts', import.meta.url)),
  [clusters, services, functions, pods, latencyMs].map(String),
  {
    execArgv: ['--max-old-space-size=8000', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  },
);
const next = <T>() => new Promise<T>((resolve) => child.once('message', (message) => resolve(message as T)));
const ready = await next<{ endpoint: string; kubeconfig: string; seedSeconds: number }>();
const ask = async <T>(command: string) => {
  const answer = next<T>();
  child.send({ command });
  return answer;
};
const client = {
  endpoint: ready.endpoint,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
};

const families = clusters * services;
const fewest: Record<string, Record<string, number>> = {
  ecs: {
    ListClusters: Math.ceil(clusters / 100),
    ListServices: clusters * Math.ceil(services / 100),
    DescribeServices: clusters * Math.ceil(services / 10),
    ListTasks: clusters * Math.max(1, Math.ceil((services * tasksPerService) / 100)),
    DescribeTasks: clusters * Math.ceil((services * tasksPerService) / 100),
    ListTaskDefinitionFamilies: Math.ceil(families / 100),
    ListTaskDefinitions: families,
    DescribeTaskDefinition: families * Math.min(revisions, rollbackRevisions),
  },
  lambda: { ListFunctions: Math.ceil(functions / 50), ListAliases: functions, GetFunction: 2 * functions },
  kubernetes: {
    pods: Math.ceil(pods / 500),
    deployments: Math.ceil(pods / 10 / 500),
    replicasets: Math.ceil(pods / 5 / 500),
    statefulsets: 1,
    daemonsets: 1,
    jobs: 1,
    cronjobs: 1,
  },
};

const lines: string[] = [];
const measure = async (label: string, kind: string, make: () => InUseSource, warm = false) => {
  const walls: number[] = [];
  let counts: Record<string, number> = {};
  let images = 0;
  const kept = warm ? make() : undefined;
  if (kept) await kept.read(AbortSignal.timeout(600_000));
  for (let run = 0; run < runs; run += 1) {
    await ask('reset');
    const source = kept ?? make();
    const started = performance.now();
    const uses = await source.read(AbortSignal.timeout(600_000));
    walls.push((performance.now() - started) / 1000);
    images = new Set(uses.map((use) => use.image)).size;
    ({ counts } = await ask<{ counts: Record<string, number> }>('counts'));
  }
  const expected = { ...fewest[kind] };
  if (warm) expected.DescribeTaskDefinition = 0;
  const requests = Object.values(counts).reduce((total, count) => total + count, 0);
  const least = Object.values(expected).reduce((total, count) => total + count, 0);
  const atMinimum = Object.entries(expected).every(
    ([operation, count]) => (counts[operation] ?? 0) === count,
  );
  // Latency-bound: 8 requests in flight, except the pod pages, each of which needs the one before.
  const minimum =
    kind === 'kubernetes'
      ? `${(((expected.pods ?? 0) * latencyMs) / 1000).toFixed(1)} (${expected.pods} pod pages in a row)`
      : ((requests * latencyMs) / 1000 / sourceConcurrency).toFixed(1);
  lines.push(
    `| ${label} | ${summary(walls, 2)} | ${minimum} | ${requests} (${least}${atMinimum ? ', met' : ', MISSED'}) | ${Object.entries(
      counts,
    )
      .map(([operation, count]) => `${operation} ${count}`)
      .join(', ')} | ${images} |`,
  );
};

await measure(`ECS: ${clusters} clusters × ${services} services, first read`, 'ecs', () =>
  ecsSource({ region: 'us-east-1', taskDefinitionRevisions: rollbackRevisions }, client),
);
await measure(
  `ECS: the same, read again (task definitions remembered)`,
  'ecs',
  () => ecsSource({ region: 'us-east-1', taskDefinitionRevisions: rollbackRevisions }, client),
  true,
);
await measure(`Lambda: ${functions} functions`, 'lambda', () =>
  lambdaSource({ region: 'us-east-1' }, client),
);
await measure(`Kubernetes: ${pods} pods`, 'kubernetes', () =>
  kubernetesSource({ kubeconfig: ready.kubeconfig }),
);
const exited = new Promise((resolve) => child.once('exit', resolve));
child.send({ command: 'stop' });
await exited;

process.stdout.write(`### Reading what is in use: ECS ${clusters} × ${services}, Lambda ${functions}, Kubernetes ${pods} pods

- Machine: ${machine()} — shared with other agents' work while this ran
- Date: ${new Date().toISOString().slice(0, 10)}
- Command: \`npx tsx bench/in-use.ts --clusters ${clusters} --services ${services} --functions ${functions} --pods ${pods} --runs ${runs} --latency ${latencyMs}\`
- Fleet (seeded in ${ready.seedSeconds.toFixed(0)} s, in a process of its own): ECS — each service on its own task-definition family of ${revisions} revisions, ${tasksPerService} tasks each; Lambda — container-image functions with two versions, an alias on the first; Kubernetes — ${pods} pods (2 containers each), ${pods / 10} Deployments, ${pods / 5} ReplicaSets, 100 each of StatefulSets, DaemonSets, Jobs and CronJobs. ${latencyMs} ms injected before every answer.
- Median of ${runs} runs (min–max). Requests: total (the fewest the APIs allow, and whether every operation met it). Minimum = requests × ${latencyMs} ms ÷ ${sourceConcurrency} in flight.

| source | wall s | minimum s | requests (fewest) | by operation (last run) | distinct images |
| --- | --- | --- | --- | --- | --- |
${lines.join('\n')}
`);
