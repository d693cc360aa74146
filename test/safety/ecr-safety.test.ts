import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHandler } from '../../src/cleanup/handler.js';
import type { HandlerSpec } from '../../src/core/types.js';
import { type BuiltManifest, buildImageManifest, buildIndex } from '../../src/emulator/manifests.js';
import { silentLogger } from '../../src/log.js';
import { EcrDriver } from '../../src/registry/ecr/driver.js';
import { type EmulatedEcr, startEmulatedEcr } from '../support/emulator.js';
import { changingTheRegistry } from '../support/race.js';

/** What ECR answers is checked before it is believed, through the real SDK against the emulator. */
describe('ECR answers the planner does not take on trust', () => {
  let ecr: EmulatedEcr;
  const day = 86_400_000;
  const origin = Date.UTC(2026, 0, 1);
  beforeAll(async () => {
    ecr = await startEmulatedEcr();
  });
  afterAll(async () => {
    await ecr?.emulator.stop();
  });

  const releases = (repository: string): HandlerSpec => ({
    name: `${repository}:v`,
    repository,
    rule: { name: 'v', prefixes: ['v'], keep: 10, drop: 5 },
  });

  /** `count` two-platform release indexes, one a day, oldest first; the newest shares a child with the oldest. */
  function pushIndexes(repository: string, count: number): BuiltManifest[] {
    const indexes: BuiltManifest[] = [];
    const shared = buildImageManifest({ seed: `${repository}/shared`, layerSizes: [10] });
    for (let index = 0; index < count; index += 1) {
      const own = buildImageManifest({ seed: `${repository}/${index}`, layerSizes: [10] });
      const children = index === 0 || index === count - 1 ? [shared, own] : [own];
      const pushedAt = new Date(origin + index * day);
      for (const child of children)
        ecr.emulator.state.putImage(repository, {
          manifest: child.text,
          mediaType: child.mediaType,
          pushedAt,
        });
      const root = buildIndex(children);
      ecr.emulator.state.putImage(repository, {
        manifest: root.text,
        mediaType: root.mediaType,
        tag: `v0.${index}.0`,
        pushedAt,
      });
      indexes.push(root);
    }
    return indexes;
  }

  it('blocks, naming the index and its media type, when a manifest does not hash to its digest', async () => {
    const repository = 'tampered';
    const indexes = pushIndexes(repository, 12);
    const newest = indexes.at(-1) as BuiltManifest;
    // The newest release shares a platform manifest with the oldest; an answer that hides it must
    // not let that platform manifest go with the oldest.
    ecr.emulator.state.corruptManifest(repository, newest.digest, buildIndex([]).text);
    const before = ecr.emulator.state.listImages(repository).length;
    const report = await runHandler(ecr.driver, releases(repository), {
      mode: 'apply',
      logger: silentLogger,
    });
    expect(report.success).toBe(false);
    expect(report.plan?.waves).toEqual([]);
    expect(report.plan?.blockers.map((each) => each.kind)).toEqual(['unreadable-manifest']);
    const blocker = report.plan?.blockers.map((each) => each.message).join('\n') ?? '';
    expect(blocker).toContain(newest.digest);
    expect(blocker).toContain('does not match its digest');
    expect(blocker).toContain('application/vnd.oci.image.index.v1+json');
    expect(ecr.emulator.state.listImages(repository)).toHaveLength(before);
  });

  describe('archived images (ECR archive storage class)', () => {
    it('lists them, never deletes them, and keeps an archived platform manifest of a deleted index', async () => {
      const repository = 'archive';
      const indexes = pushIndexes(repository, 12);
      const oldest = indexes[0] as BuiltManifest;
      const archivedChild = buildImageManifest({ seed: `${repository}/0`, layerSizes: [10] });
      ecr.emulator.state.setImageStatus(repository, archivedChild.digest, 'ARCHIVED');
      const archivedRelease = buildImageManifest({
        seed: `${repository}/archived-release`,
        layerSizes: [10],
      });
      ecr.emulator.state.putImage(repository, {
        manifest: archivedRelease.text,
        mediaType: archivedRelease.mediaType,
        tag: 'v0.0.1-archived',
        pushedAt: new Date(origin - day),
      });
      ecr.emulator.state.setImageStatus(repository, archivedRelease.digest, 'ARCHIVED');

      const report = await runHandler(ecr.driver, releases(repository), {
        mode: 'apply',
        logger: silentLogger,
      });
      expect(report.success, report.error ?? report.plan?.blockers.map((each) => each.message).join()).toBe(
        true,
      );
      const decision = report.plan?.decisions.find((each) => each.image.digest === archivedRelease.digest);
      expect(decision).toMatchObject({ fate: 'skip', reason: 'archived' });
      expect(ecr.emulator.state.hasImage(repository, oldest.digest)).toBe(false);
      expect(ecr.emulator.state.hasImage(repository, archivedChild.digest)).toBe(true);
      expect(ecr.emulator.state.hasImage(repository, archivedRelease.digest)).toBe(true);
    });

    it('blocks, naming it, when an archived index that might reference a doomed manifest cannot be read', async () => {
      const repository = 'archived-index';
      const indexes = pushIndexes(repository, 12);
      const newest = indexes.at(-1) as BuiltManifest;
      ecr.emulator.state.setImageStatus(repository, newest.digest, 'ARCHIVED');
      const report = await runHandler(ecr.driver, releases(repository), {
        mode: 'plan',
        logger: silentLogger,
      });
      expect(report.plan?.waves).toEqual([]);
      const blocker = report.plan?.blockers.map((each) => each.message).join('\n') ?? '';
      expect(blocker).toContain(newest.digest);
      expect(blocker).toContain('archived');
    });

    it('is never an orphan', async () => {
      const repository = 'archived-orphan';
      const orphan = buildImageManifest({ seed: `${repository}/orphan`, layerSizes: [10] });
      ecr.emulator.state.putImage(repository, {
        manifest: orphan.text,
        mediaType: orphan.mediaType,
        pushedAt: new Date(origin),
      });
      ecr.emulator.state.setImageStatus(repository, orphan.digest, 'ARCHIVED');
      const orphans: HandlerSpec = {
        name: `${repository}:untagged`,
        repository,
        rule: { name: 'untagged', prefixes: [], keep: 0, drop: 100, untaggedOlderThanMs: day },
      };
      const report = await runHandler(ecr.driver, orphans, { mode: 'apply', logger: silentLogger });
      expect(report.plan?.groups).toEqual([]);
      expect(ecr.emulator.state.hasImage(repository, orphan.digest)).toBe(true);
    });

    it('lists without the imageStatus filter, once and with a warning, where the endpoint refuses it', async () => {
      const repository = 'older-endpoint';
      pushIndexes(repository, 3);
      const warnings: string[] = [];
      const driver = new EcrDriver(ecr.client, { onWarning: (message) => warnings.push(message) });
      ecr.emulator.setOptions({ withoutImageStatus: true });
      try {
        ecr.emulator.resetRequestCounts();
        expect(await driver.listImages(repository)).toHaveLength(7);
        expect(await driver.listImages(repository)).toHaveLength(7);
        expect(ecr.emulator.requestCounts()).toEqual({ DescribeImages: 3 });
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain('archived images are not seen');
      } finally {
        ecr.emulator.setOptions({});
      }
    });
  });

  describe('the retag race', () => {
    it('keeps an image a tag was pushed onto, or moved onto, after the listing; the rest goes', async () => {
      for (const [repository, tag] of [
        ['race-new-tag', 'hotfix'],
        ['race-moved-tag', 'v0.11.0'],
      ] as const) {
        const indexes = pushIndexes(repository, 13);
        const [oldest, second, third] = indexes as [BuiltManifest, BuiltManifest, BuiltManifest];
        const driver = changingTheRegistry(ecr.driver, { after: 'listImages' }, async () => {
          // A new tag, or a release tag moved back onto the oldest image (a rollback).
          ecr.emulator.state.putImage(repository, {
            manifest: oldest.text,
            mediaType: oldest.mediaType,
            tag,
          });
        });
        ecr.emulator.resetRequestCounts();
        const report = await runHandler(driver, releases(repository), {
          mode: 'apply',
          logger: silentLogger,
        });
        expect(report.success, report.error).toBe(true);
        expect(report.retagged?.map((entry) => entry.digest)).toEqual([oldest.digest]);
        expect(ecr.emulator.state.hasImage(repository, oldest.digest)).toBe(true);
        for (const child of JSON.parse(oldest.text).manifests)
          expect(ecr.emulator.state.hasImage(repository, child.digest)).toBe(true);
        expect(ecr.emulator.state.hasImage(repository, second.digest)).toBe(false);
        expect(ecr.emulator.state.hasImage(repository, third.digest)).toBe(false);
        // One DescribeImages by id for the check: every doomed digest fits in one request.
        expect(ecr.emulator.requestCounts().DescribeImages).toBe(2);
      }
    });

    it('answers the check from a listing when a doomed digest was deleted meanwhile', async () => {
      const repository = 'race-deleted';
      const indexes = pushIndexes(repository, 13);
      const [oldest, second] = indexes as [BuiltManifest, BuiltManifest];
      const driver = changingTheRegistry(ecr.driver, { before: 'currentTags' }, async () => {
        ecr.emulator.state.deleteImages(repository, [{ imageDigest: second.digest }]);
      });
      ecr.emulator.resetRequestCounts();
      const report = await runHandler(driver, releases(repository), { mode: 'apply', logger: silentLogger });
      expect(report.success, report.error).toBe(true);
      expect(report.execution?.alreadyGone).toContain(second.digest);
      expect(ecr.emulator.state.hasImage(repository, oldest.digest)).toBe(false);
      expect(ecr.emulator.requestCounts().DescribeImages).toBe(3);
    });
  });
});
