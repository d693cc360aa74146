import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../src/cleanup/integrity.js';
import { runPass } from '../../src/cleanup/pass.js';
import { handlersOf, seedRepositories } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import type { GhcrDriver } from '../../src/registry/ghcr/driver.js';
import { OciDriver } from '../../src/registry/oci/driver.js';
import { runCli } from '../support/cli.js';
import { type Distribution, skipWithoutDistribution, startDistribution } from '../support/distribution.js';
import { deletingToken, type GhcrStandIn, startGhcrStandIn, testOwner } from '../support/ghcr.js';
import { seedOciFleet } from '../support/oci-fleet.js';
import { expectedDeletions, type FleetImage } from '../support/seed-algorithm.js';

describe.skipIf(skipWithoutDistribution)(
  'janitor with registry.type ghcr, against the GitHub stand-in and a real distribution behind a ghcr.io-like front',
  () => {
    let registry: Distribution;
    let standIn: GhcrStandIn;
    let images: FleetImage[];
    let configPath: string;
    /** What GitHub listed before any run. */
    let before: Set<string>;
    beforeAll(async () => {
      registry = await startDistribution();
      standIn = await startGhcrStandIn(registry);
      images = await seed(testOwner);
      configPath = await writeConfig(testOwner);
      before = await present(standIn.driver());
    }, 120_000);
    afterAll(async () => {
      await standIn?.stop();
      await registry?.stop();
    });

    /** The seed's fleet pushed as OWNER/REPOSITORY, each image dated by when GitHub saw it first. */
    async function seed(owner: string): Promise<FleetImage[]> {
      const fleet = await seedOciFleet(standIn.pusherFor(owner));
      // GitHub dates every version, so the images without a `created` are dated here too.
      return fleet.images.map((image) => ({
        ...image,
        pushedAt: standIn.state.version(owner, image.repository, image.digests[0] as string)
          ?.createdAt as Date,
      }));
    }

    async function writeConfig(owner: string): Promise<string> {
      const path = join(await mkdtemp(join(tmpdir(), 'janitor-ghcr-')), 'janitor.yaml');
      await writeFile(
        path,
        `registry:\n  type: ghcr\n  owner: ${owner}\n  apiUrl: ${standIn.github.url}\n  registryUrl: ${standIn.front.url}\n` +
          'rules:\n' +
          `  - { repositories: [${seedRepositories.join(', ')}], tags: sha, keep: 10, drop: 5 }\n` +
          `  - { repositories: [${seedRepositories.join(', ')}], tags: tag, keep: 10, drop: 5 }\n`,
      );
      return path;
    }

    /** Which of the fleet's digests GitHub lists; the registry behind must hold exactly those. */
    async function present(driver: GhcrDriver): Promise<Set<string>> {
      const result = new Set<string>();
      const backing = new OciDriver({ url: registry.url });
      for (const repository of seedRepositories) {
        const digests = images
          .filter((image) => image.repository === repository)
          .flatMap((image) => image.digests);
        const listed = await driver.presentDigests(repository, digests);
        expect(await backing.presentDigests(`${testOwner.toLowerCase()}/${repository}`, digests)).toEqual(
          listed,
        );
        for (const digest of listed) result.add(`${repository}@${digest}`);
      }
      return result;
    }

    async function applyInProcess(driver: GhcrDriver) {
      const config = await loadConfig(configPath);
      return runPass(driver, handlersOf(config), { mode: 'apply', logger: silentLogger });
    }

    it('plan changes nothing; apply deletes exactly the seed algorithm’s digest groups, through GitHub’s API', async () => {
      const driver = standIn.driver();
      const plan = await runCli(['plan', '--config', configPath, '--json'], { GITHUB_TOKEN: deletingToken });
      expect(plan.stderr).toBe('');
      expect(plan.exitCode).toBe(0);
      expect(await present(driver)).toEqual(before);
      expect(JSON.parse(plan.stdout).registry).toBe(
        `GitHub Container Registry ${new URL(standIn.front.url).host}/${testOwner}`,
      );

      // The CLI end to end on one handler, at GitHub's real pace (a few deletes).
      const expected = expectedDeletions(images);
      const kayronReleases = new Set(
        images
          .filter((image) => image.repository === 'kayron' && image.tags[0]?.startsWith('v'))
          .flatMap((image) => image.digests.map((digest) => `kayron@${digest}`)),
      );
      const apply = await runCli(['apply', '--config', configPath, '--repository', 'kayron', '--rule', 'v'], {
        GITHUB_TOKEN: deletingToken,
      });
      expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
      const afterCli = await present(driver);
      const goneByCli = new Set([...before].filter((key) => !afterCli.has(key)));
      expect(goneByCli).toEqual(new Set([...expected].filter((key) => kayronReleases.has(key))));
      expect(goneByCli.size).toBeGreaterThan(0);

      // The rest in this process, with GitHub's waits shortened.
      const reports = await applyInProcess(driver);
      expect(reports.filter((report) => !report.success)).toEqual([]);
      const after = await present(driver);
      expect(new Set([...before].filter((key) => !after.has(key)))).toEqual(expected);
      for (const repository of seedRepositories)
        expect((await checkIntegrity(driver, repository)).broken).toEqual([]);
      const check = await runCli(['check', '--config', configPath], { GITHUB_TOKEN: deletingToken });
      expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    }, 120_000);

    // Continues from the state the first run left: the same fleet, one run older.
    it('two overlapping runs fail nothing and break nothing, and later runs converge on the newest 10 per rule', async () => {
      const [first, second] = await Promise.all([
        applyInProcess(standIn.driver()),
        applyInProcess(standIn.driver()),
      ]);
      const overlapping = [...(first ?? []), ...(second ?? [])];
      for (const report of overlapping) {
        expect(report.error).toBeUndefined();
        expect(report.execution?.failed ?? []).toEqual([]);
      }
      // Both runs did delete: each found work the other was doing or had done.
      expect(overlapping.some((report) => (report.execution?.deleted.length ?? 0) > 0)).toBe(true);
      const driver = standIn.driver();
      for (const repository of seedRepositories)
        expect((await checkIntegrity(driver, repository)).broken).toEqual([]);

      // Each later run deletes up to 5 more per rule, until every rule is down to its 10 newest.
      let runs = 0;
      for (let deleted = Number.POSITIVE_INFINITY; deleted > 0; runs += 1) {
        const reports = await applyInProcess(driver);
        deleted = reports.reduce((total, report) => total + (report.execution?.deleted.length ?? 0), 0);
      }
      expect(runs).toBeLessThanOrEqual(3);
      const after = await present(driver);
      expect(new Set([...before].filter((key) => !after.has(key)))).toEqual(
        expectedDeletions(images, 10, Number.MAX_SAFE_INTEGER),
      );
    }, 120_000);
  },
);

describe('janitor with registry.type ghcr: what is said when the token is missing or refused', () => {
  let standIn: GhcrStandIn;
  let configPath: string;
  beforeAll(async () => {
    standIn = await startGhcrStandIn();
    configPath = join(await mkdtemp(join(tmpdir(), 'janitor-ghcr-')), 'janitor.yaml');
    await writeFile(
      configPath,
      `registry: {type: ghcr, owner: ${testOwner}, apiUrl: "${standIn.github.url}", registryUrl: "${standIn.front.url}"}\n` +
        'rules:\n  - {repositories: [web], tags: tag, keep: 1, drop: 1}\n',
    );
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  it('names the variable a missing token was looked for in, before any request', async () => {
    const result = await runCli(['plan', '--config', configPath]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('registry.tokenEnv: GITHUB_TOKEN is not set');
    expect(standIn.github.requests).toEqual([]);
  });

  it('says GitHub refused the token, and fails the run', async () => {
    const result = await runCli(['plan', '--config', configPath, '--log-level', 'silent'], {
      GITHUB_TOKEN: 'ghp_not_a_token_github_knows',
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toContain('GitHub refused the token (401 Bad credentials)');
  });
});
