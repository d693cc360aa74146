import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  type ECRClient,
  type ImageDetail,
  paginateDescribeImages,
  paginateDescribeRepositories,
} from '@aws-sdk/client-ecr';
import { parseManifest } from '../../core/manifest.js';
import { type DeleteOutcome, type Digest, type Image, type Manifest, MediaType } from '../../core/types.js';
import { ecrHosts } from '../../inuse/hosts.js';
import { BoundedCache, defaultManifestCacheSize } from '../cache.js';
import {
  type CallOptions,
  chunk,
  mapWithConcurrency,
  type RegistryDriver,
  RegistryError,
} from '../driver.js';

/** ECR's documented limits: DescribeImages pages of up to 1000, batches of up to 100 image ids. */
const listPageSize = 1000;
const batchSize = 100;
/** Without these, BatchGetImage answers indexes with UnsupportedImageType. */
const acceptedMediaTypes = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
];

export interface EcrDriverOptions {
  /** Batches of one repository sent at the same time. */
  readonly concurrency?: number;
  /** Parsed manifests remembered across runs (a daemon's); a one-off pass needs few. */
  readonly manifestCacheSize?: number;
  /** The registry (AWS account) to work on; default: the one of the credentials. */
  readonly registryId?: string;
}

/**
 * Amazon ECR through the official SDK. The client is built by the caller, so the standard AWS
 * environment (region, profile, credential chain, AWS_ENDPOINT_URL_ECR) is the SDK's business.
 */
export class EcrDriver implements RegistryDriver {
  readonly description: string;
  readonly deleteBatchSize = batchSize;
  private readonly manifestCache: BoundedCache<Digest, Manifest>;
  private readonly concurrency: number;
  /** Sent with every request when configured, so the calls and the in-use matching agree. */
  private readonly registry: { registryId?: string };
  /** The account ECR says the registry belongs to (every image detail carries it). */
  private registryId?: string;

  constructor(
    private readonly client: ECRClient,
    options: EcrDriverOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.registry = options.registryId === undefined ? {} : { registryId: options.registryId };
    this.registryId = options.registryId;
    this.manifestCache = new BoundedCache(options.manifestCacheSize ?? defaultManifestCacheSize);
    this.description = 'ecr';
  }

  async listRepositories(options: CallOptions = {}): Promise<string[]> {
    const names: string[] = [];
    const pages = paginateDescribeRepositories(
      { client: this.client, pageSize: listPageSize },
      { ...this.registry },
      { abortSignal: options.signal },
    );
    try {
      for await (const page of pages) {
        for (const repository of page.repositories ?? []) {
          this.registryId ??= repository.registryId;
          if (repository.repositoryName) names.push(repository.repositoryName);
        }
      }
    } catch (error) {
      throw wrap(error, 'DescribeRepositories', '(all)');
    }
    return names;
  }

  async listImages(repository: string, options: CallOptions = {}): Promise<Image[]> {
    const images: Image[] = [];
    const pages = paginateDescribeImages(
      { client: this.client, pageSize: listPageSize },
      { ...this.registry, repositoryName: repository, filter: { tagStatus: 'ANY' } },
      { abortSignal: options.signal },
    );
    try {
      for await (const page of pages) {
        for (const detail of page.imageDetails ?? []) {
          this.registryId ??= detail.registryId;
          const image = toImage(detail);
          if (image !== undefined) images.push(image);
        }
      }
    } catch (error) {
      throw wrap(error, 'DescribeImages', repository);
    }
    return images;
  }

  async getManifests(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Map<Digest, Manifest>> {
    const found = new Map<Digest, Manifest>();
    const missing: Digest[] = [];
    for (const digest of new Set(digests)) {
      const cached = this.manifestCache.get(digest);
      if (cached === undefined) missing.push(digest);
      else found.set(digest, cached);
    }
    await mapWithConcurrency(chunk(missing, batchSize), this.concurrency, async (batch) => {
      const answer = await this.client
        .send(
          new BatchGetImageCommand({
            ...this.registry,
            repositoryName: repository,
            imageIds: batch.map((imageDigest) => ({ imageDigest })),
            acceptedMediaTypes,
          }),
          { abortSignal: options.signal },
        )
        .catch((error: unknown) => {
          throw wrap(error, 'BatchGetImage', repository);
        });
      for (const image of answer.images ?? []) {
        const digest = image.imageId?.imageDigest;
        if (digest === undefined || image.imageManifest === undefined) continue;
        const manifest = parseManifest(digest, image.imageManifest, image.imageManifestMediaType);
        // Only a parsed manifest is cached: content behind a digest never changes, a failure might.
        if (manifest.kind !== 'unreadable') this.manifestCache.set(digest, manifest);
        found.set(digest, manifest);
      }
      for (const failure of answer.failures ?? []) {
        const digest = failure.imageId?.imageDigest;
        if (digest === undefined) continue;
        found.set(digest, {
          kind: 'unreadable',
          digest,
          reason: `${failure.failureCode ?? 'failure'}: ${failure.failureReason ?? 'no reason given'}`,
          ...(failure.failureCode === 'ImageNotFound' && { missing: true }),
        });
      }
    });
    for (const digest of missing) {
      if (!found.has(digest))
        found.set(digest, { kind: 'unreadable', digest, reason: 'ECR did not return it' });
    }
    return found;
  }

  async deleteDigests(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<DeleteOutcome[]> {
    const outcomes = await mapWithConcurrency(
      chunk([...new Set(digests)], batchSize),
      this.concurrency,
      (batch) => this.deleteBatch(repository, batch, options),
    );
    return outcomes.flat();
  }

  async referenceHosts(): Promise<readonly string[]> {
    if (this.registryId === undefined) return [];
    return ecrHosts(this.registryId, await this.client.config.region());
  }

  /** ECR lists every manifest, tagged or not, so one listing answers for any number of digests. */
  async presentDigests(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Set<Digest>> {
    const listed = new Set((await this.listImages(repository, options)).map((image) => image.digest));
    return new Set(digests.filter((digest) => listed.has(digest)));
  }

  private async deleteBatch(
    repository: string,
    batch: readonly Digest[],
    options: CallOptions,
  ): Promise<DeleteOutcome[]> {
    const answer = await this.client
      .send(
        new BatchDeleteImageCommand({
          ...this.registry,
          repositoryName: repository,
          imageIds: batch.map((imageDigest) => ({ imageDigest })),
        }),
        { abortSignal: options.signal },
      )
      .catch((error: unknown) => {
        throw wrap(error, 'BatchDeleteImage', repository);
      });
    const outcomes = new Map<Digest, DeleteOutcome>();
    for (const id of answer.imageIds ?? []) {
      if (id.imageDigest !== undefined)
        outcomes.set(id.imageDigest, { digest: id.imageDigest, outcome: 'deleted' });
    }
    for (const failure of answer.failures ?? []) {
      const digest = failure.imageId?.imageDigest;
      if (digest === undefined) continue;
      const code = failure.failureCode ?? 'Unknown';
      if (code === 'ImageNotFound') {
        outcomes.set(digest, { digest, outcome: 'already-gone' });
      } else {
        outcomes.set(digest, {
          digest,
          outcome: 'failed',
          code,
          reason: failure.failureReason ?? 'no reason given',
          referencedByLiveIndex: code === 'ImageReferencedByManifestList',
        });
      }
    }
    // An id ECR neither confirmed nor refused is not counted as deleted.
    return batch.map(
      (digest) =>
        outcomes.get(digest) ?? {
          digest,
          outcome: 'failed',
          code: 'Unconfirmed',
          reason: 'ECR neither confirmed nor refused the deletion',
        },
    );
  }
}

function toImage(detail: ImageDetail): Image | undefined {
  if (detail.imageDigest === undefined) return undefined;
  return {
    digest: detail.imageDigest,
    tags: detail.imageTags ?? [],
    ...(detail.imagePushedAt !== undefined && { pushedAt: detail.imagePushedAt }),
    ...(detail.imageSizeInBytes !== undefined && { sizeBytes: detail.imageSizeInBytes }),
    ...(detail.imageManifestMediaType !== undefined && { mediaType: detail.imageManifestMediaType }),
    ...(detail.subjectManifestDigest !== undefined && { subjectDigest: detail.subjectManifestDigest }),
    ...(detail.lastRecordedPullTime !== undefined && { lastPulledAt: detail.lastRecordedPullTime }),
  };
}

function wrap(error: unknown, operation: string, repository: string): RegistryError {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return new RegistryError(
    `ECR ${operation} on repository "${repository}" failed: ${name}: ${message}`,
    name,
    {
      cause: error,
    },
  );
}
