import { MediaType } from '../core/types.js';
import { digestOf } from './digest.js';

/** Builders of realistic manifest texts, for the emulator's fleets, the demo and the tests. */

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface BuiltManifest {
  readonly text: string;
  readonly digest: string;
  readonly mediaType: string;
  /** Σ layer and config sizes, as a registry would report the image's size. */
  readonly sizeBytes: number;
  readonly platform?: Platform;
  readonly annotations?: Record<string, string>;
}

/** A single-platform image manifest whose layers are named after `seed`, so each seed is unique. */
export function buildImageManifest(options: {
  readonly seed: string;
  readonly format?: 'oci' | 'docker';
  readonly layerSizes?: readonly number[];
  readonly platform?: Platform;
  readonly annotations?: Record<string, string>;
  readonly configMediaType?: string;
  /** Makes it an OCI 1.1 referrer (a signature, an SBOM) of that manifest. */
  readonly subject?: BuiltManifest;
}): BuiltManifest {
  const docker = options.format === 'docker';
  const layerMediaType = docker
    ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
    : 'application/vnd.oci.image.layer.v1.tar+gzip';
  const configSize = 1_024;
  const layerSizes = options.layerSizes ?? [30_000_000, 12_000_000];
  const document = {
    schemaVersion: 2,
    mediaType: docker ? MediaType.dockerManifest : MediaType.ociManifest,
    config: {
      mediaType:
        options.configMediaType ??
        (docker
          ? 'application/vnd.docker.container.image.v1+json'
          : 'application/vnd.oci.image.config.v1+json'),
      digest: digestOf(`${options.seed}/config`),
      size: configSize,
    },
    layers: layerSizes.map((size, index) => ({
      mediaType: layerMediaType,
      digest: digestOf(`${options.seed}/layer/${index}`),
      size,
    })),
    ...(options.annotations && { annotations: options.annotations }),
    ...(options.subject && {
      subject: {
        mediaType: options.subject.mediaType,
        digest: options.subject.digest,
        size: Buffer.byteLength(options.subject.text),
      },
    }),
  };
  const text = JSON.stringify(document, null, 2);
  return {
    text,
    digest: digestOf(text),
    mediaType: document.mediaType,
    sizeBytes: configSize + layerSizes.reduce((total, size) => total + size, 0),
    ...(options.platform && { platform: options.platform }),
    ...(options.annotations && { annotations: options.annotations }),
  };
}

/** An attestation manifest as `docker buildx` pushes it beside each platform (platform unknown/unknown). */
export function buildAttestationManifest(seed: string, subject: BuiltManifest): BuiltManifest {
  return buildImageManifest({
    seed: `${seed}/attestation`,
    layerSizes: [2_048],
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: {
      'vnd.docker.reference.digest': subject.digest,
      'vnd.docker.reference.type': 'attestation-manifest',
    },
  });
}

/** An OCI image index or a Docker manifest list naming `children`. */
export function buildIndex(
  children: readonly BuiltManifest[],
  options: {
    readonly format?: 'oci' | 'docker';
    readonly annotations?: Record<string, string>;
    readonly compact?: boolean;
  } = {},
): BuiltManifest {
  const mediaType = options.format === 'docker' ? MediaType.dockerManifestList : MediaType.ociIndex;
  const document = {
    schemaVersion: 2,
    mediaType,
    manifests: children.map((child) => ({
      mediaType: child.mediaType,
      digest: child.digest,
      size: Buffer.byteLength(child.text),
      ...(child.platform && { platform: child.platform }),
      ...(child.annotations && { annotations: child.annotations }),
    })),
    ...(options.annotations && { annotations: options.annotations }),
  };
  const text = options.compact ? JSON.stringify(document) : JSON.stringify(document, null, 2);
  return {
    text,
    digest: digestOf(text),
    mediaType,
    sizeBytes: Math.max(0, ...children.map((child) => child.sizeBytes)),
  };
}
