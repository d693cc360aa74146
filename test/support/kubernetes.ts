import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { selfSignedCertificate } from './tls.js';

/** The list endpoints the janitor reads, by resource, with the kind of their lists. */
const endpoints: Record<string, { path: string; kind: string; apiVersion: string }> = {
  pods: { path: '/api/v1/pods', kind: 'PodList', apiVersion: 'v1' },
  deployments: { path: '/apis/apps/v1/deployments', kind: 'DeploymentList', apiVersion: 'apps/v1' },
  statefulsets: { path: '/apis/apps/v1/statefulsets', kind: 'StatefulSetList', apiVersion: 'apps/v1' },
  daemonsets: { path: '/apis/apps/v1/daemonsets', kind: 'DaemonSetList', apiVersion: 'apps/v1' },
  replicasets: { path: '/apis/apps/v1/replicasets', kind: 'ReplicaSetList', apiVersion: 'apps/v1' },
  jobs: { path: '/apis/batch/v1/jobs', kind: 'JobList', apiVersion: 'batch/v1' },
  cronjobs: { path: '/apis/batch/v1/cronjobs', kind: 'CronJobList', apiVersion: 'batch/v1' },
};

export type Resource = keyof typeof endpoints;
type KubernetesObject = { metadata: { namespace: string; name: string } } & Record<string, unknown>;

/**
 * A stand-in for the Kubernetes API server's list endpoints, written from the API reference: lists
 * across all namespaces, `limit` and `continue` paging over a consistent snapshot (the first page
 * fixes it), `410 Gone` with reason `Expired` for a continue token whose snapshot is gone, bearer
 * token authentication, and `403 Forbidden` for a resource RBAC does not grant. Errors are
 * `Status` objects, as the API server sends them. It serves HTTPS with a certificate of its own,
 * which the kubeconfig it writes trusts (the client refuses plain HTTP).
 */
export class KubernetesStandIn {
  readonly objects = new Map<Resource, KubernetesObject[]>();
  readonly requests = new Map<Resource, number>();
  private readonly snapshots = new Map<string, KubernetesObject[]>();
  private readonly forbidden = new Set<Resource>();
  private resourceVersion = 1000;
  private expiring = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly token: string,
    private readonly certificate: string,
    latencyMs: number,
  ) {
    server.on('request', (request, response) => {
      // A round trip's worth of waiting before each answer, for benchmarks.
      if (latencyMs > 0) setTimeout(() => this.handle(request, response), latencyMs);
      else this.handle(request, response);
    });
  }

  static async start(options: { token?: string; latencyMs?: number } = {}): Promise<KubernetesStandIn> {
    const { key, certificate } = await selfSignedCertificate();
    const server = createServer({ key, cert: certificate });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new KubernetesStandIn(
      server,
      `https://127.0.0.1:${port}`,
      options.token ?? 'stand-in-token',
      certificate,
      options.latencyMs ?? 0,
    );
  }

  add(resource: Resource, object: KubernetesObject): void {
    this.objects.set(resource, [...(this.objects.get(resource) ?? []), object]);
    this.resourceVersion += 1;
  }

  /** RBAC: listing this resource answers 403 (or, without a resource, lists work again). */
  forbid(resource?: Resource): void {
    if (resource === undefined) this.forbidden.clear();
    else this.forbidden.add(resource);
  }

  /** The next `times` continue requests find their snapshot gone (410), as after etcd compaction. */
  expireContinueTokens(times = 1): void {
    this.expiring = times;
  }

  /** A kubeconfig with one context, `stand-in`, reaching this server with its token (or another). */
  async writeKubeconfig(directory: string, context = 'stand-in', token = this.token): Promise<string> {
    const path = join(directory, `kubeconfig-${context}`);
    const yaml = [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${context}`,
      'clusters:',
      `  - name: ${context}`,
      `    cluster: { server: "${this.url}", certificate-authority-data: "${Buffer.from(this.certificate).toString('base64')}" }`,
      'users:',
      `  - name: ${context}-reader`,
      `    user: { token: "${token}" }`,
      'contexts:',
      `  - name: ${context}`,
      `    context: { cluster: ${context}, user: ${context}-reader }`,
    ].join('\n');
    await writeFile(path, `${yaml}\n`);
    return path;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private handle(request: IncomingMessage, response: ServerResponse): undefined {
    const url = new URL(request.url ?? '/', this.url);
    const resource = (Object.keys(endpoints) as Resource[]).find(
      (name) => endpoints[name]?.path === url.pathname,
    );
    if (request.headers.authorization !== `Bearer ${this.token}`)
      return status(response, 401, 'Unauthorized', 'Unauthorized');
    if (request.method !== 'GET' || resource === undefined)
      return status(response, 404, 'NotFound', `the server could not find the requested resource`);
    this.requests.set(resource, (this.requests.get(resource) ?? 0) + 1);
    if (this.forbidden.has(resource)) {
      return status(
        response,
        403,
        'Forbidden',
        `${resource} is forbidden: User "system:serviceaccount:janitor:registry-janitor" cannot list resource "${resource}" in API group "${endpoints[resource]?.apiVersion.split('/').slice(0, -1).join('')}" at the cluster scope`,
      );
    }
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const token = url.searchParams.get('continue');
    let snapshotId: string;
    let offset = 0;
    if (token && this.expiring > 0) {
      this.expiring -= 1;
      this.snapshots.clear();
    }
    if (token) {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
        snapshot: string;
        offset: number;
      };
      if (!this.snapshots.has(parsed.snapshot))
        return status(
          response,
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      snapshotId = parsed.snapshot;
      offset = parsed.offset;
    } else {
      snapshotId = `${resource}@${this.resourceVersion}#${this.snapshots.size}`;
      const sorted = [...(this.objects.get(resource) ?? [])].sort((left, right) =>
        key(left) < key(right) ? -1 : key(left) > key(right) ? 1 : 0,
      );
      this.snapshots.set(snapshotId, sorted);
    }
    const items = this.snapshots.get(snapshotId) as KubernetesObject[];
    const end = limit > 0 ? Math.min(items.length, offset + limit) : items.length;
    const more = end < items.length;
    const endpoint = endpoints[resource] as (typeof endpoints)[string];
    const body = {
      kind: endpoint.kind,
      apiVersion: endpoint.apiVersion,
      metadata: {
        resourceVersion: String(this.resourceVersion),
        ...(more && {
          continue: Buffer.from(JSON.stringify({ snapshot: snapshotId, offset: end })).toString('base64'),
          remainingItemCount: items.length - end,
        }),
      },
      items: items.slice(offset, end),
    };
    const text = JSON.stringify(body);
    response
      .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      .end(text);
  }
}

function key(object: KubernetesObject): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}

/** Answers a `Status` object; returns nothing, so that `return status(…)` ends a handler. */
function status(response: ServerResponse, code: number, reason: string, message: string): undefined {
  const text = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
  response
    .writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

/** A pod spec with these containers (name → image). */
export function podSpec(
  containers: Record<string, string>,
  more: { init?: Record<string, string>; ephemeral?: Record<string, string> } = {},
) {
  const list = (entries: Record<string, string> = {}) =>
    Object.entries(entries).map(([name, image]) => ({ name, image }));
  return {
    containers: list(containers),
    ...(more.init && { initContainers: list(more.init) }),
    ...(more.ephemeral && { ephemeralContainers: list(more.ephemeral) }),
  };
}
