import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  type DescribeImagesFilter,
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
import { manifestDigest } from '../manifest-digest.js';
import { describeNetworkError, isTimeout } from '../network.js';

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
  /** Told once when the endpoint turns out not to know a field the driver relies on. */
  readonly onWarning?: (message: string) => void;
  /** The endpoint the client talks to, named in errors (which operation failed where). */
  readonly endpoint?: string;
}

/**
 * Amazon ECR through the official SDK. The client is built by the caller, so the standard AWS
 * environment (region, profile, credential chain, AWS_ENDPOINT_URL_ECR) is the SDK's business.
 */
export class EcrDriver implements RegistryDriver {
  readonly description: string;
  readonly location?: string;
  readonly deleteBatchSize = batchSize;
  private readonly manifestCache: BoundedCache<Digest, Manifest>;
  private readonly concurrency: number;
  /** Sent with every request when configured, so the calls and the in-use matching agree. */
  private readonly registry: { registryId?: string };
  /** The account ECR says the registry belongs to (every image detail carries it). */
  private registryId?: string;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly endpoint: string | undefined;
  /** Cleared when the endpoint refuses `filter.imageStatus`. */
  private imageStatusFilter = true;

  constructor(
    private readonly client: ECRClient,
    options: EcrDriverOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.registry = options.registryId === undefined ? {} : { registryId: options.registryId };
    this.registryId = options.registryId;
    this.onWarning = options.onWarning;
    this.manifestCache = new BoundedCache(options.manifestCacheSize ?? defaultManifestCacheSize);
    this.endpoint = options.endpoint;
    if (options.endpoint !== undefined) this.location = options.endpoint;
    this.description = options.endpoint === undefined ? 'ecr' : `ECR at ${options.endpoint}`;
  }

  private wrap(error: unknown, operation: string, repository: string): RegistryError {
    return wrap(error, operation, repository, this.endpoint);
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
      throw this.wrap(error, 'DescribeRepositories', '(all)');
    }
    return names;
  }

  /**
   * Every manifest, tagged or not, archived or not: an archived index still names its children,
   * and they must not go while it may be restored. An ECR-compatible endpoint that refuses the
   * `imageStatus` filter (older than ECR's archive) is asked again without it, once, and remembered.
   */
  async listImages(repository: string, options: CallOptions = {}): Promise<Image[]> {
    if (this.imageStatusFilter) {
      try {
        return await this.describeAll(repository, { tagStatus: 'ANY', imageStatus: 'ANY' }, options);
      } catch (error) {
        if (!isValidationError(error)) throw this.wrap(error, 'DescribeImages', repository);
        // Perhaps the filter, perhaps the request: the same request without the filter tells.
        const images = await this.describeAll(repository, { tagStatus: 'ANY' }, options).catch(
          (second: unknown) => {
            throw this.wrap(second, 'DescribeImages', repository);
          },
        );
        this.imageStatusFilter = false;
        this.onWarning?.(
          `this ECR endpoint refuses DescribeImages' filter.imageStatus (${(error as Error).message}); ` +
            'listing without it: archived images are not seen, so an archived index does not protect its children',
        );
        return images;
      }
    }
    try {
      return await this.describeAll(repository, { tagStatus: 'ANY' }, options);
    } catch (error) {
      throw this.wrap(error, 'DescribeImages', repository);
    }
  }

  private async describeAll(
    repository: string,
    filter: DescribeImagesFilter,
    options: CallOptions,
  ): Promise<Image[]> {
    const images: Image[] = [];
    const pages = paginateDescribeImages(
      { client: this.client, pageSize: listPageSize },
      { ...this.registry, repositoryName: repository, filter },
      { abortSignal: options.signal },
    );
    for await (const page of pages) {
      for (const detail of page.imageDetails ?? []) {
        this.registryId ??= detail.registryId;
        const image = toImage(detail);
        if (image !== undefined) images.push(image);
      }
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
          throw this.wrap(error, 'BatchGetImage', repository);
        });
      for (const image of answer.images ?? []) {
        const digest = image.imageId?.imageDigest;
        if (digest === undefined || image.imageManifest === undefined) continue;
        const mediaType = image.imageManifestMediaType;
        // Content that does not hash to the digest asked for is not what the digest names: it can
        // only protect, never widen a deletion (a corrupted store, a proxy rewriting answers).
        const hashed = manifestDigest(Buffer.from(image.imageManifest, 'utf8'), mediaType);
        if (hashed !== digest) {
          found.set(digest, {
            kind: 'unreadable',
            digest,
            reason: `its content does not match its digest (ECR returned content that hashes to ${hashed})`,
            ...(mediaType && { mediaType }),
          });
          continue;
        }
        const manifest = parseManifest(digest, image.imageManifest, mediaType);
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

  /**
   * DescribeImages by id, 100 a request. One id ECR does not know fails the whole request
   * (ImageNotFoundException, unlike the Batch* calls): a digest deleted meanwhile by someone else
   * is answered by one listing of the repository instead.
   */
  async currentTags(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Map<Digest, readonly string[]>> {
    const tags = new Map<Digest, readonly string[]>();
    const record = (images: readonly Image[]) => {
      for (const image of images) if (image.tags.length > 0) tags.set(image.digest, image.tags);
    };
    try {
      await mapWithConcurrency(chunk([...new Set(digests)], batchSize), this.concurrency, async (batch) => {
        const answer = await this.client.send(
          new DescribeImagesCommand({
            ...this.registry,
            repositoryName: repository,
            imageIds: batch.map((imageDigest) => ({ imageDigest })),
          }),
          { abortSignal: options.signal },
        );
        record((answer.imageDetails ?? []).flatMap((detail) => toImage(detail) ?? []));
      });
    } catch (error) {
      if ((error as Error).name !== 'ImageNotFoundException')
        throw this.wrap(error, 'DescribeImages', repository);
      const wanted = new Set(digests);
      tags.clear();
      record((await this.listImages(repository, options)).filter((image) => wanted.has(image.digest)));
    }
    return tags;
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
        throw this.wrap(error, 'BatchDeleteImage', repository);
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
    // ARCHIVED, or ACTIVATING (being restored): not pullable now, and never deleted here.
    ...(detail.imageStatus !== undefined && detail.imageStatus !== 'ACTIVE' && { archived: true }),
  };
}

/** The endpoint refused the request as malformed, as opposed to throttling, access or a missing repository. */
function isValidationError(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return ['InvalidParameterException', 'ValidationException', 'SerializationException'].includes(name);
}

function wrap(
  error: unknown,
  operation: string,
  repository: string,
  endpoint: string | undefined,
): RegistryError {
  const name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: unknown }).code;
  // A failure on the wire says what a person would fix; an ECR error keeps ECR's own words.
  const onTheWire = isTimeout(error) || (typeof code === 'string' && /^E[A-Z]+$/.test(code));
  const at = endpoint === undefined ? '' : ` at ${endpoint}`;
  const request = `ECR ${operation} on repository "${repository}"${at}`;
  // Aborted by a deadline or a stop: the caller says which; the request itself did not fail.
  if (name === 'AbortError') return new RegistryError(`${request} was cut short`, name, { cause: error });
  const what =
    onTheWire && endpoint !== undefined
      ? describeNetworkError(error, new URL(endpoint))
      : `${name}: ${error instanceof Error ? error.message : String(error)}`;
  return new RegistryError(`${request} failed: ${what}`, name, { cause: error });
}
