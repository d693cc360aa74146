import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHandler } from '../../src/cleanup/handler.js';
import { silentLogger } from '../../src/log.js';
import { OciDriver } from '../../src/registry/oci/driver.js';
import { type Distribution, skipWithoutDistribution, startDistribution } from '../support/distribution.js';
import { OciPusher } from '../support/oci-push.js';
import { describeDriverContract } from './driver-contract.js';

let registry: Distribution;
let pusher: OciPusher;

describe.skipIf(skipWithoutDistribution)('OCI against distribution', () => {
  beforeAll(async () => {
    registry = await startDistribution();
    pusher = new OciPusher(registry.url);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  describeDriverContract('OCI against a real distribution registry', async () => ({
    driver: new OciDriver({ url: registry.url }),
    pushImage: (repository, spec, tag) => pusher.pushImage(repository, spec, tag),
    pushIndex: (repository, children, format, tag) => pusher.pushIndex(repository, children, { format }, tag),
    tag: (repository, manifest, tag) => pusher.tag(repository, manifest, tag),
  }));

  describe('OCI driver against distribution', () => {
    it('dates an image by its created annotation, else its config; an index by its newest platform image', async () => {
      const repository = 'ages';
      const annotated = await pusher.pushImage(
        repository,
        {
          seed: 'ages/annotated',
          created: new Date('2020-01-01T00:00:00Z'),
          annotations: { 'org.opencontainers.image.created': '2024-05-06T07:08:09Z' },
        },
        'annotated',
      );
      const fromConfig = await pusher.pushImage(
        repository,
        { seed: 'ages/config', created: new Date('2023-03-03T03:03:03Z') },
        'config',
      );
      const undated = await pusher.pushImage(repository, { seed: 'ages/undated', created: null }, 'undated');
      const amd = await pusher.pushImage(repository, {
        seed: 'ages/amd',
        created: new Date('2022-01-01T00:00:00Z'),
      });
      const arm = await pusher.pushImage(repository, {
        seed: 'ages/arm',
        created: new Date('2022-06-01T00:00:00Z'),
        platform: { os: 'linux', architecture: 'arm64' },
      });
      const attestation = await pusher.pushImage(repository, {
        seed: 'ages/attestation',
        created: new Date('2030-01-01T00:00:00Z'),
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: {
          'vnd.docker.reference.type': 'attestation-manifest',
          'vnd.docker.reference.digest': amd.digest,
        },
      });
      const index = await pusher.pushIndex(repository, [amd, arm, attestation], {}, 'index');
      const annotatedIndex = await pusher.pushIndex(
        repository,
        [amd],
        { annotations: { 'org.opencontainers.image.created': '2021-01-01T00:00:00Z' } },
        'annotated-index',
      );

      const byDigest = new Map(
        (await new OciDriver({ url: registry.url }).listImages(repository)).map((image) => [
          image.digest,
          image,
        ]),
      );
      expect(byDigest.get(annotated.digest)?.pushedAt?.toISOString()).toBe('2024-05-06T07:08:09.000Z');
      expect(byDigest.get(fromConfig.digest)?.pushedAt?.toISOString()).toBe('2023-03-03T03:03:03.000Z');
      expect(byDigest.get(undated.digest)?.pushedAt).toBeUndefined();
      // The attestation's date does not count: it is not a platform image.
      expect(byDigest.get(index.digest)?.pushedAt?.toISOString()).toBe('2022-06-01T00:00:00.000Z');
      expect(byDigest.get(annotatedIndex.digest)?.pushedAt?.toISOString()).toBe('2021-01-01T00:00:00.000Z');
    });

    it('accepts {"tags": null} from a repository whose tags are all gone', async () => {
      const driver = new OciDriver({ url: registry.url });
      const image = await pusher.pushImage('emptied', { seed: 'emptied/one' }, 'v1');
      await driver.deleteDigests('emptied', [image.digest]);
      expect(await driver.listTags('emptied')).toEqual([]);
      expect(await driver.listImages('emptied')).toEqual([]);
    });

    it('lists repositories from the catalog', async () => {
      await pusher.pushImage('catalog/one', { seed: 'catalog/one' }, 'v1');
      await pusher.pushImage('catalog/two', { seed: 'catalog/two' }, 'v1');
      const repositories = await new OciDriver({ url: registry.url }).listRepositories();
      expect(repositories).toEqual(expect.arrayContaining(['catalog/one', 'catalog/two']));
    });

    it('takes cosign signatures (sha256-<hex>.sig tags) with their image, and keeps those of kept images', async () => {
      const repository = 'cosigned';
      const old = await pusher.pushImage(
        repository,
        { seed: 'cosigned/old', created: new Date('2026-01-01T00:00:00Z') },
        'v1',
      );
      const kept = await pusher.pushImage(
        repository,
        { seed: 'cosigned/kept', created: new Date('2026-02-01T00:00:00Z') },
        'v2',
      );
      const signatureTag = (digest: string) => `${digest.replace(':', '-')}.sig`;
      const oldSignature = await pusher.pushImage(
        repository,
        { seed: 'cosigned/old-sig', created: null },
        signatureTag(old.digest),
      );
      const keptSignature = await pusher.pushImage(
        repository,
        { seed: 'cosigned/kept-sig', created: null },
        signatureTag(kept.digest),
      );
      const driver = new OciDriver({ url: registry.url });
      const rule = { name: 'v', prefixes: ['v'], keep: 1, drop: 1 };
      const report = await runHandler(
        driver,
        { name: `${repository}:v`, repository, rule },
        { mode: 'apply', logger: silentLogger },
      );
      expect(report.success).toBe(true);
      // The signature goes first: a crash between the two leaves a signed image, not a signature of nothing.
      expect(report.execution?.deleted).toEqual([oldSignature.digest, old.digest]);
      expect(
        await driver.presentDigests(repository, [
          old.digest,
          oldSignature.digest,
          kept.digest,
          keptSignature.digest,
        ]),
      ).toEqual(new Set([kept.digest, keptSignature.digest]));
    });

    it('finds no referrers where the registry has no referrers API (distribution 2.8 answers 404)', async () => {
      const image = await pusher.pushImage('no-referrers-api', { seed: 'no-referrers/one' }, 'v1');
      const driver = new OciDriver({ url: registry.url });
      expect(await driver.listReferrers('no-referrers-api', [image.digest])).toEqual([]);
      expect(await driver.listReferrers('no-referrers-api', [image.digest])).toEqual([]);
    });

    it('names the repository and the registry’s error when a repository is unknown', async () => {
      await expect(new OciDriver({ url: registry.url }).listImages('never-pushed')).rejects.toThrow(
        /list the tags of never-pushed: NAME_UNKNOWN/,
      );
    });
  });
});
