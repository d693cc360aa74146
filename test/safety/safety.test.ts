import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../src/cleanup/integrity.js';
import { seedRepositories } from '../../src/config/config.js';
import { matchCandidates } from '../../src/core/match.js';
import { demoFleetShape, seedDemoFleet } from '../../src/emulator/fleet.js';
import { runCli, startCli } from '../support/cli.js';
import { type EmulatedEcr, inventoryOf, startEmulatedEcr } from '../support/emulator.js';
import { commitHashRule, releaseRule } from '../support/inventory.js';
import { expectedDeletions } from '../support/seed-algorithm.js';

/** The seed's rules plus the orphan rule, which collects what an interrupted run left behind. */
const config = `
registry: { type: ecr }
rules:
  - { repositories: [${seedRepositories.join(', ')}], tags: sha, keep: 10, drop: 5 }
  - { repositories: [${seedRepositories.join(', ')}], tags: tag, keep: 10, drop: 5 }
  - { repositories: [${seedRepositories.join(', ')}], untagged: { olderThan: 1h } }
`;
const fleetTime = new Date('2026-11-01T00:00:00Z');

let configPath: string;
beforeAll(async () => {
  configPath = join(await mkdtemp(join(tmpdir(), 'janitor-safety-')), 'janitor.yaml');
  await writeFile(configPath, config);
});

const inventory = inventoryOf;

/** Runs `apply` until a run changes nothing: the end state the janitor converges to. */
async function converge(ecr: EmulatedEcr): Promise<string[]> {
  for (let run = 0; run < 8; run += 1) {
    const before = inventory(ecr);
    const result = await runCli(['apply', '--config', configPath, '--log-level', 'silent'], ecr.environment);
    expect(result.exitCode, result.stdout).toBe(0);
    if (inventory(ecr).join() === before.join()) return before;
  }
  throw new Error('apply did not converge in 8 runs');
}

/** Nothing a kept image needs is missing, and no handler is below keep. */
async function expectIntact(ecr: EmulatedEcr): Promise<void> {
  for (const repository of seedRepositories) {
    const report = await checkIntegrity(ecr.driver, repository);
    expect(report.broken, repository).toEqual([]);
    expect(report.danglingReferrers, repository).toEqual([]);
    const images = await ecr.driver.listImages(repository);
    const shape = demoFleetShape[repository] as { shaImages: number; releaseImages: number };
    for (const [rule, seeded] of [
      [commitHashRule, shape.shaImages],
      [releaseRule, shape.releaseImages],
    ] as const) {
      const { candidates } = matchCandidates(images, rule);
      expect(candidates.length, `${repository}:${rule.name}`).toBeGreaterThanOrEqual(Math.min(seeded, 10));
    }
  }
}

/** A small deterministic generator, so a failing trial can be replayed. */
function randomFrom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('safety under faults, crashes and a second janitor', () => {
  let ecr: EmulatedEcr | undefined;
  afterEach(async () => {
    await ecr?.emulator.stop();
    ecr = undefined;
  });

  it('one apply against 30 % throttling and 5 % HTTP 500 ends in exactly the seed algorithm’s end state', async () => {
    ecr = await startEmulatedEcr();
    const fleet = seedDemoFleet(ecr.emulator.state, fleetTime);
    const before = inventory(ecr);
    ecr.emulator.setFaults({ throttleRate: 0.3, serverErrorRate: 0.05 });
    const result = await runCli(
      ['apply', '--config', 'builtin:seed', '--log-level', 'silent'],
      ecr.environment,
    );
    ecr.emulator.setFaults({});
    expect(result.exitCode, result.stdout).toBe(0);
    const after = new Set(inventory(ecr));
    const gone = new Set(before.filter((key) => !after.has(key)));
    expect(gone).toEqual(expectedDeletions(fleet.images));
    await expectIntact(ecr);
    const counts = ecr.emulator.requestCounts();
    expect(counts.DescribeImages).toBeGreaterThan(10);
  }, 120_000);

  it('killed with SIGKILL at random moments, apply leaves nothing broken, and reruns converge to the same end state', async () => {
    // The end state of an uninterrupted janitor, and how many delete requests one apply sends.
    ecr = await startEmulatedEcr();
    seedDemoFleet(ecr.emulator.state, fleetTime);
    ecr.emulator.setFaults({ latencyMs: 15 });
    const initial = inventory(ecr).length;
    await runCli(['apply', '--config', configPath, '--log-level', 'silent'], ecr.environment);
    const deleteRequests = ecr.emulator.requestCounts().BatchDeleteImage ?? 0;
    const deletedByOneApply = initial - inventory(ecr).length;
    const expected = await converge(ecr);
    await ecr.emulator.stop();
    expect(deleteRequests).toBeGreaterThan(5);

    // Each trial kills the janitor the moment the registry receives its k-th delete request, k at
    // random: that is within a batch (the request is in flight) and between batches.
    const random = randomFrom(20_261_127);
    let interruptedMidway = 0;
    for (let trial = 0; trial < 6; trial += 1) {
      ecr = await startEmulatedEcr();
      seedDemoFleet(ecr.emulator.state, fleetTime);
      ecr.emulator.setFaults({ latencyMs: 15 });
      const killAt = 1 + Math.floor(random() * (deleteRequests - 1));
      const janitor = startCli(['apply', '--config', configPath, '--log-level', 'silent'], ecr.environment);
      const current = ecr;
      while (
        (current.emulator.requestCounts().BatchDeleteImage ?? 0) < killAt &&
        janitor.child.exitCode === null
      ) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      janitor.child.kill('SIGKILL');
      await janitor.exited;
      const deleted = initial - inventory(ecr).length;
      if (deleted > 0 && deleted < deletedByOneApply) interruptedMidway += 1;
      await expectIntact(ecr);
      expect(await converge(ecr), `trial ${trial}, killed at delete request ${killAt}`).toEqual(expected);
      await ecr.emulator.stop();
      ecr = undefined;
    }
    // The kills must have landed in the middle of deleting, or the test proves nothing.
    expect(interruptedMidway).toBeGreaterThanOrEqual(4);
  }, 240_000);

  it('two janitors at once never go below keep nor break an image, and end in the same state as one', async () => {
    ecr = await startEmulatedEcr();
    seedDemoFleet(ecr.emulator.state, fleetTime);
    const expected = await converge(ecr);
    await ecr.emulator.stop();

    ecr = await startEmulatedEcr();
    seedDemoFleet(ecr.emulator.state, fleetTime);
    ecr.emulator.setFaults({ latencyMs: 5 });
    const args = ['apply', '--config', configPath, '--log-level', 'silent'];
    const [first, second] = await Promise.all([runCli(args, ecr.environment), runCli(args, ecr.environment)]);
    expect([first.exitCode, second.exitCode], first.stdout + second.stdout).toEqual([0, 0]);
    await expectIntact(ecr);
    ecr.emulator.setFaults({});
    expect(await converge(ecr)).toEqual(expected);
  }, 120_000);
});
