import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Health } from './health.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export const defaultMetricsAddress = '127.0.0.1:9464';

/** `HOST:PORT` or `[IPv6]:PORT` → its parts, or an error that names the flag and the value. */
export function parseListenAddress(text: string, flag = '--metrics-addr'): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || !(port >= 0 && port <= 65_535)) {
    throw new Error(
      `${flag} must be HOST:PORT (for example ${defaultMetricsAddress} or 0.0.0.0:9464), got "${text}"`,
    );
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

export interface StatusServer {
  readonly address: ListenAddress;
  close(): Promise<void>;
}

/**
 * `GET /metrics` in Prometheus text format; `GET /livez` (503 only when the process is wedged, for a
 * liveness probe), `GET /readyz` (503 before the engine starts and once it stops, for a readiness
 * probe), and `GET /healthz` (503 in either case), each with the handlers that are not well in
 * its body.
 */
export async function startStatusServer(
  address: ListenAddress,
  registry: Registry,
  health: () => Health,
): Promise<StatusServer> {
  const probes = new Map<string, (state: Health) => boolean>([
    ['/livez', (state) => state.live],
    ['/readyz', (state) => state.ready],
    ['/healthz', (state) => state.live && state.ready],
  ]);
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const probe = probes.get(path);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      );
    } else if (probe !== undefined) {
      const state = health();
      response.writeHead(probe(state) ? 200 : 503, { 'content-type': 'text/plain' }).end(state.text);
    } else {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try /metrics, /healthz, /livez or /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: address.host, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
