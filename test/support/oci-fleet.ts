import { seedRepositories } from '../../src/config/config.js';
import { demoFleetShape } from '../../src/emulator/fleet.js';
import type { BuiltManifest } from '../../src/emulator/manifests.js';
import type { OciPusher } from './oci-push.js';
import type { FleetImage } from './seed-algorithm.js';

const hour = 3_600_000;
const createdAnnotation = 'org.opencontainers.image.created';

export interface OciFleet {
  readonly images: readonly FleetImage[];
  readonly sharedChild: { readonly repository: string; readonly digest: string };
}

/**
 * The seed's five repositories in a real distribution registry, shaped like the demo fleet: sha
 * tags as OCI indexes with attestation manifests (dated by the index annotation for even ones,
 * by the platform images' configs for odd ones), releases as Docker manifest lists and single
 * images, decoys (two tags, tags no rule matches, images without any `created`), and in kayron
 * a platform manifest shared by the oldest sha index and the newest release.
 */
export async function seedOciFleet(pusher: OciPusher, now = new Date()): Promise<OciFleet> {
  const images: FleetImage[] = [];
  let shared: BuiltManifest | undefined;
  for (const repository of seedRepositories) {
    const shape = demoFleetShape[repository] as { shaImages: number; releaseImages: number };
    for (let index = 0; index < shape.shaImages; index += 1) {
      const created = new Date(now.getTime() - (shape.shaImages - index + 2) * 6 * hour);
      const tag = `${(index * 7919 + repository.length).toString(16).padStart(4, '0')}c0ffee${index}`.slice(
        0,
        12,
      );
      const seed = `${repository}/sha/${index}`;
      const annotate = index % 2 === 0;
      const platforms: BuiltManifest[] = [];
      for (const architecture of ['amd64', 'arm64']) {
        platforms.push(
          await pusher.pushImage(repository, {
            seed: `${seed}/${architecture}`,
            platform: { os: 'linux', architecture },
            // An annotated index dates itself; its platform images carry an older date to prove it.
            created: annotate ? new Date(created.getTime() - 48 * hour) : created,
          }),
        );
      }
      const attestations: BuiltManifest[] = [];
      for (const platform of platforms) {
        attestations.push(
          await pusher.pushImage(repository, {
            seed: `${seed}/attestation/${platform.platform?.architecture}`,
            platform: { os: 'unknown', architecture: 'unknown' },
            created: null,
            annotations: {
              'vnd.docker.reference.digest': platform.digest,
              'vnd.docker.reference.type': 'attestation-manifest',
            },
          }),
        );
      }
      if (repository === 'kayron' && index === 0) shared = platforms[0];
      const children = [...platforms, ...attestations];
      const root = await pusher.pushIndex(
        repository,
        children,
        annotate ? { annotations: { [createdAnnotation]: created.toISOString() } } : {},
        tag,
      );
      images.push({
        repository,
        tags: [tag],
        pushedAt: created,
        digests: [root.digest, ...children.map((child) => child.digest)],
      });
    }
    for (let index = 0; index < shape.releaseImages; index += 1) {
      const tag = `v0.${index}.0`;
      const created = new Date(now.getTime() - (shape.releaseImages - index + 1) * 48 * hour);
      const seed = `${repository}/release/${index}`;
      if (repository === 'kayron' && index === shape.releaseImages - 1 && shared) {
        const arm = await pusher.pushImage(repository, {
          seed: `${seed}/arm64`,
          platform: { os: 'linux', architecture: 'arm64' },
          created,
        });
        const root = await pusher.pushIndex(
          repository,
          [shared, arm],
          { annotations: { [createdAnnotation]: created.toISOString() } },
          tag,
        );
        images.push({
          repository,
          tags: [tag],
          pushedAt: created,
          digests: [root.digest, shared.digest, arm.digest],
        });
      } else if (index % 2 === 0) {
        const children: BuiltManifest[] = [];
        for (const architecture of ['amd64', 'arm64']) {
          children.push(
            await pusher.pushImage(repository, {
              seed: `${seed}/${architecture}`,
              format: 'docker',
              platform: { os: 'linux', architecture },
              created,
            }),
          );
        }
        const root = await pusher.pushIndex(repository, children, { format: 'docker' }, tag);
        images.push({
          repository,
          tags: [tag],
          pushedAt: created,
          digests: [root.digest, ...children.map((child) => child.digest)],
        });
      } else {
        const root = await pusher.pushImage(repository, { seed, format: 'docker', created }, tag);
        images.push({ repository, tags: [tag], pushedAt: created, digests: [root.digest] });
      }
    }
    // Decoys: an old image with two tags, a tag no rule matches, and images without any date.
    const old = new Date(now.getTime() - 400 * hour);
    const twoTags = await pusher.pushImage(
      repository,
      { seed: `${repository}/decoy/two`, created: old },
      'abcdef000000',
    );
    await pusher.tag(repository, twoTags, 'stable');
    images.push({ repository, tags: ['abcdef000000', 'stable'], pushedAt: old, digests: [twoTags.digest] });
    // `nightly` matches no rule; `cache` starts like a commit hash (the seed's prefix set took it).
    for (const tag of ['nightly', 'cache']) {
      const decoy = await pusher.pushImage(
        repository,
        { seed: `${repository}/decoy/${tag}`, created: old },
        tag,
      );
      images.push({ repository, tags: [tag], pushedAt: old, digests: [decoy.digest] });
    }
    for (const tag of ['deadbeef0001', 'v0.0.1-undated']) {
      const undated = await pusher.pushImage(
        repository,
        { seed: `${repository}/decoy/${tag}`, created: null },
        tag,
      );
      images.push({ repository, tags: [tag], digests: [undated.digest] });
    }
  }
  return { images, sharedChild: { repository: 'kayron', digest: (shared as BuiltManifest).digest } };
}
