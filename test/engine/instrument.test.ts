import { afterEach, describe, expect, it } from 'vitest';
import { cleanupJob, countCleanup } from '../../src/cleanup/job.js';
import { parseListenAddress, type StatusServer, startStatusServer } from '../../src/daemon/server.js';
import { seedDemoFleet } from '../../src/emulator/fleet.js';
import { instrument } from '../../src/engine/instrument.js';
import type { Job } from '../../src/engine/job.js';
import { createMetrics } from '../../src/engine/metrics.js';
import { silentLogger } from '../../src/log.js';
import { startEmulatedEcr } from '../support/emulator.js';
import { commitHashRule } from '../support/inventory.js';

const context = { stopping: new AbortController().signal, abort: new AbortController().signal };
const handlers = [{ name: 'kayron:sha', repository: 'kayron' }];

function job(run: Job['run']): Job {
  return { name: 'kayron:sha', isActive: () => true, run };
}

/** The value of one counter series. */
async function sample(
  metrics: ReturnType<typeof createMetrics>,
  name: string,
  labels: Record<string, string>,
) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((each) => each.name === name);
  const series = metric?.values.find((each) =>
    Object.entries(labels).every(([key, wanted]) => each.labels[key] === wanted),
  );
  return series?.value;
}

describe('instrument: the seed’s metrics as a decorator', () => {
  it('counts and times successes, failures, throws and rejections by handler', async () => {
    const metrics = createMetrics(handlers);
    await instrument(
      job(async () => ({ success: true })),
      metrics,
    ).run(context);
    await instrument(
      job(async () => ({ success: false })),
      metrics,
    ).run(context);
    await expect(
      instrument(
        job(() => Promise.reject(new Error('x'))),
        metrics,
      ).run(context),
    ).rejects.toThrow('x');
    expect(
      await sample(metrics, 'worker_handler_execution_total', { handler: 'kayron:sha', success: 'true' }),
    ).toBe(1);
    expect(
      await sample(metrics, 'worker_handler_execution_total', { handler: 'kayron:sha', success: 'false' }),
    ).toBe(2);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'worker_handler_execution_duration_seconds_count{handler="kayron:sha",success="false"} 2',
    );
    // The default process metrics are there, on this registry of our own.
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts deleted images, reclaimed bytes and delete failures per repository from a real run', async () => {
    const ecr = await startEmulatedEcr();
    try {
      seedDemoFleet(ecr.emulator.state);
      const metrics = createMetrics(handlers);
      const spec = { name: 'kayron:sha', repository: 'kayron', rule: commitHashRule };
      const report = await countCleanup(cleanupJob(ecr.driver, spec, silentLogger), metrics).run(context);
      expect(report.success).toBe(true);
      expect(await sample(metrics, 'janitor_images_deleted_total', { repository: 'kayron' })).toBe(4);
      expect(await sample(metrics, 'janitor_bytes_reclaimed_total', { repository: 'kayron' })).toBe(
        report.plan?.bytesReclaimed,
      );
    } finally {
      await ecr.emulator.stop();
    }
  });
});

describe('status server', () => {
  let server: StatusServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('serves /metrics as Prometheus text and /healthz as 200, then 503 once stopping', async () => {
    const metrics = createMetrics(handlers);
    let healthy = true;
    server = await startStatusServer(parseListenAddress('127.0.0.1:0'), metrics.registry, () => healthy);
    const base = `http://127.0.0.1:${server.address.port}`;
    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    expect(await scrape.text()).toContain(
      'worker_handler_execution_total{handler="kayron:sha",success="true"} 0',
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    healthy = false;
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    expect((await fetch(`${base}/other`)).status).toBe(404);
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
