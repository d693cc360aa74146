// The registry the emulator serves: repositories, images, tags, and ECR's rules about them.
// Pure and synchronous so tests can seed and inspect it in-process; the HTTP layer only
// translates requests into these calls and EcrError into ECR's error responses.
import { ApiError } from './api-error.js';
import {
  digestOf,
  isIndexMediaType,
  isWellFormedDigest,
  listingKeyOf,
  type ManifestFacts,
  readManifest,
} from './digest.js';

/** An ECR error as the wire names it (`__type`); the server turns it into an HTTP 400 answer. */
export class EcrError extends ApiError {
  constructor(type: string, message: string) {
    super(type, message, 400);
  }
}

export interface SeedImage {
  manifest: string;
  mediaType: string;
  tag?: string;
  pushedAt?: Date;
  lastPulledAt?: Date;
}

export interface ImageIdentifier {
  imageDigest?: string;
  imageTag?: string;
}

export interface ImageFailure {
  imageId: ImageIdentifier;
  failureCode: string;
  failureReason: string;
}

export interface ImageRecord {
  digest: string;
  tags: string[];
  mediaType: string;
  pushedAt: Date;
  sizeBytes: number;
  manifest: string;
  lastPulledAt?: Date;
  artifactMediaType?: string;
  subjectDigest?: string;
  /** ECR's storage class, as `imageStatus` says it: archived images cannot be pulled. */
  status: ImageStatus;
  /** Position in the listing order; the server builds its page cursors from it. */
  listingKey: string;
}

export type ImageStatus = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';

interface StoredImage {
  digest: string;
  manifest: string;
  /** What BatchGetImage answers instead of the manifest, when a test corrupts the store. */
  servedManifest?: string;
  status?: ImageStatus;
  mediaType: string;
  facts: ManifestFacts;
  tags: string[];
  pushedAt: Date;
  lastPulledAt?: Date;
  listingKey: string;
}

interface Repository {
  name: string;
  createdAt: Date;
  images: Map<string, StoredImage>;
  digestByTag: Map<string, string>;
  /** Images sorted by listing key; dropped on every change and rebuilt on the next read. */
  ordered?: StoredImage[];
}

type Resolution = { image: StoredImage } | { failure: ImageFailure };

export class EmulatorState {
  readonly accountId: string;
  readonly region: string;
  private readonly now: () => Date;
  private readonly repositoriesByName = new Map<string, Repository>();

  constructor(options: { now?: () => Date; accountId?: string; region?: string } = {}) {
    this.now = options.now ?? (() => new Date());
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
  }

  /** Idempotent, for seeding; CreateRepository over HTTP uses createRepositoryExclusively. */
  createRepository(name: string): void {
    if (!this.repositoriesByName.has(name)) {
      this.repositoriesByName.set(name, {
        name,
        createdAt: this.now(),
        images: new Map(),
        digestByTag: new Map(),
      });
    }
  }

  createRepositoryExclusively(name: string): void {
    if (this.repositoriesByName.has(name)) {
      throw new EcrError(
        'RepositoryAlreadyExistsException',
        `The repository with name '${name}' already exists in the registry with id '${this.accountId}'`,
      );
    }
    this.createRepository(name);
  }

  /** For tests and seeding: a repository and everything in it gone, as a forced DeleteRepository. */
  deleteRepository(name: string): void {
    this.repository(name);
    this.repositoriesByName.delete(name);
  }

  repositories(): string[] {
    return [...this.repositoriesByName.keys()].sort();
  }

  repositoryCreatedAt(name: string): Date {
    return this.repository(name).createdAt;
  }

  /** Throws RepositoryNotFoundException, which every ECR operation answers for an unknown name. */
  assertRepository(name: string): void {
    this.repository(name);
  }

  /** Seeding: lenient (any media type, unreadable manifests, children pushed later) and creates the repository. */
  putImage(repositoryName: string, seed: SeedImage): string {
    this.createRepository(repositoryName);
    const repository = this.repository(repositoryName);
    const digest = digestOf(seed.manifest);
    let image = repository.images.get(digest);
    if (image === undefined) {
      image = this.store(repository, digest, seed.manifest, seed.mediaType, readManifest(seed.manifest));
    }
    if (seed.pushedAt !== undefined) image.pushedAt = seed.pushedAt;
    if (seed.lastPulledAt !== undefined) image.lastPulledAt = seed.lastPulledAt;
    if (seed.tag !== undefined) this.attachTag(repository, image, seed.tag);
    return digest;
  }

  /** ECR's PutImage: strict about the manifest, the digest, and that an index's children exist. */
  pushImage(
    repositoryName: string,
    request: { manifest: string; mediaType?: string; tag?: string; digest?: string },
  ): ImageRecord {
    const repository = this.repository(repositoryName);
    const facts = readManifest(request.manifest);
    if (!facts.readable) {
      throw invalidParameter('Invalid parameter: imageManifest is not a JSON object');
    }
    const mediaType = request.mediaType ?? facts.declaredMediaType;
    if (mediaType === undefined) {
      throw invalidParameter('Invalid parameter: imageManifestMediaType is required');
    }
    if (facts.declaredMediaType !== undefined && facts.declaredMediaType !== mediaType) {
      throw invalidParameter(
        `Invalid parameter: manifest mediaType '${facts.declaredMediaType}' does not match '${mediaType}'`,
      );
    }
    const digest = digestOf(request.manifest);
    if (request.digest !== undefined && request.digest !== digest) {
      throw new EcrError(
        'ImageDigestDoesNotMatchException',
        `The specified digest ${request.digest} does not match the computed digest ${digest}`,
      );
    }
    if (request.tag !== undefined && (request.tag.length === 0 || request.tag.length > 300)) {
      throw invalidParameter('Invalid parameter: imageTag must be 1 to 300 characters');
    }
    if (isIndexMediaType(mediaType)) {
      const missing = facts.childDigests.filter((child) => !repository.images.has(child));
      if (missing.length > 0) {
        throw new EcrError(
          'ReferencedImagesNotFoundException',
          `Some of the referenced images were not found: [${missing.join(', ')}]`,
        );
      }
    }
    let image = repository.images.get(digest);
    if (image !== undefined && (request.tag === undefined || image.tags.includes(request.tag))) {
      throw new EcrError(
        'ImageAlreadyExistsException',
        `Image with digest '${digest}'${request.tag === undefined ? '' : ` and tag '${request.tag}'`} already exists in the repository with name '${repositoryName}' in registry with id '${this.accountId}'`,
      );
    }
    image ??= this.store(repository, digest, request.manifest, mediaType, facts);
    if (request.tag !== undefined) this.attachTag(repository, image, request.tag);
    return this.record(repository, image);
  }

  /**
   * A test's corruption: BatchGetImage answers `text` for this digest from now on, as a damaged
   * store or a proxy rewriting answers would. The listing is unchanged.
   */
  corruptManifest(repositoryName: string, digest: string, text: string): void {
    const image = this.repository(repositoryName).images.get(digest);
    if (image === undefined) throw new Error(`${repositoryName} has no ${digest}`);
    image.servedManifest = text;
  }

  /** UpdateImageStorageClass, for tests: moves an image to (or towards) the archive storage class. */
  setImageStatus(repositoryName: string, digest: string, status: ImageStatus): void {
    const image = this.repository(repositoryName).images.get(digest);
    if (image === undefined) throw new Error(`${repositoryName} has no ${digest}`);
    image.status = status;
  }

  hasImage(repositoryName: string, digest: string): boolean {
    return this.repositoriesByName.get(repositoryName)?.images.has(digest) ?? false;
  }

  listImages(repositoryName: string): ImageRecord[] {
    const repository = this.repository(repositoryName);
    return this.ordered(repository).map((image) => this.record(repository, image));
  }

  /** Images in listing order from the first whose key is ≥ listingKey, built lazily so a page costs its size. */
  *imagesFrom(repositoryName: string, listingKey: string | undefined): Generator<ImageRecord> {
    const repository = this.repository(repositoryName);
    const ordered = this.ordered(repository);
    let low = 0;
    let high = ordered.length;
    while (listingKey !== undefined && low < high) {
      const middle = (low + high) >>> 1;
      if ((ordered[middle] as StoredImage).listingKey < listingKey) low = middle + 1;
      else high = middle;
    }
    for (let index = low; index < ordered.length; index++) {
      yield this.record(repository, ordered[index] as StoredImage);
    }
  }

  /** DescribeImages with imageIds: one unknown id fails the whole request, unlike the Batch* calls. */
  describeImagesById(repositoryName: string, ids: ImageIdentifier[]): ImageRecord[] {
    const repository = this.repository(repositoryName);
    const found = new Map<string, ImageRecord>();
    for (const id of ids) {
      const resolution = this.resolve(repository, id);
      if ('failure' in resolution) {
        const { failureCode, failureReason } = resolution.failure;
        if (failureCode === 'ImageNotFound') {
          throw new EcrError(
            'ImageNotFoundException',
            `The image with imageId ${JSON.stringify(id)} does not exist within the repository with name '${repositoryName}' in the registry with id '${this.accountId}'`,
          );
        }
        throw invalidParameter(failureReason);
      }
      found.set(resolution.image.digest, this.record(repository, resolution.image));
    }
    return [...found.values()];
  }

  getImages(
    repositoryName: string,
    ids: ImageIdentifier[],
    acceptedMediaTypes: readonly string[],
  ): {
    images: Array<{ imageId: ImageIdentifier; manifest: string; mediaType: string }>;
    failures: ImageFailure[];
  } {
    const repository = this.repository(repositoryName);
    const images: Array<{ imageId: ImageIdentifier; manifest: string; mediaType: string }> = [];
    const failures: ImageFailure[] = [];
    for (const id of distinct(ids)) {
      const resolution = this.resolve(repository, id);
      if ('failure' in resolution) {
        failures.push(resolution.failure);
      } else if (resolution.image.status !== undefined && resolution.image.status !== 'ACTIVE') {
        // Archived images cannot be pulled; reading the manifest is the first step of a pull.
        failures.push(failure(id, 'ImageNotFound', 'Requested image is archived and cannot be pulled'));
      } else if (!acceptedMediaTypes.includes(resolution.image.mediaType)) {
        // Real ECR may convert Docker v2 to schema 1 here; the emulator never converts, it refuses.
        failures.push(failure(id, 'UnsupportedImageType', 'Invalid image media type specified'));
      } else {
        const { digest, manifest, servedManifest, mediaType } = resolution.image;
        images.push({
          imageId: { imageDigest: digest, imageTag: id.imageTag },
          manifest: servedManifest ?? manifest,
          mediaType,
        });
      }
    }
    return { images, failures };
  }

  /**
   * BatchDeleteImage. Index references are judged against the repository as it was when the request
   * arrived, so a child sent in the same request as its parent is refused: callers must delete
   * parents first and children in a later request.
   */
  deleteImages(
    repositoryName: string,
    ids: ImageIdentifier[],
  ): { deleted: ImageIdentifier[]; failures: ImageFailure[] } {
    const repository = this.repository(repositoryName);
    const parentsByChild = this.parentsByChild(repository);
    const deleted: ImageIdentifier[] = [];
    const failures: ImageFailure[] = [];
    for (const id of distinct(ids)) {
      const resolution = this.resolve(repository, id);
      if ('failure' in resolution) {
        failures.push(resolution.failure);
        continue;
      }
      const image = resolution.image;
      // A tag deletion only removes the image when it takes the last tag away.
      if (id.imageTag !== undefined && image.tags.length > 1) {
        this.detachTag(repository, image, id.imageTag);
        deleted.push({ imageDigest: image.digest, imageTag: id.imageTag });
        continue;
      }
      const parents = parentsByChild.get(image.digest);
      if (parents !== undefined) {
        failures.push(
          failure(
            id,
            'ImageReferencedByManifestList',
            `Requested image referenced by manifest list: [${parents.join(', ')}]`,
          ),
        );
        continue;
      }
      if (image.tags.length === 0) deleted.push({ imageDigest: image.digest });
      for (const tag of image.tags) deleted.push({ imageDigest: image.digest, imageTag: tag });
      for (const tag of [...image.tags]) this.detachTag(repository, image, tag);
      repository.images.delete(image.digest);
      repository.ordered = undefined;
    }
    return { deleted, failures };
  }

  private repository(name: string): Repository {
    const repository = this.repositoriesByName.get(name);
    if (repository === undefined) {
      throw new EcrError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${this.accountId}'`,
      );
    }
    return repository;
  }

  private store(
    repository: Repository,
    digest: string,
    manifest: string,
    mediaType: string,
    facts: ManifestFacts,
  ): StoredImage {
    const image: StoredImage = {
      digest,
      manifest,
      mediaType,
      facts,
      tags: [],
      pushedAt: this.now(),
      listingKey: listingKeyOf(digest),
    };
    repository.images.set(digest, image);
    repository.ordered = undefined;
    return image;
  }

  /** Tags are mutable: attaching a tag held by another image moves it, leaving that image untagged if it was its last. */
  private attachTag(repository: Repository, image: StoredImage, tag: string): void {
    const previous = repository.digestByTag.get(tag);
    if (previous === image.digest) return;
    const previousImage = previous === undefined ? undefined : repository.images.get(previous);
    if (previousImage !== undefined) this.detachTag(repository, previousImage, tag);
    image.tags.push(tag);
    repository.digestByTag.set(tag, image.digest);
  }

  private detachTag(repository: Repository, image: StoredImage, tag: string): void {
    image.tags = image.tags.filter((existing) => existing !== tag);
    repository.digestByTag.delete(tag);
  }

  private resolve(repository: Repository, id: ImageIdentifier): Resolution {
    const { imageDigest, imageTag } = id;
    if (imageDigest === undefined && imageTag === undefined) {
      return {
        failure: failure(
          id,
          'MissingDigestAndTag',
          'Invalid request parameters: both tag and digest cannot be null',
        ),
      };
    }
    if (imageDigest !== undefined && !isWellFormedDigest(imageDigest)) {
      return {
        failure: failure(
          id,
          'InvalidImageDigest',
          `Invalid request parameters: image digest '${imageDigest}' is malformed`,
        ),
      };
    }
    const digestOfTag = imageTag === undefined ? undefined : repository.digestByTag.get(imageTag);
    if (imageDigest !== undefined && digestOfTag !== undefined && digestOfTag !== imageDigest) {
      return {
        failure: failure(
          id,
          'ImageTagDoesNotMatchDigest',
          'Invalid request parameters: image tag does not match digest',
        ),
      };
    }
    // A tag, when given, must exist: it names the image even when a digest is given too.
    const digest = imageTag === undefined ? imageDigest : digestOfTag;
    const image = digest === undefined ? undefined : repository.images.get(digest);
    if (image === undefined) return { failure: failure(id, 'ImageNotFound', 'Requested image not found') };
    return { image };
  }

  private parentsByChild(repository: Repository): Map<string, string[]> {
    const parents = new Map<string, string[]>();
    for (const image of repository.images.values()) {
      if (!isIndexMediaType(image.mediaType)) continue;
      for (const child of image.facts.childDigests) {
        if (child === image.digest) continue;
        parents.set(child, [...(parents.get(child) ?? []), image.digest]);
      }
    }
    return parents;
  }

  private ordered(repository: Repository): StoredImage[] {
    repository.ordered ??= [...repository.images.values()].sort((left, right) =>
      left.listingKey < right.listingKey ? -1 : left.listingKey > right.listingKey ? 1 : 0,
    );
    return repository.ordered;
  }

  private record(repository: Repository, image: StoredImage): ImageRecord {
    const record: ImageRecord = {
      digest: image.digest,
      tags: [...image.tags],
      mediaType: image.mediaType,
      pushedAt: image.pushedAt,
      sizeBytes: this.sizeOf(repository, image, 0),
      manifest: image.manifest,
      status: image.status ?? 'ACTIVE',
      listingKey: image.listingKey,
    };
    if (image.lastPulledAt !== undefined) record.lastPulledAt = image.lastPulledAt;
    if (!isIndexMediaType(image.mediaType) && image.facts.configMediaType !== undefined) {
      record.artifactMediaType = image.facts.configMediaType;
    }
    if (image.facts.subjectDigest !== undefined) record.subjectDigest = image.facts.subjectDigest;
    return record;
  }

  /** ECR reports an index as big as its largest child, not the sum; computed on read so seeding order does not matter. */
  private sizeOf(repository: Repository, image: StoredImage, depth: number): number {
    if (!isIndexMediaType(image.mediaType)) return image.facts.ownSizeBytes;
    if (depth > 8) return 0;
    let largest = 0;
    for (const childDigest of image.facts.childDigests) {
      const child = repository.images.get(childDigest);
      if (child !== undefined && child !== image)
        largest = Math.max(largest, this.sizeOf(repository, child, depth + 1));
    }
    return largest;
  }
}

/** The catch-all for a request ECR refuses before looking at any image. */
export function invalidParameter(message: string): EcrError {
  return new EcrError('InvalidParameterException', message);
}

function failure(imageId: ImageIdentifier, failureCode: string, failureReason: string): ImageFailure {
  return { imageId, failureCode, failureReason };
}

/** ECR answers a repeated id once. */
function distinct(ids: ImageIdentifier[]): ImageIdentifier[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const key = `${id.imageDigest ?? ''}\u0000${id.imageTag ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
