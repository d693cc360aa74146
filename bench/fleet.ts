import { createHash } from 'node:crypto';
import { MediaType } from '../src/core/types.js';
import type { EmulatorState } from '../src/emulator/state.js';

/** The shape of a benchmark fleet: repositories × tagged images, most of them multi-arch indexes. */
export interface FleetShape {
  readonly repositories: number;
  readonly images: number;
  /** Share of the tagged images that are indexes (each with two platforms and an attestation). */
  readonly indexShare: number;
}

const hour = 3_600_000;

function digestOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** A compact single-platform manifest, unique per seed. */
function imageManifest(seed: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: digestOf(`${seed}/c`),
      size: 900,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: digestOf(`${seed}/l`),
        size: 20_000_000,
      },
    ],
  });
}

/**
 * Seeds the emulator, in-process and without HTTP, with repositories named `fleet/r<n>` holding
 * sha-tagged images one hour apart. Returns the number of manifests stored.
 */
export function seedFleet(state: EmulatorState, shape: FleetShape, now = Date.now()): number {
  let manifests = 0;
  for (let repository = 0; repository < shape.repositories; repository += 1) {
    const name = `fleet/r${repository}`;
    state.createRepository(name);
    for (let image = 0; image < shape.images; image += 1) {
      const seed = `${name}/${image}`;
      const tag = createHash('sha1').update(seed).digest('hex').slice(0, 12);
      const pushedAt = new Date(now - (shape.images - image) * hour);
      if (image / shape.images < shape.indexShare) {
        const children = ['amd64', 'arm64', 'attestation'].map((part) => {
          const text = imageManifest(`${seed}/${part}`);
          state.putImage(name, { manifest: text, mediaType: MediaType.ociManifest, pushedAt });
          return { mediaType: MediaType.ociManifest, digest: digestOf(text), size: text.length };
        });
        const index = JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.ociIndex,
          manifests: children,
        });
        state.putImage(name, { manifest: index, mediaType: MediaType.ociIndex, tag, pushedAt });
        manifests += 4;
      } else {
        state.putImage(name, {
          manifest: imageManifest(seed),
          mediaType: MediaType.ociManifest,
          tag,
          pushedAt,
        });
        manifests += 1;
      }
    }
  }
  return manifests;
}
