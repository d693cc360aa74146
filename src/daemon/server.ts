import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

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
 * `GET /metrics` in Prometheus text format, and `GET /healthz`: 200 while the engine runs, 503
 * once it is stopping, so a load balancer or kubelet stops sending traffic before the exit.
 */
export async function startStatusServer(
  address: ListenAddress,
  registry: Registry,
  isHealthy: () => boolean,
): Promise<StatusServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      );
    } else if (path === '/healthz') {
      const healthy = isHealthy();
      response
        .writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' })
        .end(healthy ? 'ok\n' : 'stopping\n');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
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
