import { beforeEach, describe, expect, it } from 'vitest';
import { MediaType } from '../../src/core/types.js';
import type { BuiltManifest } from '../../src/emulator/manifests.js';
import type { RegistryDriver } from '../../src/registry/driver.js';
import type { ImageSpec } from '../support/oci-push.js';

/** What the contract needs from a registry under test besides the driver itself. */
export interface ContractRegistry {
  readonly driver: RegistryDriver;
  pushImage(repository: string, spec: ImageSpec, tag?: string): Promise<BuiltManifest>;
  pushIndex(
    repository: string,
    children: readonly BuiltManifest[],
    format: 'oci' | 'docker',
    tag?: string,
  ): Promise<BuiltManifest>;
  tag(repository: string, manifest: BuiltManifest, tag: string): Promise<void>;
}

/**
 * What every driver must do, run against each real registry: list every image with its tags and
 * age, read indexes and their children, delete by digest with every tag, count "already gone" as
 * done, and tell which digests a repository holds.
 */
export function describeDriverContract(name: string, setup: () => Promise<ContractRegistry>): void {
  describe(`registry driver contract: ${name}`, () => {
    let registry: ContractRegistry;
    let repository: string;
    let counter = 0;

    beforeEach(async () => {
      registry = await setup();
      counter += 1;
      repository = `contract-${counter}-${Date.now().toString(36)}`;
    });

    async function pushMultiArch(seed: string, tag: string, format: 'oci' | 'docker' = 'oci') {
      const platforms: BuiltManifest[] = [];
      for (const architecture of ['amd64', 'arm64']) {
        platforms.push(
          await registry.pushImage(repository, {
            seed: `${seed}/${architecture}`,
            format,
            platform: { os: 'linux', architecture },
          }),
        );
      }
      const children = [...platforms];
      if (format === 'oci') {
        children.push(
          await registry.pushImage(repository, {
            seed: `${seed}/attestation`,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: {
              'vnd.docker.reference.digest': platforms[0]?.digest as string,
              'vnd.docker.reference.type': 'attestation-manifest',
            },
          }),
        );
      }
      const index = await registry.pushIndex(repository, children, format, tag);
      return { index, children };
    }

    it('lists every tagged image and what its indexes reach, with tags, media type and age', async () => {
      const { index, children } = await pushMultiArch('list', 'abc123');
      const list = await pushMultiArch('list-docker', 'def456', 'docker');
      const single = await registry.pushImage(
        repository,
        { seed: 'list/single', format: 'docker' },
        'v1.0.0',
      );
      await registry.tag(repository, single, 'stable');

      const images = await registry.driver.listImages(repository);
      const byDigest = new Map(images.map((image) => [image.digest, image]));
      expect(byDigest.get(index.digest)).toMatchObject({ tags: ['abc123'], mediaType: MediaType.ociIndex });
      expect(byDigest.get(list.index.digest)).toMatchObject({
        tags: ['def456'],
        mediaType: MediaType.dockerManifestList,
      });
      expect([...(byDigest.get(single.digest)?.tags ?? [])].sort()).toEqual(['stable', 'v1.0.0']);
      for (const image of [index, list.index, single])
        expect(byDigest.get(image.digest)?.pushedAt).toBeInstanceOf(Date);
      for (const child of [...children, ...list.children]) {
        expect(byDigest.get(child.digest)?.tags).toEqual([]);
        expect(byDigest.get(child.digest)?.sizeBytes).toBeGreaterThan(0);
      }
    });

    it('reads an index and its children, and says which digests it could not read', async () => {
      const { index, children } = await pushMultiArch('read', 'fed456');
      const missing = `sha256:${'0'.repeat(64)}`;
      const manifests = await registry.driver.getManifests(repository, [index.digest, missing]);
      expect(manifests.get(index.digest)).toMatchObject({
        kind: 'index',
        children: children.map((child) => child.digest),
      });
      expect(manifests.get(missing)?.kind).toBe('unreadable');
    });

    it('deletes by digest, taking every tag with it, and counts an absent digest as already gone', async () => {
      const single = await registry.pushImage(repository, { seed: 'delete/single' }, 'v1');
      await registry.tag(repository, single, 'v1-again');
      const keeper = await registry.pushImage(repository, { seed: 'delete/keeper' }, 'v2');
      const absent = `sha256:${'1'.repeat(64)}`;

      const outcomes = await registry.driver.deleteDigests(repository, [single.digest, absent]);
      expect(outcomes).toEqual([
        { digest: single.digest, outcome: 'deleted' },
        { digest: absent, outcome: 'already-gone' },
      ]);
      expect(await registry.driver.presentDigests(repository, [single.digest, keeper.digest])).toEqual(
        new Set([keeper.digest]),
      );
      const remaining = await registry.driver.listImages(repository);
      expect(remaining.flatMap((image) => image.tags)).toEqual(['v2']);
      // Deleting again is not an error.
      expect(await registry.driver.deleteDigests(repository, [single.digest])).toEqual([
        { digest: single.digest, outcome: 'already-gone' },
      ]);
    });

    it('deletes an index and then its children, leaving nothing behind', async () => {
      // Another tagged image stays: ghcr.io refuses to delete a package's last tagged version.
      await registry.pushImage(repository, { seed: 'delete-index/keeper' }, 'v9');
      const { index, children } = await pushMultiArch('delete-index', 'cafe789');
      expect(await registry.driver.deleteDigests(repository, [index.digest])).toEqual([
        { digest: index.digest, outcome: 'deleted' },
      ]);
      const childDigests = children.map((child) => child.digest);
      const outcomes = await registry.driver.deleteDigests(repository, childDigests);
      expect(outcomes.every((outcome) => outcome.outcome === 'deleted')).toBe(true);
      expect(await registry.driver.presentDigests(repository, [index.digest, ...childDigests])).toEqual(
        new Set(),
      );
    });

    it('tells what the registry says now of digests: their tags, asked of it, nothing cached', async () => {
      const { index, children } = await pushMultiArch('tags-now', 'beef0123');
      const single = await registry.pushImage(repository, { seed: 'tags-now/single' }, 'v1');
      const gone = `sha256:${'2'.repeat(64)}`;
      const digests = [index.digest, single.digest, gone, ...children.map((child) => child.digest)];
      const tagsOf = async (asked: readonly string[]) => {
        const state = await registry.driver.currentState(repository, asked);
        return (digest: string) => [...(state.get(digest)?.tags ?? [])].sort();
      };
      const first = await tagsOf(digests);
      expect(first(index.digest)).toEqual(['beef0123']);
      expect(first(single.digest)).toEqual(['v1']);
      // Untagged and gone digests carry no tag (a registry that lists tags only cannot tell them apart).
      for (const digest of [gone, ...children.map((child) => child.digest)])
        expect(first(digest)).toEqual([]);
      // A tag pushed since is seen, and one moved away is no longer there.
      await registry.tag(repository, single, 'prod');
      await registry.tag(repository, children[0] as BuiltManifest, 'beef0123');
      const now = await tagsOf(digests);
      expect(now(single.digest)).toEqual(['prod', 'v1']);
      expect(now(index.digest)).toEqual([]);
      expect(now((children[0] as BuiltManifest).digest)).toEqual(['beef0123']);
    });
  });
}
