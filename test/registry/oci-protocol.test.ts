import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaType } from '../../src/core/types.js';
import { OciDriver } from '../../src/registry/oci/driver.js';

/**
 * The parts of the distribution spec that Debian's registry does not exercise — `Link`
 * pagination of tags, 429 with `Retry-After`, content that does not match its digest — served by
 * a small registry written here, which also counts every request.
 */
interface FakeRegistry {
  readonly url: string;
  readonly requests: string[];
  /** Answers the next `count` requests with this status (and `Retry-After: 0`). */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

function image(seed: string, created: string) {
  const config = JSON.stringify({ created, os: 'linux', architecture: 'amd64' });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: digestOf(config),
      size: config.length,
    },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(seed), size: 1000 },
    ],
  });
  return { config, manifest, digest: digestOf(manifest) };
}

async function startFakeRegistry(
  options: { corrupt?: string; noDigestOnHead?: boolean } = {},
): Promise<FakeRegistry> {
  const images = ['t1', 't2', 't3'].map((tag, index) => ({
    tag,
    ...image(tag, `2026-0${index + 1}-01T00:00:00Z`),
  }));
  const requests: string[] = [];
  let failures = { count: 0, status: 0 };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    if (failures.count > 0) {
      failures.count -= 1;
      response.writeHead(failures.status, { 'retry-after': '0' }).end();
      return;
    }
    const tags = /^\/v2\/app\/tags\/list$/.test(url.pathname);
    if (tags || url.pathname === '/v2/_catalog') {
      // One entry a page, the next page named by a relative Link, as registries that paginate do.
      const all = tags ? images.map((each) => each.tag) : ['app', 'other', 'team/web'];
      const last = url.searchParams.get('last');
      const start = last === null ? 0 : all.indexOf(last) + 1;
      const page = all.slice(start, start + 1);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (start + 1 < all.length)
        headers.link = `<${url.pathname}?last=${encodeURIComponent(page[0] as string)}&n=1>; rel="next"`;
      response
        .writeHead(200, headers)
        .end(JSON.stringify(tags ? { name: 'app', tags: page } : { repositories: page }));
      return;
    }
    const manifestMatch = /^\/v2\/app\/manifests\/(.+)$/.exec(url.pathname);
    const found = images.find(
      (each) => each.tag === manifestMatch?.[1] || each.digest === manifestMatch?.[1],
    );
    if (found) {
      const body =
        options.corrupt === found.tag
          ? found.manifest.replace('"schemaVersion":2', '"schemaVersion": 2')
          : found.manifest;
      // Some registries name no digest on HEAD; the spec only says they should.
      const named =
        request.method === 'HEAD' && options.noDigestOnHead ? {} : { 'docker-content-digest': found.digest };
      response.writeHead(200, { 'content-type': MediaType.ociManifest, ...named });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    // The OCI 1.1 referrers API: t1 has a signature that no tag names.
    const referrersOf = /^\/v2\/app\/referrers\/(.+)$/.exec(url.pathname)?.[1];
    if (referrersOf !== undefined) {
      const manifests =
        referrersOf === images[0]?.digest
          ? [
              {
                mediaType: MediaType.ociManifest,
                digest: digestOf('signature of t1'),
                size: 321,
                artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
              },
            ]
          : [];
      response.writeHead(200, { 'content-type': MediaType.ociIndex });
      response.end(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }));
      return;
    }
    const blob = images.find((each) => url.pathname === `/v2/app/blobs/${digestOf(each.config)}`);
    if (blob) {
      response.writeHead(200).end(blob.config);
      return;
    }
    response
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext: (count, status) => {
      failures = { count, status };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('OCI driver protocol details', () => {
  let fake: FakeRegistry | undefined;
  afterEach(async () => {
    await fake?.close();
  });

  it('follows relative Link headers through every page of tags and of the catalog', async () => {
    fake = await startFakeRegistry();
    const driver = new OciDriver({ url: fake.url });
    expect(await driver.listTags('app')).toEqual(['t1', 't2', 't3']);
    expect(await driver.listRepositories()).toEqual(['app', 'other', 'team/web']);
  });

  it('costs one tag listing and one GET a tag on a second run, with manifests and configs cached', async () => {
    fake = await startFakeRegistry();
    const driver = new OciDriver({ url: fake.url });
    const first = await driver.listImages('app');
    expect(first.map((each) => each.pushedAt?.toISOString()).sort()).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
    fake.requests.length = 0;
    const second = await driver.listImages('app');
    expect(second).toEqual(first);
    // Tags can move, so each is asked again; manifests and configs are not fetched again.
    expect(fake.requests.filter((request) => request.includes('/tags/list'))).toHaveLength(3);
    expect(fake.requests.filter((request) => !request.includes('/tags/list')).sort()).toEqual(
      ['GET /v2/app/manifests/t1', 'GET /v2/app/manifests/t2', 'GET /v2/app/manifests/t3'].sort(),
    );
  });

  it('finds referrers no tag names through the referrers API', async () => {
    fake = await startFakeRegistry();
    const driver = new OciDriver({ url: fake.url });
    const images = await driver.listImages('app');
    const subjects = images.map((each) => each.digest);
    const referrers = await driver.listReferrers('app', subjects);
    expect(referrers).toEqual([
      {
        digest: digestOf('signature of t1'),
        tags: [],
        subjectDigest: images.find((each) => each.tags.includes('t1'))?.digest,
        mediaType: MediaType.ociManifest,
        sizeBytes: 321,
      },
    ]);
  });

  it('retries 429 and 503 answers, honouring Retry-After, and gives up after its attempts', async () => {
    fake = await startFakeRegistry();
    const driver = new OciDriver({ url: fake.url, retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 } });
    fake.failNext(3, 429);
    expect(await driver.listTags('app')).toEqual(['t1', 't2', 't3']);
    fake.failNext(4, 503);
    await expect(driver.listTags('app')).rejects.toThrow(/HTTP503/);
  });

  it('treats a manifest whose content does not match its digest as unreadable, never as deletable', async () => {
    fake = await startFakeRegistry({ corrupt: 't2' });
    const driver = new OciDriver({ url: fake.url });
    const images = await driver.listImages('app');
    const corrupt = images.find((each) => each.tags.includes('t2'));
    expect(corrupt?.mediaType).toBeUndefined();
    const manifests = await driver.getManifests('app', [corrupt?.digest as string]);
    expect(manifests.get(corrupt?.digest as string)).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringContaining('its content does not match its digest'),
      mediaType: MediaType.ociManifest,
    });
  });

  it('reads and hashes a manifest for the check before deleting when HEAD names no digest', async () => {
    fake = await startFakeRegistry({ noDigestOnHead: true });
    const driver = new OciDriver({ url: fake.url });
    const [first] = await driver.listImages('app');
    const tags = await driver.currentTags('app', [first?.digest as string]);
    expect(tags.get(first?.digest as string)).toEqual(first?.tags);
  });
});
