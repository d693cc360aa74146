import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHandler } from '../../src/cleanup/handler.js';
import type { HandlerSpec } from '../../src/core/types.js';
import type { BuiltManifest } from '../../src/emulator/manifests.js';
import { silentLogger } from '../../src/log.js';
import { OciDriver } from '../../src/registry/oci/driver.js';
import { runCli } from '../support/cli.js';
import { type Distribution, skipWithoutDistribution, startDistribution } from '../support/distribution.js';
import { OciPusher } from '../support/oci-push.js';
import { changingTheRegistry } from '../support/race.js';

/**
 * What belongs to an image on a registry without the referrers API (distribution 2.8): referrers
 * with tags of their own, the OCI 1.1 referrers tag schema (`sha256-<hex>` indexes); schema 1
 * manifests that used to stop a repository from being cleaned; and tags pushed during a run.
 */
describe.skipIf(skipWithoutDistribution)(
  'referrers and legacy manifests on a real distribution registry',
  () => {
    let registry: Distribution;
    let pusher: OciPusher;
    let driver: OciDriver;
    const day = 86_400_000;
    const origin = Date.UTC(2026, 0, 1);

    beforeAll(async () => {
      registry = await startDistribution({ acceptSchema1: true });
      pusher = new OciPusher(registry.url);
      driver = new OciDriver({ url: registry.url });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    /** `count` single-platform releases v0.0.0, v0.1.0, … one a day, oldest first. */
    async function pushReleases(repository: string, count: number, first = 0): Promise<BuiltManifest[]> {
      const releases: BuiltManifest[] = [];
      for (let index = first; index < first + count; index += 1) {
        releases.push(
          await pusher.pushImage(
            repository,
            { seed: `${repository}/v${index}`, created: new Date(origin + index * day) },
            `v0.${index}.0`,
          ),
        );
      }
      return releases;
    }

    const releases = (repository: string): HandlerSpec => ({
      name: `${repository}:v`,
      repository,
      rule: { name: 'v', prefixes: ['v'], keep: 10, drop: 5 },
    });

    async function holds(repository: string, manifests: readonly BuiltManifest[]): Promise<boolean[]> {
      const present = await driver.presentDigests(
        repository,
        manifests.map((manifest) => manifest.digest),
      );
      return manifests.map((manifest) => present.has(manifest.digest));
    }

    it('keeps an image a tagged referrer points at, and the referrer', async () => {
      const repository = 'tagged-referrer';
      const [oldest, second] = await pushReleases(repository, 12);
      const sbom = await pusher.pushImage(
        repository,
        {
          seed: `${repository}/sbom`,
          subject: oldest,
          artifactType: 'application/spdx+json',
          created: new Date(origin),
        },
        'sbom-v0.0.0',
      );
      const report = await runHandler(driver, releases(repository), { mode: 'apply', logger: silentLogger });
      expect(report.success, report.error).toBe(true);
      expect(await holds(repository, [oldest as BuiltManifest, sbom])).toEqual([true, true]);
      expect(await holds(repository, [second as BuiltManifest])).toEqual([false]);
      const group = report.plan?.groups.find((each) => each.rootDigest === oldest?.digest);
      expect(group?.members[0]?.keptBecause).toContain('sbom-v0.0.0');
    });

    it('reads the referrers tag schema: a fallback index goes with its subject and stays with it', async () => {
      const repository = 'fallback-index';
      const images = await pushReleases(repository, 12);
      const [going, , , , , staying] = images as [BuiltManifest, ...BuiltManifest[]];
      const attach = async (subject: BuiltManifest, name: string) => {
        const referrers = [
          await pusher.pushImage(repository, {
            seed: `${repository}/${name}/signature`,
            subject,
            artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
          }),
          await pusher.pushImage(repository, {
            seed: `${repository}/${name}/sbom`,
            subject,
            artifactType: 'application/spdx+json',
          }),
        ];
        const fallback = await pusher.pushIndex(
          repository,
          referrers,
          {},
          subject.digest.replace('sha256:', 'sha256-'),
        );
        return [fallback, ...referrers];
      };
      const goingWith = await attach(going, 'going');
      const stayingWith = await attach(staying as BuiltManifest, 'staying');

      const report = await runHandler(driver, releases(repository), { mode: 'apply', logger: silentLogger });
      expect(report.success, report.error).toBe(true);
      expect(await holds(repository, [going, ...goingWith])).toEqual([false, false, false, false]);
      expect(await holds(repository, [staying as BuiltManifest, ...stayingWith])).toEqual([
        true,
        true,
        true,
        true,
      ]);
      // The fallback index went before its entries, and they before the image they are about.
      const waveOf = (digest: string) =>
        report.plan?.waves.findIndex((wave) => wave.some((deletion) => deletion.digest === digest));
      const [fallback, signature] = goingWith as [BuiltManifest, BuiltManifest];
      expect(waveOf(fallback.digest)).toBeLessThan(waveOf(signature.digest) ?? -1);
      expect(waveOf(signature.digest)).toBeLessThan(waveOf(going.digest) ?? -1);
    });

    it('janitor check reports a tagged referrer whose image is gone', async () => {
      const repository = 'dangling';
      const [subject] = await pushReleases(repository, 1);
      const sbom = await pusher.pushImage(
        repository,
        { seed: `${repository}/sbom`, subject, artifactType: 'application/spdx+json' },
        'sbom-v0.0.0',
      );
      await driver.deleteDigests(repository, [(subject as BuiltManifest).digest]);
      const config = await configFile(
        `  - { repositories: [${repository}], tags: tag, keep: 10, drop: 5 }\n`,
      );
      const check = await runCli(['check', '--config', config, '--json']);
      expect(check.exitCode, check.stderr).toBe(1);
      const result = JSON.parse(check.stdout);
      expect(result.repositories[0].danglingReferrers).toEqual([
        { digest: sbom.digest, subject: (subject as BuiltManifest).digest },
      ]);
      // distribution 2.8 has no referrers API: check says what it cannot see.
      expect(result.repositories[0].referrers).toBe('tags');
      const table = await runCli(['check', '--config', config]);
      expect(table.stdout).toContain('this registry has no referrers API');
    });

    it('passes over a schema 1 image with its reason and cleans the rest of the repository', async () => {
      const repository = 'legacy';
      const legacy = await pusher.pushSchema1(repository, 'v0.0.1-schema1', new Date(origin - day));
      const modern = await pushReleases(repository, 11, 1);
      const config = await configFile(
        `  - { repositories: [${repository}], tags: tag, keep: 10, drop: 5 }\n`,
      );
      const apply = await runCli(['apply', '--config', config, '--json']);
      expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
      const [handler] = JSON.parse(apply.stdout).handlers;
      expect(handler.blockers).toEqual([]);
      const passedOver = handler.images.find((image: { digest: string }) => image.digest === legacy);
      expect(passedOver).toMatchObject({ fate: 'skip', reason: 'legacy-media-type' });
      expect(passedOver.explanation).toContain('schema1');
      expect((await driver.presentDigests(repository, [legacy])).has(legacy)).toBe(true);
      expect(await holds(repository, modern.slice(0, 2))).toEqual([false, true]);
    });

    it('keeps an image a tag was pushed onto, or moved onto, after the listing', async () => {
      for (const [repository, tag] of [
        ['race-new-tag', 'hotfix'],
        ['race-moved-tag', 'v0.12.0'],
      ] as const) {
        const [oldest, second] = (await pushReleases(repository, 13)) as [BuiltManifest, BuiltManifest];
        const racing = changingTheRegistry(driver, { after: 'listImages' }, () =>
          pusher.tag(repository, oldest, tag),
        );
        const report = await runHandler(racing, releases(repository), {
          mode: 'apply',
          logger: silentLogger,
        });
        expect(report.success, report.error).toBe(true);
        expect(report.retagged?.map((entry) => entry.digest)).toEqual([oldest.digest]);
        expect(await holds(repository, [oldest, second])).toEqual([true, false]);
      }
    });

    async function configFile(rules: string): Promise<string> {
      const path = join(await mkdtemp(join(tmpdir(), 'janitor-referrers-')), 'janitor.yaml');
      await writeFile(path, `registry:\n  type: oci\n  url: ${registry.url}\nrules:\n${rules}`);
      return path;
    }
  },
);
