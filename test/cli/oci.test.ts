import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../src/cleanup/integrity.js';
import { seedRepositories } from '../../src/config/config.js';
import { OciDriver } from '../../src/registry/oci/driver.js';
import { runCli } from '../support/cli.js';
import { type Distribution, skipWithoutDistribution, startDistribution } from '../support/distribution.js';
import { type OciFleet, seedOciFleet } from '../support/oci-fleet.js';
import { OciPusher } from '../support/oci-push.js';
import { expectedDeletions } from '../support/seed-algorithm.js';

describe.skipIf(skipWithoutDistribution)(
  'janitor plan and apply with registry.type oci, against a real distribution registry',
  () => {
    let registry: Distribution;
    let fleet: OciFleet;
    let configPath: string;
    beforeAll(async () => {
      registry = await startDistribution();
      fleet = await seedOciFleet(new OciPusher(registry.url));
      configPath = join(await mkdtemp(join(tmpdir(), 'janitor-oci-')), 'janitor.yaml');
      await writeFile(
        configPath,
        `registry:\n  type: oci\n  url: ${registry.url}\nrules:\n` +
          `  - { repositories: [${seedRepositories.join(', ')}], tags: sha, keep: 10, drop: 5 }\n` +
          `  - { repositories: [${seedRepositories.join(', ')}], tags: tag, keep: 10, drop: 5 }\n`,
      );
    }, 60_000);
    afterAll(async () => {
      await registry?.stop();
    });

    /** Which of the fleet's digests the registry still holds, asked over HEAD. */
    async function present(): Promise<Set<string>> {
      const driver = new OciDriver({ url: registry.url });
      const result = new Set<string>();
      for (const repository of seedRepositories) {
        const digests = fleet.images
          .filter((image) => image.repository === repository)
          .flatMap((image) => image.digests);
        for (const digest of await driver.presentDigests(repository, digests))
          result.add(`${repository}@${digest}`);
      }
      return result;
    }

    it('keeps what a list says is in use, by tag and by a platform manifest’s digest, on the registry’s host', async () => {
      const doomed = expectedDeletions(fleet.images);
      const goes = (image: (typeof fleet.images)[number]) =>
        doomed.has(`${image.repository}@${image.digests[0]}`);
      const byTag = fleet.images.find((image) => image.tags.length === 1 && goes(image));
      const byChild = fleet.images.find(
        (image) => image !== byTag && image.digests.length > 1 && goes(image),
      );
      if (byTag === undefined || byChild === undefined) throw new Error('the fleet has nothing to delete');
      const host = new URL(registry.url).host;
      const directory = await mkdtemp(join(tmpdir(), 'janitor-oci-in-use-'));
      await writeFile(
        join(directory, 'images.txt'),
        `${host}/${byTag.repository}:${byTag.tags[0]}\n${host}/${byChild.repository}@${byChild.digests[1]}\n` +
          // The same names on another registry keep nothing here.
          `registry.example.com/${byChild.repository}:${byChild.tags[0]}\n`,
      );
      const withInUse = join(directory, 'janitor.yaml');
      await writeFile(
        withInUse,
        `${await readFile(configPath, 'utf8')}inUse:\n  references:\n    files: [${join(directory, 'images.txt')}]\n`,
      );
      const plan = await runCli(['plan', '--config', withInUse, '--json']);
      expect(plan.exitCode, plan.stderr).toBe(0);
      const decisionOf = (image: (typeof fleet.images)[number]) =>
        JSON.parse(plan.stdout)
          .handlers.flatMap((handler: { images: { digest: string }[] }) => handler.images)
          .find((decision: { digest: string }) => decision.digest === image.digests[0]);
      expect(decisionOf(byTag)).toMatchObject({
        fate: 'keep',
        reason: 'in-use',
        explanation: expect.stringMatching(/^in use by list /),
      });
      expect(decisionOf(byChild)).toMatchObject({
        fate: 'keep',
        reason: 'in-use',
        explanation: expect.stringMatching(/^its manifest sha256:\w{12} is in use by list /),
      });
    });

    it('plan deletes nothing and exits 0; apply deletes exactly the seed algorithm’s digest groups', async () => {
      const before = await present();
      const plan = await runCli(['plan', '--config', configPath, '--json']);
      expect(plan.stderr).toBe('');
      expect(plan.exitCode).toBe(0);
      expect(await present()).toEqual(before);
      const report = JSON.parse(plan.stdout);
      const skipped = report.handlers
        .find((handler: { handler: string }) => handler.handler === 'alloy:v')
        .images.filter(
          (image: { fate: string; reason: string }) =>
            image.fate === 'skip' && image.reason === 'no-push-time',
        );
      expect(skipped.map((image: { tags: string[] }) => image.tags)).toEqual([['v0.0.1-undated']]);
      // `sha` means commit hashes: `cache` only starts like one, and is passed over with the reason.
      const cache = report.handlers
        .find((handler: { handler: string }) => handler.handler === 'alloy:sha')
        .images.find((image: { tags: string[] }) => image.tags.includes('cache'));
      expect(cache).toMatchObject({ fate: 'skip', reason: 'not-a-commit-hash' });

      const apply = await runCli(['apply', '--config', configPath]);
      expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
      const after = await present();
      const gone = new Set([...before].filter((key) => !after.has(key)));
      expect(gone).toEqual(expectedDeletions(fleet.images));
      expect(after.has(`${fleet.sharedChild.repository}@${fleet.sharedChild.digest}`)).toBe(true);
      const caches = fleet.images.filter((image) => image.tags.includes('cache'));
      expect(caches).toHaveLength(seedRepositories.length);
      for (const image of caches) expect(after.has(`${image.repository}@${image.digests[0]}`)).toBe(true);
      const driver = new OciDriver({ url: registry.url });
      for (const repository of seedRepositories) {
        expect((await checkIntegrity(driver, repository)).broken).toEqual([]);
      }
    }, 60_000);
  },
);
