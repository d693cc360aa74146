import { homedir } from 'node:os';
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  Observable,
  type V1ObjectMeta,
  type V1PodSpec,
} from '@kubernetes/client-node';
import { type KubernetesSourceSettings, sourceName } from './names.js';
import type { ImageUseText, InUseSource } from './snapshot.js';

/** Items a list request asks for, as kubectl does: pages the API server answers without strain. */
const pageSize = 500;

/** One page of a list, as every `list…ForAllNamespaces` call answers it. */
interface ListPage<Item> {
  readonly items: Item[];
  readonly metadata?: { readonly _continue?: string };
}
type ListCall<Item> = (request: { limit: number; _continue?: string }) => Promise<ListPage<Item>>;

/**
 * The images a Kubernetes cluster runs, and those it would run on the next scale-out or schedule:
 *
 *   pods         ← every container, init and ephemeral ones too, and the digest each one pulled
 *                  (`status.*ContainerStatuses[].imageID`)
 *   pod templates ← Deployments, StatefulSets, DaemonSets, ReplicaSets (a Deployment's rollback
 *                  history), Jobs and CronJobs — including those scaled to zero
 *
 * Every list is read across all namespaces, `limit` items a page, following `continue`.
 */
export function kubernetesSource(settings: KubernetesSourceSettings): InUseSource {
  // Loaded on the first read, so that a missing kubeconfig fails the source (and blocks), like any
  // other source that cannot be read, rather than stopping the tool.
  let clients: ReturnType<typeof connect> | undefined;
  return {
    name: sourceName.kubernetes(settings),
    async read(signal) {
      clients ??= connect(settings);
      const { core, apps, batch } = clients;
      const options = abortingWith(signal);
      const uses: ImageUseText[] = [];
      const template = (kind: string) => (meta: V1ObjectMeta | undefined, spec: V1PodSpec | undefined) =>
        imagesOfPodSpec(spec, `kubernetes ${kind} ${meta?.namespace}/${meta?.name}`, uses);
      const lists = [
        readAll(
          'pods',
          (request) => core.listPodForAllNamespaces(request, options),
          (pod) => {
            const usedBy = `kubernetes pod ${pod.metadata?.namespace}/${pod.metadata?.name}`;
            imagesOfPodSpec(pod.spec, usedBy, uses);
            const statuses = [
              ...(pod.status?.containerStatuses ?? []),
              ...(pod.status?.initContainerStatuses ?? []),
              ...(pod.status?.ephemeralContainerStatuses ?? []),
            ];
            // The digest the node really pulled; a bare `sha256:…` (no repository) names a config, not a manifest.
            for (const status of statuses)
              if (status.imageID?.includes('@')) uses.push({ image: status.imageID, usedBy });
          },
        ),
        readAll(
          'deployments',
          (request) => apps.listDeploymentForAllNamespaces(request, options),
          (item) => template('deployment')(item.metadata, item.spec?.template.spec),
        ),
        readAll(
          'statefulsets',
          (request) => apps.listStatefulSetForAllNamespaces(request, options),
          (item) => template('statefulset')(item.metadata, item.spec?.template.spec),
        ),
        readAll(
          'daemonsets',
          (request) => apps.listDaemonSetForAllNamespaces(request, options),
          (item) => template('daemonset')(item.metadata, item.spec?.template.spec),
        ),
        readAll(
          'replicasets',
          (request) => apps.listReplicaSetForAllNamespaces(request, options),
          (item) => template('replicaset')(item.metadata, item.spec?.template?.spec),
        ),
        readAll(
          'jobs',
          (request) => batch.listJobForAllNamespaces(request, options),
          (item) => template('job')(item.metadata, item.spec?.template.spec),
        ),
        readAll(
          'cronjobs',
          (request) => batch.listCronJobForAllNamespaces(request, options),
          (item) => template('cronjob')(item.metadata, item.spec?.jobTemplate.spec?.template.spec),
        ),
      ];
      await Promise.all(lists);
      return uses;
    },
  };
}

function connect(settings: KubernetesSourceSettings) {
  const config = new KubeConfig();
  if (settings.inCluster) config.loadFromCluster();
  else if (settings.kubeconfig !== undefined) config.loadFromFile(expandHome(settings.kubeconfig));
  else config.loadFromDefault();
  if (settings.context !== undefined) {
    if (!config.getContexts().some((context) => context.name === settings.context))
      throw new Error(`the kubeconfig has no context "${settings.context}"`);
    config.setCurrentContext(settings.context);
  }
  if (config.getCurrentCluster() === null) throw new Error('the kubeconfig names no cluster to read');
  return {
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
  };
}

/** Call options that hand the reader's deadline to each request, so it aborts the request in flight. */
function abortingWith(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

function imagesOfPodSpec(spec: V1PodSpec | undefined, usedBy: string, uses: ImageUseText[]): void {
  for (const container of [
    ...(spec?.containers ?? []),
    ...(spec?.initContainers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ]) {
    if (container.image) uses.push({ image: container.image, usedBy });
  }
}

/**
 * Every item of one list, page by page. A `continue` token expires after a few minutes (410 Gone):
 * the list then starts over, once; anything else fails the source, naming the resource.
 */
async function readAll<Item>(
  resource: string,
  list: ListCall<Item>,
  each: (item: Item) => void,
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const items: Item[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await list({ limit: pageSize, ...(token !== undefined && { _continue: token }) });
        items.push(...page.items);
        token = page.metadata?._continue || undefined;
      } while (token !== undefined);
    } catch (error) {
      if (error instanceof ApiException && error.code === 410 && attempt === 0) continue;
      throw new Error(`listing ${resource}: ${describeApiError(error)}`);
    }
    for (const item of items) each(item);
    return;
  }
}

/** `HTTP 403 Forbidden: pods is forbidden: User "…" cannot list resource "pods"…`. */
function describeApiError(error: unknown): string {
  if (!(error instanceof ApiException)) return error instanceof Error ? error.message : String(error);
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // Not a Status object: the text is the message.
    }
  }
  const status = body as { reason?: string; message?: string } | string | undefined;
  const detail =
    typeof status === 'string' ? status : [status?.reason, status?.message].filter(Boolean).join(': ');
  if (detail) return `HTTP ${error.code} ${detail}`;
  // The client drops the body of a 401: say what it means.
  return error.code === 401
    ? 'HTTP 401 Unauthorized: the credentials of the kubeconfig were refused'
    : `HTTP ${error.code}`;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
}
