import { beforeEach, describe, expect, it } from 'vitest';
import { MediaType } from '../../src/core/types.js';
import {
  type BuiltManifest,
  buildAttestationManifest,
  buildImageManifest,
  buildIndex,
} from '../../src/emulator/manifests.js';
import type { RegistryDriver } from '../../src/registry/driver.js';

/** What the contract needs from a registry under test besides the driver itself. */
export interface ContractRegistry {
  readonly driver: RegistryDriver;
  /** Pushes a manifest (children must be pushed first), optionally tagged. */
  push(repository: string, manifest: BuiltManifest, tag?: string): Promise<void>;
  exists(repository: string, digest: string): Promise<boolean>;
}

/**
 * What every driver must do, run against each real registry: list every manifest with its tags,
 * read indexes and their children, delete by digest with every tag, count "already gone" as done.
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

    async function pushMultiArch(seed: string, tag: string) {
      const platforms = ['amd64', 'arm64'].map((architecture) =>
        buildImageManifest({ seed: `${seed}/${architecture}`, platform: { os: 'linux', architecture } }),
      );
      const attestation = buildAttestationManifest(seed, platforms[0] as BuiltManifest);
      const children = [...platforms, attestation];
      for (const child of children) await registry.push(repository, child);
      const index = buildIndex(children);
      await registry.push(repository, index, tag);
      return { index, children };
    }

    it('lists every manifest, tagged or not, with its tags and media type', async () => {
      const { index, children } = await pushMultiArch('list', 'abc123');
      const single = buildImageManifest({ seed: 'list/single', format: 'docker' });
      await registry.push(repository, single, 'v1.0.0');
      await registry.push(repository, single, 'stable');

      const images = await registry.driver.listImages(repository);
      const byDigest = new Map(images.map((image) => [image.digest, image]));
      expect(byDigest.get(index.digest)?.tags).toEqual(['abc123']);
      expect([...(byDigest.get(single.digest)?.tags ?? [])].sort()).toEqual(['stable', 'v1.0.0']);
      expect(byDigest.get(index.digest)?.mediaType ?? MediaType.ociIndex).toBe(MediaType.ociIndex);
      for (const child of children) {
        const listed = byDigest.get(child.digest);
        if (listed) expect(listed.tags).toEqual([]);
      }
    });

    it('reads an index and its children, and says which digests it could not read', async () => {
      const { index, children } = await pushMultiArch('read', 'def456');
      const missing = buildImageManifest({ seed: 'read/never-pushed' }).digest;
      const manifests = await registry.driver.getManifests(repository, [index.digest, missing]);
      expect(manifests.get(index.digest)).toMatchObject({
        kind: 'index',
        children: children.map((child) => child.digest),
      });
      expect(manifests.get(missing)?.kind).toBe('unreadable');
    });

    it('deletes by digest, taking every tag with it, and counts an absent digest as already gone', async () => {
      const single = buildImageManifest({ seed: 'delete/single' });
      await registry.push(repository, single, 'v1');
      await registry.push(repository, single, 'v1-again');
      const absent = buildImageManifest({ seed: 'delete/absent' }).digest;

      const outcomes = await registry.driver.deleteDigests(repository, [single.digest, absent]);
      expect(outcomes).toEqual([
        { digest: single.digest, outcome: 'deleted' },
        { digest: absent, outcome: 'already-gone' },
      ]);
      expect(await registry.exists(repository, single.digest)).toBe(false);
      const remaining = await registry.driver.listImages(repository);
      expect(remaining.flatMap((image) => image.tags)).toEqual([]);

      // Deleting again is not an error.
      expect(await registry.driver.deleteDigests(repository, [single.digest])).toEqual([
        { digest: single.digest, outcome: 'already-gone' },
      ]);
    });

    it('deletes an index and then its children, leaving nothing behind', async () => {
      const { index, children } = await pushMultiArch('delete-index', 'fed789');
      expect(await registry.driver.deleteDigests(repository, [index.digest])).toEqual([
        { digest: index.digest, outcome: 'deleted' },
      ]);
      const outcomes = await registry.driver.deleteDigests(
        repository,
        children.map((child) => child.digest),
      );
      expect(outcomes.every((outcome) => outcome.outcome === 'deleted')).toBe(true);
      for (const digest of [index.digest, ...children.map((child) => child.digest)]) {
        expect(await registry.exists(repository, digest)).toBe(false);
      }
    });
  });
}
