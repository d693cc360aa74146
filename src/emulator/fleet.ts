import { createHash } from 'node:crypto';
import { seedRepositories } from '../config/config.js';
import { type BuiltManifest, buildAttestationManifest, buildImageManifest, buildIndex } from './manifests.js';
import type { EmulatorState } from './state.js';

/** What a fleet seeded into the emulator holds, so tests and the demo can check the outcome. */
export interface SeededImage {
  readonly repository: string;
  readonly tags: readonly string[];
  readonly digest: string;
  readonly pushedAt: Date;
  readonly shape: 'oci-index' | 'docker-list' | 'single';
  /** Every digest the image consists of: itself, then its children. */
  readonly digests: readonly string[];
}

export interface SeededFleet {
  readonly images: readonly SeededImage[];
  /** A platform manifest shared by an old sha index (to be dropped) and a new release index (kept). */
  readonly sharedChild: { readonly repository: string; readonly digest: string };
}

interface RepositoryShape {
  readonly shaImages: number;
  readonly releaseImages: number;
}

/**
 * The seed's five repositories with counts that hit every edge of the algorithm: more than
 * keep + drop, keep + 1, exactly keep, fewer than keep. Sha images are multi-arch OCI indexes with
 * attestation manifests, as `docker buildx` pushes them; releases alternate Docker manifest lists
 * and single-platform manifests. Each repository also holds decoys the rules must pass over.
 */
export const demoFleetShape: Readonly<Record<string, RepositoryShape>> = {
  alloy: { shaImages: 18, releaseImages: 12 },
  kayron: { shaImages: 14, releaseImages: 11 },
  server: { shaImages: 9, releaseImages: 16 },
  specta: { shaImages: 10, releaseImages: 13 },
  'splits-lite': { shaImages: 11, releaseImages: 4 },
};

const hour = 3_600_000;

export function seedDemoFleet(state: EmulatorState, now: Date = new Date()): SeededFleet {
  const images: SeededImage[] = [];
  const put = (repository: string, manifest: BuiltManifest, tag?: string, pushedAt?: Date) =>
    state.putImage(repository, {
      manifest: manifest.text,
      mediaType: manifest.mediaType,
      ...(tag !== undefined && { tag }),
      ...(pushedAt && { pushedAt }),
    });
  const pushImage = (
    repository: string,
    tags: readonly string[],
    pushedAt: Date,
    shape: SeededImage['shape'],
    children: readonly BuiltManifest[],
    root: BuiltManifest,
  ) => {
    // A child already pushed (a platform manifest shared with an earlier image) keeps its push time.
    for (const child of children)
      if (!state.hasImage(repository, child.digest)) put(repository, child, undefined, pushedAt);
    for (const tag of tags) put(repository, root, tag, pushedAt);
    const digests = [root.digest, ...children.map((child) => child.digest)];
    images.push({ repository, tags, digest: root.digest, pushedAt, shape, digests });
  };
  let sharedChild: BuiltManifest | undefined;

  for (const repository of seedRepositories) {
    const shape = demoFleetShape[repository] as RepositoryShape;
    state.createRepository(repository);
    // Sha images: one every 6 hours, newest last. In alloy the 5th and 6th oldest share a push time,
    // right where drop 5 cuts, so the tie-break (by tag) decides which one goes.
    for (let index = 0; index < shape.shaImages; index += 1) {
      const commit = hex(`${repository}/commit/${index}`).slice(0, 12);
      const tieShift = repository === 'alloy' && index === 5 ? -6 * hour : 0;
      const pushedAt = new Date(now.getTime() - (shape.shaImages - index + 2) * 6 * hour + tieShift);
      const platforms = multiArch(`${repository}/${commit}`);
      if (repository === 'kayron' && index === 0) sharedChild = platforms[0];
      pushImage(repository, [commit], pushedAt, 'oci-index', platforms, buildIndex(platforms));
    }
    // Releases: one every two days; even ones Docker manifest lists, odd ones single manifests.
    for (let index = 0; index < shape.releaseImages; index += 1) {
      const tag = `v0.${index}.0`;
      const pushedAt = new Date(now.getTime() - (shape.releaseImages - index + 1) * 48 * hour);
      const seed = `${repository}/release/${index}`;
      const isNewestKayron = repository === 'kayron' && index === shape.releaseImages - 1;
      if (isNewestKayron && sharedChild) {
        // The release was built from the same commit as kayron's oldest sha image: its amd64
        // platform manifest is the very same digest. Dropping the sha image must keep it.
        const arm = buildImageManifest({
          seed: `${seed}/arm64`,
          format: 'oci',
          platform: { os: 'linux', architecture: 'arm64' },
        });
        const children = [sharedChild, arm];
        pushImage(repository, [tag], pushedAt, 'oci-index', children, buildIndex(children));
      } else if (index % 2 === 0) {
        const children = ['amd64', 'arm64'].map((architecture) =>
          buildImageManifest({
            seed: `${seed}/${architecture}`,
            format: 'docker',
            platform: { os: 'linux', architecture },
          }),
        );
        pushImage(
          repository,
          [tag],
          pushedAt,
          'docker-list',
          children,
          buildIndex(children, { format: 'docker' }),
        );
      } else {
        pushImage(
          repository,
          [tag],
          pushedAt,
          'single',
          [],
          buildImageManifest({ seed, format: 'docker', layerSizes: [25_000_000] }),
        );
      }
    }
    // Decoys: an old image with two tags, tags no rule matches, and an untagged orphan.
    const decoyTime = new Date(now.getTime() - 400 * hour);
    const twoTags = buildImageManifest({ seed: `${repository}/decoy/two-tags` });
    pushImage(
      repository,
      [hex(`${repository}/decoy`).slice(0, 12), 'stable'],
      decoyTime,
      'single',
      [],
      twoTags,
    );
    // `nightly` matches no rule; `cache` starts like a commit hash (the seed's prefix set took it).
    for (const tag of ['nightly', 'cache']) {
      pushImage(
        repository,
        [tag],
        decoyTime,
        'single',
        [],
        buildImageManifest({ seed: `${repository}/decoy/${tag}` }),
      );
    }
    put(repository, buildImageManifest({ seed: `${repository}/decoy/orphan` }), undefined, decoyTime);
  }
  return { images, sharedChild: { repository: 'kayron', digest: (sharedChild as BuiltManifest).digest } };
}

/** amd64 and arm64 platform manifests, each with its buildx attestation manifest. */
function multiArch(seed: string): BuiltManifest[] {
  const platforms = ['amd64', 'arm64'].map((architecture) =>
    buildImageManifest({ seed: `${seed}/${architecture}`, platform: { os: 'linux', architecture } }),
  );
  return [
    ...platforms,
    ...platforms.map((platform, index) => buildAttestationManifest(`${seed}/${index}`, platform)),
  ];
}

function hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
