import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runHandler } from '../../src/cleanup/handler.js';
import { MediaType } from '../../src/core/types.js';
import { buildImageManifest } from '../../src/emulator/manifests.js';
import { silentLogger } from '../../src/log.js';
import { missingScopeMessage } from '../../src/registry/ghcr/answers.js';
import type { RateLimitEvent } from '../../src/registry/ghcr/client.js';
import { GhcrDriver } from '../../src/registry/ghcr/driver.js';
import { type Distribution, skipWithoutDistribution, startDistribution } from '../support/distribution.js';
import {
  type GhcrStandIn,
  type HeldImage,
  holdMultiArchImages,
  readOnlyToken,
  startGhcrStandIn,
  testOwner,
  workflowToken,
} from '../support/ghcr.js';
import { changingTheRegistry } from '../support/race.js';
import { describeDriverContract } from './driver-contract.js';

const owner = testOwner.toLowerCase();

describe.skipIf(skipWithoutDistribution)('GHCR driver against the stand-in over a real distribution', () => {
  let registry: Distribution;
  let standIn: GhcrStandIn;
  beforeAll(async () => {
    registry = await startDistribution();
    standIn = await startGhcrStandIn(registry);
  });
  afterAll(async () => {
    await standIn?.stop();
    await registry?.stop();
  });

  describeDriverContract(
    'GHCR through GitHub’s package API (stand-in) and ghcr.io’s OCI API (front)',
    async () => ({
      driver: standIn.driver(),
      pushImage: (repository, spec, tag) => standIn.pusher.pushImage(repository, spec, tag),
      pushIndex: (repository, children, format, tag) =>
        standIn.pusher.pushIndex(repository, children, { format }, tag),
      tag: (repository, manifest, tag) => standIn.pusher.tag(repository, manifest, tag),
    }),
  );

  it('deleting a version deletes the manifest the registry holds; the registry itself refuses with 405', async () => {
    const keeper = await standIn.pusher.pushImage('refuse', { seed: 'refuse/keeper' }, 'v2');
    const old = await standIn.pusher.pushImage('refuse', { seed: 'refuse/old' }, 'v1');
    const direct = await fetch(`${standIn.front.url}/v2/${owner}/refuse/manifests/${old.digest}`, {
      method: 'DELETE',
      headers: { authorization: await standIn.front.authorization() },
    });
    expect(direct.status).toBe(405);
    expect(await direct.json()).toEqual({
      errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }],
    });

    expect(await standIn.driver().deleteDigests('refuse', [old.digest])).toEqual([
      { digest: old.digest, outcome: 'deleted' },
    ]);
    const backing = await fetch(`${registry.url}/v2/${owner}/refuse/manifests/${old.digest}`, {
      method: 'HEAD',
      headers: { accept: MediaType.ociManifest },
    });
    expect(backing.status).toBe(404);
    expect(await standIn.driver().presentDigests('refuse', [old.digest, keeper.digest])).toEqual(
      new Set([keeper.digest]),
    );
  });
});

describe('GHCR driver against the stand-in (manifests held in memory)', () => {
  let standIn: GhcrStandIn;
  beforeEach(async () => {
    standIn = await startGhcrStandIn();
  });
  afterEach(async () => {
    await standIn?.stop();
  });

  const restRequests = (method: string, pattern: RegExp) =>
    standIn.github.requests.filter((request) => request.method === method && pattern.test(request.path));

  /** Single images in memory, the newest tagged `v-keep` (a package keeps a tagged version). */
  function holdSingles(name: string, count: number): string[] {
    const digests: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const image = buildImageManifest({ seed: `${name}/${index}` });
      digests.push(standIn.front.hold(testOwner, name, image.text, image.mediaType, `v${index}`));
    }
    const keeper = buildImageManifest({ seed: `${name}/keeper` });
    standIn.front.hold(testOwner, name, keeper.text, keeper.mediaType, 'v-keep');
    return digests;
  }

  it('lists 10,000 versions in 100 pages of 100 (the package API alone: no manifest is read)', async () => {
    const digests: string[] = [];
    for (let index = 0; index < 10_000; index += 1) {
      const digest = `sha256:${index.toString(16).padStart(64, '0')}`;
      digests.push(digest);
      standIn.state.recordPush(testOwner, 'huge', digest, index % 5 === 0 ? `t${index}` : undefined);
    }
    const state = await standIn.driver().currentState('huge', digests);
    expect(state.size).toBe(10_000);
    expect(state.get(digests[5] as string)?.tags).toEqual(['t5']);
    expect(state.get(digests[6] as string)?.tags).toEqual([]);
    expect(await standIn.driver().presentDigests('huge', digests)).toEqual(new Set(digests));
    expect(restRequests('GET', /^\/orgs\/Acme\/packages\/container\/huge\/versions/)).toHaveLength(200);
    expect(restRequests('GET', /^\/users\/Acme$/)).toHaveLength(2);
    expect(standIn.front.requests).toEqual([]);
  });

  it('lists every version with tags, push time, and the media type and size its manifest gives, read once', async () => {
    const held = holdMultiArchImages(standIn, 'fleet', 40);
    const driver = standIn.driver();
    const images = await driver.listImages('fleet');
    expect(images).toHaveLength(200);
    const byDigest = new Map(images.map((image) => [image.digest, image]));
    const newest = held.at(-1);
    expect(byDigest.get(newest?.digests[0] as string)).toMatchObject({
      tags: [newest?.tag],
      pushedAt: newest?.pushedAt,
      mediaType: MediaType.ociIndex,
      sizeBytes: 0,
    });
    expect(byDigest.get(newest?.digests[1] as string)).toMatchObject({
      tags: [],
      mediaType: MediaType.ociManifest,
      sizeBytes: 42_001_024,
    });
    const manifestReads = () =>
      standIn.front.requests.filter((request) => /\/manifests\//.test(request.path));
    expect(manifestReads().filter((request) => request.status === 200)).toHaveLength(200);

    // A second listing asks GitHub again (tags move) but reads no manifest twice (digests do not change).
    const before = manifestReads().length;
    await driver.listImages('fleet');
    expect(restRequests('GET', /\/versions/)).toHaveLength(4);
    expect(manifestReads()).toHaveLength(before);

    // Right before deleting: the versions listed again, each asked digest with its tags now, and
    // every tagged version (one pushed since could name a doomed digest).
    const [oldest] = held as [HeldImage];
    standIn.state.recordPush(testOwner, 'fleet', oldest.digests[0] as string, 'hotfix');
    const state = await driver.currentState('fleet', [
      oldest.digests[0] as string,
      oldest.digests[1] as string,
    ]);
    expect(state.get(oldest.digests[0] as string)?.tags).toEqual([oldest.tag, 'hotfix']);
    expect(state.get(oldest.digests[1] as string)?.tags).toEqual([]);
    expect(state.size).toBe(2 + held.length - 1);
    expect(restRequests('GET', /\/versions\?/)).toHaveLength(6);
  });

  it('finds orphans, since every untagged manifest is a version: old ones go, children of a tagged index stay', async () => {
    const [image] = holdMultiArchImages(standIn, 'orphans', 1);
    const orphans: string[] = [];
    standIn.state.clock = () => new Date(Date.now() - 30 * 86_400_000);
    for (const seed of ['a', 'b']) {
      const orphan = buildImageManifest({ seed: `orphans/${seed}` });
      orphans.push(standIn.front.hold(testOwner, 'orphans', orphan.text, orphan.mediaType));
    }
    standIn.state.clock = () => new Date();
    const young = buildImageManifest({ seed: 'orphans/young' });
    const youngDigest = standIn.front.hold(testOwner, 'orphans', young.text, young.mediaType);
    const driver = standIn.driver();
    const report = await runHandler(
      driver,
      {
        name: 'orphans:untagged',
        repository: 'orphans',
        rule: { name: 'untagged', prefixes: [], keep: 0, drop: 100, untaggedOlderThanMs: 7 * 86_400_000 },
      },
      { mode: 'apply', logger: silentLogger },
    );
    expect(report.success).toBe(true);
    expect(new Set(report.execution?.deleted)).toEqual(new Set(orphans));
    expect(await driver.presentDigests('orphans', [...(image?.digests ?? []), youngDigest])).toEqual(
      new Set([...(image?.digests ?? []), youngDigest]),
    );
  });

  it('keeps an image a tag was pushed onto after the listing (the tags are asked again right before deleting)', async () => {
    const day = 86_400_000;
    const releases: string[] = [];
    for (let index = 0; index < 13; index += 1) {
      standIn.state.clock = () => new Date(Date.UTC(2026, 0, 1) + index * day);
      const image = buildImageManifest({ seed: `race/${index}` });
      releases.push(standIn.front.hold(testOwner, 'race', image.text, image.mediaType, `v0.${index}.0`));
    }
    const [oldest, second] = releases as [string, string];
    const racing = changingTheRegistry(standIn.driver(), { after: 'listImages' }, async () => {
      standIn.state.recordPush(testOwner, 'race', oldest, 'hotfix');
    });
    const report = await runHandler(
      racing,
      { name: 'race:v', repository: 'race', rule: { name: 'v', prefixes: ['v'], keep: 10, drop: 5 } },
      { mode: 'apply', logger: silentLogger },
    );
    expect(report.success, report.error).toBe(true);
    expect(report.retagged?.map((entry) => entry.digest)).toEqual([oldest]);
    expect(await standIn.driver().presentDigests('race', [oldest, second])).toEqual(new Set([oldest]));
  });

  it('names itself to in-use references as the registry host and the owner below it', async () => {
    const host = new URL(standIn.front.url).host;
    expect(await standIn.driver().referenceHosts()).toEqual([`${host}/acme`]);
    expect(await new GhcrDriver({ owner: 'Acme', token: 'unused' }).referenceHosts()).toEqual([
      'ghcr.io/acme',
      'ghcr.io:443/acme',
    ]);
  });

  it('URL-encodes a package name with a slash, and finds a user’s packages under /users', async () => {
    const user = standIn.state.owner('solo-user');
    expect(user?.type).toBe('User');
    const image = buildImageManifest({ seed: 'team-app' });
    standIn.front.hold('solo-user', 'team/app', image.text, image.mediaType, 'v1');
    const driver = standIn.driver({ owner: 'solo-user' });
    expect(await driver.listRepositories()).toEqual(['team/app']);
    expect((await driver.listImages('team/app')).map((each) => each.tags)).toEqual([['v1']]);
    expect(
      restRequests('GET', /^\/users\/solo-user\/packages\/container\/team%2Fapp\/versions/),
    ).toHaveLength(1);
  });

  it('says in words that a token without delete:packages cannot delete, and sends no further deletes', async () => {
    const digests = holdSingles('scoped', 3);
    const outcomes = await standIn.driver({ token: readOnlyToken }).deleteDigests('scoped', digests);
    expect(outcomes).toEqual(
      digests.map((digest) => ({
        digest,
        outcome: 'failed',
        code: 'MissingPermission',
        reason: missingScopeMessage,
      })),
    );
    expect(missingScopeMessage).toBe(
      'the token cannot delete packages: it needs `delete:packages`, or `packages: write` for GITHUB_TOKEN in a workflow',
    );
    // One DELETE: GitHub's scopes header says what is missing, so no look at the version is needed.
    expect(restRequests('DELETE', /./)).toHaveLength(1);
    expect(restRequests('GET', /\/versions\/\d+$/)).toHaveLength(0);
    expect(standIn.state.package(testOwner, 'scoped')?.versions.size).toBe(4);
  });

  it('tells a workflow token without permission (404, no scopes header) from a version already gone', async () => {
    const [first, second] = holdSingles('workflow', 2) as [string, string];
    const refused = await standIn
      .driver({ token: workflowToken, concurrency: 1 })
      .deleteDigests('workflow', [first]);
    expect(refused).toEqual([
      { digest: first, outcome: 'failed', code: 'MissingPermission', reason: missingScopeMessage },
    ]);
    // The 404 was followed by a look at the version, which GitHub still lists.
    expect(restRequests('GET', /\/versions\/\d+$/)).toHaveLength(1);

    const stale = standIn.driver();
    await stale.listImages('workflow');
    await standIn.driver().deleteDigests('workflow', [second]);
    expect(await stale.deleteDigests('workflow', [second])).toEqual([
      { digest: second, outcome: 'already-gone' },
    ]);
  });

  it('takes a 403 that is not the rate limit (a workflow token without packages: write) as a missing permission', async () => {
    const digests = holdSingles('forbidden', 3);
    standIn.github.failNext('DELETE', /\/versions\/\d+$/, {
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    const outcomes = await standIn.driver().deleteDigests('forbidden', digests);
    expect(outcomes.map((outcome) => outcome.outcome === 'failed' && outcome.code)).toEqual([
      'MissingPermission',
      'MissingPermission',
      'MissingPermission',
    ]);
    expect(outcomes[0]?.outcome === 'failed' && outcomes[0].reason).toBe(
      `${missingScopeMessage} (GitHub: “Resource not accessible by integration”)`,
    );
    expect(restRequests('DELETE', /./)).toHaveLength(1);
  });

  it('reports GitHub’s refusals — a public version past 5,000 downloads, a package’s last tagged version — in words', async () => {
    const [popular] = holdSingles('popular', 1) as [string];
    const found = standIn.state.package(testOwner, 'popular');
    if (found === undefined) throw new Error('no package');
    found.visibility = 'public';
    (found.versions.get(popular) as { downloads: number }).downloads = 5_001;
    const [outcome] = await standIn.driver().deleteDigests('popular', [popular]);
    expect(outcome).toMatchObject({ outcome: 'failed', code: 'TooManyDownloads' });
    expect(outcome?.outcome === 'failed' && outcome.reason).toMatch(
      /public package downloaded more than 5,000 times/,
    );

    const only = buildImageManifest({ seed: 'lonely' });
    const digest = standIn.front.hold(testOwner, 'lonely', only.text, only.mediaType, 'v1');
    const [last] = await standIn.driver().deleteDigests('lonely', [digest]);
    expect(last).toMatchObject({ outcome: 'failed', code: 'LastTaggedVersion' });
  });

  it('waits as long as retry-after says on a secondary limit, and until the reset on a used-up quota', async () => {
    const digests = holdSingles('limited', 2);
    const events: RateLimitEvent[] = [];
    standIn.github.failNext('DELETE', /\/versions\/\d+$/, {
      status: 403,
      headers: { 'retry-after': '30' },
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      },
    });
    standIn.github.failNext('GET', /\/versions$/, {
      status: 429,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 2),
      },
      body: { message: 'API rate limit exceeded for user ID 1.' },
    });
    const driver = standIn.driver({ onRateLimit: (event) => events.push(event) });
    const outcomes = await driver.deleteDigests('limited', digests);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['deleted', 'deleted']);
    expect(events.map(({ limit, retrying }) => ({ limit, retrying }))).toEqual([
      { limit: 'primary', retrying: true },
      { limit: 'secondary', retrying: true },
    ]);
    expect(events[1]?.retryAfterSeconds).toBe(30);
    expect(restRequests('DELETE', /./).map((request) => request.status)).toEqual([403, 204, 204]);
  });

  it('gives up on a request that gets no answer in time and sends it again; says so when none comes', async () => {
    holdSingles('slow', 1);
    const slow = { status: 200, delayMs: 1_000, body: [] };
    standIn.github.failNext('GET', /\/slow\/versions$/, slow);
    const driver = standIn.driver({ requestTimeoutMs: 50 });
    expect((await driver.listImages('slow')).map((image) => image.tags)).toContainEqual(['v-keep']);

    standIn.github.failNext('GET', /\/slow\/versions$/, slow, 4);
    await expect(standIn.driver({ requestTimeoutMs: 50 }).listImages('slow')).rejects.toThrow(
      /could not list the versions of Acme\/slow on GitHub: no answer from 127\.0\.0\.1:\d+ within the time allowed/,
    );
  });

  it('fails a run, naming the limit, when the quota resets too far ahead to wait for', async () => {
    holdSingles('exhausted', 1);
    standIn.github.failNext('GET', /\/versions$/, {
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 7200),
      },
      body: { message: 'API rate limit exceeded for user ID 1.' },
    });
    await expect(standIn.driver().listImages('exhausted')).rejects.toThrow(
      /could not list the versions of Acme\/exhausted on GitHub: HTTP 403: API rate limit exceeded/,
    );
  });
});

/**
 * The stand-in enforces a secondary limit of 100 points a "minute" of 600 ms (secondMs 10): 20
 * deletes at 5 points. The driver stays under it by its budget of points (90 a minute here,
 * reads and deletes alike), or by its pace of deletes (12 a minute here): the arithmetic of
 * GitHub's 900 points, the default budget of 880 and 150 deletes a minute, on a smaller scale.
 */
describe('GHCR requests paced under the secondary limit (stand-in enforcing it)', () => {
  let standIn: GhcrStandIn;
  beforeEach(async () => {
    standIn = await startGhcrStandIn(undefined, { secondaryLimit: { pointsPerMinute: 100, secondMs: 10 } });
  });
  afterEach(async () => {
    await standIn?.stop();
  });

  function hold(count: number): string[] {
    const digests: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const image = buildImageManifest({ seed: `paced/${index}` });
      digests.push(standIn.front.hold(testOwner, 'paced', image.text, image.mediaType));
    }
    const keeper = buildImageManifest({ seed: 'paced/keeper' });
    standIn.front.hold(testOwner, 'paced', keeper.text, keeper.mediaType, 'latest');
    return digests;
  }

  const refusals = () => standIn.github.requests.filter((request) => request.status === 403).length;
  const unlimited = 1_000_000;

  for (const [name, pace] of [
    ['a budget of points for every request', { pointsPerMinute: 90, deletesPerMinute: unlimited }],
    ['a pace of deletes', { pointsPerMinute: unlimited, deletesPerMinute: 12 }],
  ] as const) {
    it(`24 deletes paced by ${name} never meet the limit`, async () => {
      const digests = hold(24);
      const outcomes = await standIn.driver({ secondMs: 10, ...pace }).deleteDigests('paced', digests);
      expect(outcomes.every((outcome) => outcome.outcome === 'deleted')).toBe(true);
      expect(refusals()).toBe(0);
      expect(standIn.state.package(testOwner, 'paced')?.versions.size).toBe(1);
    });
  }

  it('unpaced, the same deletes meet the limit, and still all succeed by waiting as GitHub says', async () => {
    const digests = hold(24);
    const driver = standIn.driver({ secondMs: 10, pointsPerMinute: unlimited, deletesPerMinute: unlimited });
    const outcomes = await driver.deleteDigests('paced', digests);
    expect(outcomes.every((outcome) => outcome.outcome === 'deleted')).toBe(true);
    expect(refusals()).toBeGreaterThan(0);
  });
});
