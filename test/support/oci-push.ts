import { createHash } from 'node:crypto';
import { MediaType } from '../../src/core/types.js';
import { type BuiltManifest, buildIndex, type Platform } from '../../src/emulator/manifests.js';
import { signedSchema1Manifest } from './schema1.js';

export interface ImageSpec {
  /** Makes the content unique: the same seed gives the same digest. */
  readonly seed: string;
  readonly format?: 'oci' | 'docker';
  readonly platform?: Platform;
  readonly annotations?: Record<string, string>;
  /** The config's `created`; null for a config without one. Default: now. */
  readonly created?: Date | null;
  /** OCI 1.1: the manifest is a referrer (a signature, an SBOM) of this one. */
  readonly subject?: BuiltManifest;
  /** OCI 1.1 artifact type, for a referrer (`application/spdx+json`…). */
  readonly artifactType?: string;
}

function digestOf(body: Buffer | string): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/**
 * Pushes real content through the distribution API — blobs by monolithic upload, then manifests —
 * as `docker buildx` would, so fixtures are what a registry really holds.
 */
export class OciPusher {
  constructor(
    private readonly url: string,
    private readonly authorization: (scope: string) => Promise<string | undefined> = async () => undefined,
  ) {}

  async pushImage(repository: string, spec: ImageSpec, tag?: string): Promise<BuiltManifest> {
    const docker = spec.format === 'docker';
    const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
    const config = Buffer.from(
      JSON.stringify({
        ...(spec.created !== null && { created: (spec.created ?? new Date()).toISOString() }),
        architecture: platform.architecture,
        os: platform.os,
        rootfs: { type: 'layers', diff_ids: [digestOf(`${spec.seed}/diff`)] },
      }),
    );
    const layer = Buffer.from(`${spec.seed}/layer/`.repeat(64));
    await this.pushBlob(repository, config);
    await this.pushBlob(repository, layer);
    const mediaType = docker ? MediaType.dockerManifest : MediaType.ociManifest;
    const document = {
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: docker
          ? 'application/vnd.docker.container.image.v1+json'
          : 'application/vnd.oci.image.config.v1+json',
        digest: digestOf(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: docker
            ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
            : 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: digestOf(layer),
          size: layer.length,
        },
      ],
      ...(spec.artifactType && { artifactType: spec.artifactType }),
      ...(spec.subject && {
        subject: {
          mediaType: spec.subject.mediaType,
          digest: spec.subject.digest,
          size: Buffer.byteLength(spec.subject.text),
        },
      }),
      ...(spec.annotations && { annotations: spec.annotations }),
    };
    const text = JSON.stringify(document);
    await this.putManifest(repository, tag ?? digestOf(text), text, mediaType);
    return {
      text,
      digest: digestOf(text),
      mediaType,
      sizeBytes: config.length + layer.length,
      platform,
      ...(spec.annotations && { annotations: spec.annotations }),
    };
  }

  async pushIndex(
    repository: string,
    children: readonly BuiltManifest[],
    options: { format?: 'oci' | 'docker'; annotations?: Record<string, string> } = {},
    tag?: string,
  ): Promise<BuiltManifest> {
    // The same index the emulator's fleets use, so both registries hold alike content.
    const index = buildIndex(children, { ...options, compact: true });
    await this.putManifest(repository, tag ?? index.digest, index.text, index.mediaType);
    return index;
  }
  /** A signed schema 1 image (the registry must accept them: `acceptSchema1`); returns its digest. */
  async pushSchema1(repository: string, tag: string, created: Date): Promise<string> {
    const layer = Buffer.from(`${repository}/${tag}/schema1-layer`);
    await this.pushBlob(repository, layer);
    const manifest = signedSchema1Manifest({ repository, tag, layerDigest: digestOf(layer), created });
    await this.putManifest(
      repository,
      tag,
      manifest.text,
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    );
    return manifest.digest;
  }

  /** Points `tag` at an already pushed manifest. */
  async tag(repository: string, manifest: BuiltManifest, tag: string): Promise<void> {
    await this.putManifest(repository, tag, manifest.text, manifest.mediaType);
  }

  private async pushBlob(repository: string, body: Buffer): Promise<void> {
    const headers = await this.headers(`repository:${repository}:pull,push`);
    const start = await fetch(`${this.url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
    await start.body?.cancel();
    if (start.status !== 202) throw new Error(`blob upload to ${repository} refused: HTTP ${start.status}`);
    const location = new URL(start.headers.get('location') as string, this.url);
    location.searchParams.set('digest', digestOf(body));
    const put = await fetch(location, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(body),
    });
    if (put.status !== 201)
      throw new Error(`blob upload to ${repository} failed: HTTP ${put.status} ${await put.text()}`);
  }

  private async putManifest(
    repository: string,
    reference: string,
    text: string,
    mediaType: string,
  ): Promise<void> {
    const response = await fetch(`${this.url}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { ...(await this.headers(`repository:${repository}:pull,push`)), 'content-type': mediaType },
      body: text,
    });
    if (response.status !== 201) {
      throw new Error(
        `manifest ${reference} to ${repository} refused: HTTP ${response.status} ${await response.text()}`,
      );
    }
  }

  private async headers(scope: string): Promise<Record<string, string>> {
    const authorization = await this.authorization(scope);
    return authorization ? { authorization } : {};
  }
}
