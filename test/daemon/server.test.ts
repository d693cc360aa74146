import { afterEach, describe, expect, it } from 'vitest';
import type { Health } from '../../src/daemon/health.js';
import { parseListenAddress, type StatusServer, startStatusServer } from '../../src/daemon/server.js';
import { createMetrics } from '../../src/engine/metrics.js';
import { RunRecords } from '../../src/engine/records.js';

describe('status server', () => {
  let server: StatusServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('serves /metrics as Prometheus text, and each probe by its own part of the health', async () => {
    const metrics = createMetrics(new RunRecords(), { everyMs: 3_600_000 });
    metrics.addHandler({ name: 'kayron:sha', repository: 'kayron' });
    let health: Health = { live: true, ready: true, text: 'ok: 1 handlers\n' };
    server = await startStatusServer(parseListenAddress('127.0.0.1:0'), metrics.registry, () => health);
    const base = `http://127.0.0.1:${server.address.port}`;
    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    expect(await scrape.text()).toContain(
      'worker_handler_execution_total{handler="kayron:sha",success="true"} 0',
    );
    const statuses = async () => ({
      livez: (await fetch(`${base}/livez`)).status,
      readyz: (await fetch(`${base}/readyz`)).status,
      healthz: (await fetch(`${base}/healthz`)).status,
    });
    expect(await statuses()).toEqual({ livez: 200, readyz: 200, healthz: 200 });
    const healthz = await fetch(`${base}/healthz`);
    expect(await healthz.text()).toBe('ok: 1 handlers\n');
    health = { live: true, ready: false, text: 'stopping\n' };
    expect(await statuses()).toEqual({ livez: 200, readyz: 503, healthz: 503 });
    health = { live: false, ready: true, text: 'wedged\n' };
    expect(await statuses()).toEqual({ livez: 503, readyz: 200, healthz: 503 });
    expect(await (await fetch(`${base}/livez`)).text()).toBe('wedged\n');
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/constructor`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
  ])('parses %s', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it.each(['9464', '127.0.0.1', '127.0.0.1:99999', ':9464', 'a:b'])('rejects %s naming the flag', (text) => {
    expect(() => parseListenAddress(text)).toThrow(/--metrics-addr must be HOST:PORT/);
  });
});
