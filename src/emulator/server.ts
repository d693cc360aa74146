// Amazon ECR's JSON 1.1 wire protocol over node:http, in front of an EmulatorState, so the real
// @aws-sdk/client-ecr can be pointed at it (endpoint or AWS_ENDPOINT_URL_ECR). The same port
// answers ECS, Lambda and STS for the in-use sources (workloads.ts). Signatures are ignored. Faults (throttling, 500s, latency) are injected before an operation runs, so a faulted
// request never changes the state — the property retries rely on.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { defaultAcceptedMediaTypes } from './digest.js';
import {
  type Input,
  invalid,
  matchesTagStatus,
  optionalImageIds,
  optionalMaxResults,
  optionalString,
  optionalStrings,
  readImageStatus,
  readTagStatus,
  rejectPagingWithIds,
  requiredImageIds,
  requiredString,
} from './input.js';
import {
  EcrError,
  EmulatorState,
  type ImageIdentifier,
  type ImageRecord,
  invalidParameter,
} from './state.js';
import { PageTokens } from './tokens.js';
import { Workloads } from './workloads.js';

export interface Faults {
  throttleRate?: number;
  serverErrorRate?: number;
  latencyMs?: number;
  /**
   * A registry that enforces a rate, as a token bucket: `perSecond` tokens a second, at most
   * `burst` saved up; a request that finds none is throttled. Unlike `throttleRate`, it answers
   * the client's pace: the faster it asks, the more it is refused.
   */
  rateLimit?: { perSecond: number; burst: number };
}

export interface EmulatorOptions {
  /**
   * Answer like an ECR-compatible endpoint older than the archive storage class: a DescribeImages
   * `filter.imageStatus` is refused as an unknown parameter.
   */
  readonly withoutImageStatus?: boolean;
}

const targetPrefix = 'AmazonEC2ContainerRegistry_V20150921.';
const repositoryNamePattern = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

type Operation = (input: Input) => unknown;

export class EcrEmulator {
  readonly endpoint: string;
  readonly state: EmulatorState;
  /** ECS, Lambda and STS, per account and region: what runs, for the in-use sources. */
  readonly workloads: Workloads;
  private faults: Faults;
  private bucket = { tokens: 0, at: 0 };
  private throttled = 0;
  private options: EmulatorOptions = {};
  private readonly random: () => number;
  private readonly server: Server;
  private readonly counts = new Map<string, number>();
  private inFlight = 0;
  private peakInFlight = 0;
  private readonly tokens = new PageTokens();
  // A Map, not an object literal, so a target such as `.constructor` cannot reach Object's prototype.
  private readonly operations = new Map<string, Operation>([
    ['CreateRepository', (input) => this.createRepository(input)],
    ['DescribeRepositories', (input) => this.describeRepositories(input)],
    ['DescribeImages', (input) => this.describeImages(input)],
    ['ListImages', (input) => this.listImages(input)],
    ['BatchGetImage', (input) => this.batchGetImage(input)],
    ['BatchDeleteImage', (input) => this.batchDeleteImage(input)],
    ['PutImage', (input) => this.putImage(input)],
  ]);

  private constructor(
    server: Server,
    endpoint: string,
    state: EmulatorState,
    faults: Faults,
    random: () => number,
  ) {
    this.server = server;
    this.endpoint = endpoint;
    this.state = state;
    this.faults = faults;
    this.random = random;
    this.workloads = new Workloads(state.accountId, state.region);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.inFlight += 1;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      this.handle(request, response)
        .catch((error: unknown) => {
          respond(response, 500, errorBody('ServerException', String(error)));
        })
        .finally(() => {
          this.inFlight -= 1;
        });
    });
  }

  static async start(
    options: {
      host?: string;
      port?: number;
      state?: EmulatorState;
      faults?: Faults;
      random?: () => number;
    } = {},
  ): Promise<EcrEmulator> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const hostInUrl = host.includes(':') ? `[${host}]` : host;
    return new EcrEmulator(
      server,
      `http://${hostInUrl}:${port}`,
      options.state ?? new EmulatorState(),
      { ...options.faults },
      options.random ?? Math.random,
    );
  }

  setFaults(faults: Faults): void {
    this.faults = { ...faults };
    this.bucket = { tokens: faults.rateLimit?.burst ?? 0, at: performance.now() };
  }

  /** Requests answered with ThrottlingException since the last reset (random or rate-enforced). */
  throttledCount(): number {
    return this.throttled;
  }

  /** Answers as an older or stricter ECR-compatible endpoint would (see EmulatorOptions). */
  setOptions(options: EmulatorOptions): void {
    this.options = { ...options };
  }

  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  resetRequestCounts(): void {
    this.counts.clear();
    this.throttled = 0;
    this.peakInFlight = this.inFlight;
  }

  /** The most requests in flight at once since the last reset: the concurrency a client used. */
  peakConcurrency(): number {
    return this.peakInFlight;
  }

  /** Keep-alive sockets would hold close() open for their idle timeout, so they are cut explicitly. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const other = this.workloads.answer(request, body);
    if (other !== undefined) {
      this.counts.set(other.operation, (this.counts.get(other.operation) ?? 0) + 1);
      if (this.faults.latencyMs) await delay(this.faults.latencyMs);
      if (response.headersSent || response.destroyed) return;
      response
        .writeHead(other.status, { ...other.headers, 'content-length': Buffer.byteLength(other.body) })
        .end(other.body);
      return;
    }
    const target = request.headers['x-amz-target'];
    const operationName =
      typeof target === 'string' && target.startsWith(targetPrefix)
        ? target.slice(targetPrefix.length)
        : (target?.toString() ?? '(no target)');
    this.counts.set(operationName, (this.counts.get(operationName) ?? 0) + 1);

    const { latencyMs = 0, throttleRate = 0, serverErrorRate = 0 } = this.faults;
    if (latencyMs > 0) await delay(latencyMs);
    // The random source is consulted only for faults that are switched on, so a scripted
    // sequence of numbers in a test maps one-to-one onto the decisions it means to drive.
    if ((throttleRate > 0 && this.random() < throttleRate) || !this.takeToken()) {
      this.throttled += 1;
      return respond(response, 400, errorBody('ThrottlingException', 'Rate exceeded'));
    }
    if (serverErrorRate > 0 && this.random() < serverErrorRate) {
      return respond(response, 500, errorBody('ServerException', 'Injected server error'));
    }

    const operation = this.operations.get(operationName);
    if (operation === undefined) {
      return respond(
        response,
        400,
        errorBody('UnknownOperationException', `Unknown operation ${operationName}`),
      );
    }
    let input: unknown;
    try {
      input = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      return respond(response, 400, errorBody('SerializationException', 'Request body is not valid JSON'));
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return respond(
        response,
        400,
        errorBody('SerializationException', 'Request body must be a JSON object'),
      );
    }
    try {
      respond(response, 200, operation(input as Input));
    } catch (error) {
      if (!(error instanceof EcrError)) throw error;
      respond(response, 400, errorBody(error.type, error.message));
    }
  }

  /** The rate limit's token bucket: refilled for the time that passed, one token per request. */
  private takeToken(): boolean {
    const limit = this.faults.rateLimit;
    if (limit === undefined) return true;
    const now = performance.now();
    this.bucket.tokens = Math.min(
      limit.burst,
      this.bucket.tokens + ((now - this.bucket.at) / 1000) * limit.perSecond,
    );
    this.bucket.at = now;
    if (this.bucket.tokens < 1) return false;
    this.bucket.tokens -= 1;
    return true;
  }

  private createRepository(input: Input): unknown {
    const name = requiredString(input, 'repositoryName');
    if (name.length < 2 || name.length > 256 || !repositoryNamePattern.test(name)) {
      throw invalid(`repositoryName '${name}' is not valid`);
    }
    this.state.createRepositoryExclusively(name);
    return { repository: this.repositoryDetail(name) };
  }

  private describeRepositories(input: Input): unknown {
    const names = optionalStrings(input, 'repositoryNames', 1, 100);
    const maxResults = optionalMaxResults(input);
    const nextToken = optionalString(input, 'nextToken');
    if (names !== undefined) {
      rejectPagingWithIds(maxResults, nextToken, 'repositoryNames');
      for (const name of names) this.state.assertRepository(name);
      return { repositories: names.map((name) => this.repositoryDetail(name)) };
    }
    const after = nextToken === undefined ? undefined : this.readToken('DescribeRepositories', nextToken);
    const remaining = this.state.repositories().filter((name) => after === undefined || name > after);
    const page = remaining.slice(0, maxResults ?? 100);
    const last = page.at(-1);
    return {
      repositories: page.map((name) => this.repositoryDetail(name)),
      ...(page.length < remaining.length && last !== undefined
        ? { nextToken: this.writeToken('DescribeRepositories', last) }
        : {}),
    };
  }

  private describeImages(input: Input): unknown {
    const repositoryName = requiredString(input, 'repositoryName');
    const imageIds = optionalImageIds(input, 1, 100);
    const maxResults = optionalMaxResults(input);
    const nextToken = optionalString(input, 'nextToken');
    const tagStatus = readTagStatus(input);
    if (
      this.options.withoutImageStatus &&
      (input.filter as { imageStatus?: unknown } | undefined)?.imageStatus !== undefined
    ) {
      throw invalid("unknown field 'imageStatus' in filter");
    }
    const imageStatus = readImageStatus(input);
    this.state.assertRepository(repositoryName);
    if (imageIds !== undefined) {
      rejectPagingWithIds(maxResults, nextToken, 'imageIds');
      const details = this.state.describeImagesById(repositoryName, imageIds);
      return { imageDetails: details.map((image) => this.imageDetail(repositoryName, image)) };
    }
    const { items, nextToken: next } = this.page(
      `DescribeImages\n${repositoryName}\n${tagStatus}\n${imageStatus}`,
      repositoryName,
      maxResults,
      nextToken,
      (image) =>
        matchesTagStatus(image, tagStatus) && (imageStatus === 'ANY' || image.status === imageStatus)
          ? [{ key: `${image.listingKey}\u0000`, value: this.imageDetail(repositoryName, image) }]
          : [],
    );
    return { imageDetails: items, ...(next === undefined ? {} : { nextToken: next }) };
  }

  private listImages(input: Input): unknown {
    const repositoryName = requiredString(input, 'repositoryName');
    const maxResults = optionalMaxResults(input);
    const nextToken = optionalString(input, 'nextToken');
    const tagStatus = readTagStatus(input);
    this.state.assertRepository(repositoryName);
    // One entry per tag (an untagged image is one entry without a tag), so a page can split an image's tags.
    const { items, nextToken: next } = this.page<ImageIdentifier>(
      `ListImages\n${repositoryName}\n${tagStatus}`,
      repositoryName,
      maxResults,
      nextToken,
      (image) => {
        if (!matchesTagStatus(image, tagStatus)) return [];
        if (image.tags.length === 0)
          return [{ key: `${image.listingKey}\u0000`, value: { imageDigest: image.digest } }];
        return [...image.tags].sort().map((tag) => ({
          key: `${image.listingKey}\u0000${tag}`,
          value: { imageDigest: image.digest, imageTag: tag },
        }));
      },
    );
    return { imageIds: items, ...(next === undefined ? {} : { nextToken: next }) };
  }

  private batchGetImage(input: Input): unknown {
    const repositoryName = requiredString(input, 'repositoryName');
    const imageIds = requiredImageIds(input);
    const accepted = optionalStrings(input, 'acceptedMediaTypes', 1, 100) ?? defaultAcceptedMediaTypes;
    const { images, failures } = this.state.getImages(repositoryName, imageIds, accepted);
    return {
      images: images.map((image) => ({
        registryId: this.state.accountId,
        repositoryName,
        imageId: image.imageId,
        imageManifest: image.manifest,
        imageManifestMediaType: image.mediaType,
      })),
      failures,
    };
  }

  private batchDeleteImage(input: Input): unknown {
    const repositoryName = requiredString(input, 'repositoryName');
    const imageIds = requiredImageIds(input);
    const { deleted, failures } = this.state.deleteImages(repositoryName, imageIds);
    return { imageIds: deleted, failures };
  }

  private putImage(input: Input): unknown {
    const repositoryName = requiredString(input, 'repositoryName');
    const image = this.state.pushImage(repositoryName, {
      manifest: requiredString(input, 'imageManifest'),
      mediaType: optionalString(input, 'imageManifestMediaType'),
      tag: optionalString(input, 'imageTag'),
      digest: optionalString(input, 'imageDigest'),
    });
    const imageTag = optionalString(input, 'imageTag');
    return {
      image: {
        registryId: this.state.accountId,
        repositoryName,
        imageId: { imageDigest: image.digest, ...(imageTag === undefined ? {} : { imageTag }) },
        imageManifest: image.manifest,
        imageManifestMediaType: image.mediaType,
      },
    };
  }

  /**
   * Pages over the listing order. The cursor is the key of the last entry handed out, not an offset,
   * so images deleted between pages (what a cleanup tool does) neither skip nor repeat entries.
   * Listing keys are fixed-length hex, so `key + NUL + tag` sorts like the (key, tag) pair.
   */
  private page<T>(
    context: string,
    repositoryName: string,
    maxResults: number | undefined,
    nextToken: string | undefined,
    entriesOf: (image: ImageRecord) => Array<{ key: string; value: T }>,
  ): { items: T[]; nextToken?: string } {
    const limit = maxResults ?? 100;
    const cursor = nextToken === undefined ? undefined : this.readToken(context, nextToken);
    const items: T[] = [];
    let lastKey = '';
    for (const image of this.state.imagesFrom(repositoryName, cursor?.split('\u0000')[0])) {
      for (const entry of entriesOf(image)) {
        if (cursor !== undefined && entry.key <= cursor) continue;
        if (items.length === limit) return { items, nextToken: this.writeToken(context, lastKey) };
        items.push(entry.value);
        lastKey = entry.key;
      }
    }
    return { items };
  }

  private writeToken(context: string, cursor: string): string {
    return this.tokens.write(context, cursor);
  }

  private readToken(context: string, token: string): string {
    const cursor = this.tokens.read(context, token);
    if (cursor === undefined)
      throw invalidParameter('Invalid parameter at nextToken: the token is not valid');
    return cursor;
  }

  private repositoryDetail(name: string): unknown {
    const { accountId, region } = this.state;
    return {
      repositoryArn: `arn:aws:ecr:${region}:${accountId}:repository/${name}`,
      registryId: accountId,
      repositoryName: name,
      repositoryUri: `${accountId}.dkr.ecr.${region}.amazonaws.com/${name}`,
      createdAt: epochSeconds(this.state.repositoryCreatedAt(name)),
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    };
  }

  private imageDetail(repositoryName: string, image: ImageRecord): unknown {
    return {
      registryId: this.state.accountId,
      repositoryName,
      imageDigest: image.digest,
      ...(image.tags.length > 0 ? { imageTags: image.tags } : {}),
      imageSizeInBytes: image.sizeBytes,
      imagePushedAt: epochSeconds(image.pushedAt),
      imageManifestMediaType: image.mediaType,
      ...(this.options.withoutImageStatus ? {} : { imageStatus: image.status }),
      ...(image.artifactMediaType === undefined ? {} : { artifactMediaType: image.artifactMediaType }),
      ...(image.lastPulledAt === undefined ? {} : { lastRecordedPullTime: epochSeconds(image.lastPulledAt) }),
      ...(image.subjectDigest === undefined ? {} : { subjectManifestDigest: image.subjectDigest }),
    };
  }
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function errorBody(type: string, message: string): { __type: string; message: string } {
  return { __type: type, message };
}

function respond(response: ServerResponse, status: number, payload: unknown): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(payload);
  const headers: Record<string, string | number> = {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  };
  if (status >= 300) headers['x-amzn-errortype'] = (payload as { __type: string }).__type;
  response.writeHead(status, headers).end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
