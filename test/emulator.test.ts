// The emulator is only worth something if the real SDK cannot tell it from ECR, so every check
// goes through @aws-sdk/client-ecr over HTTP; the in-process state is used to seed and to inspect.
import { createHash } from 'node:crypto';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  type DescribeImagesCommandOutput,
  DescribeRepositoriesCommand,
  ECRClient,
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageNotFoundException,
  InvalidParameterException,
  ListImagesCommand,
  type ListImagesCommandOutput,
  PutImageCommand,
  ReferencedImagesNotFoundException,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcrEmulator } from '../src/emulator/server.js';
import { EmulatorState } from '../src/emulator/state.js';

const ociManifestType = 'application/vnd.oci.image.manifest.v1+json';
const ociIndexType = 'application/vnd.oci.image.index.v1+json';
const ociConfigType = 'application/vnd.oci.image.config.v1+json';
const allManifestTypes = [
  ociIndexType,
  ociManifestType,
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

function imageManifest(seed: string, layerSizes: number[] = [100], configSize = 10): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: ociManifestType,
    config: { mediaType: ociConfigType, digest: sha256(`${seed}/config`), size: configSize },
    layers: layerSizes.map((size, index) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: sha256(`${seed}/layer/${index}`),
      size,
    })),
  });
}

function indexManifest(children: string[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: ociIndexType,
    manifests: children.map((child) => ({
      mediaType: ociManifestType,
      digest: sha256(child),
      size: child.length,
    })),
  });
}

let emulator: EcrEmulator;
let client: ECRClient;
const clock = { now: new Date('2030-01-01T00:00:00.500Z') };

beforeAll(async () => {
  emulator = await EcrEmulator.start({ state: new EmulatorState({ now: () => clock.now }) });
  client = new ECRClient({
    region: 'us-east-1',
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

/** Seeds a parent index with two children; returns the digests. */
function seedIndex(repository: string, seed: string, tag = 'release') {
  const children = [imageManifest(`${seed}/amd64`, [300, 200]), imageManifest(`${seed}/arm64`, [900])];
  for (const child of children)
    emulator.state.putImage(repository, { manifest: child, mediaType: ociManifestType });
  const parent = emulator.state.putImage(repository, {
    manifest: indexManifest(children),
    mediaType: ociIndexType,
    tag,
  });
  return { parent, children: children.map(sha256) };
}

describe('repositories', () => {
  it('creates, describes and refuses duplicates and unknown names', async () => {
    const created = await client.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    expect(created.repository?.createdAt).toEqual(clock.now);
    expect(created.repository?.repositoryUri).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app');
    await expect(
      client.send(new CreateRepositoryCommand({ repositoryName: 'team/app' })),
    ).rejects.toBeInstanceOf(RepositoryAlreadyExistsException);
    const described = await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/app'] }));
    expect(described.repositories?.map((repository) => repository.repositoryName)).toEqual(['team/app']);
    await expect(
      client.send(new DescribeRepositoriesCommand({ repositoryNames: ['missing'] })),
    ).rejects.toBeInstanceOf(RepositoryNotFoundException);
  });

  it('answers RepositoryNotFoundException for images of an unknown repository', async () => {
    const error = await client
      .send(new DescribeImagesCommand({ repositoryName: 'nowhere' }))
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(RepositoryNotFoundException);
    expect(error.name).toBe('RepositoryNotFoundException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('DescribeImages and ListImages', () => {
  it('parses every field of an image detail, dates as Date', async () => {
    const pushedAt = new Date('2029-05-06T07:08:09.250Z');
    const lastPulledAt = new Date('2029-06-01T00:00:00Z');
    const digest = emulator.state.putImage('details', {
      manifest: imageManifest('details', [1000, 24], 76),
      mediaType: ociManifestType,
      tag: 'v1',
      pushedAt,
      lastPulledAt,
    });
    const untagged = emulator.state.putImage('details', {
      manifest: imageManifest('untagged'),
      mediaType: ociManifestType,
    });
    const { imageDetails } = await client.send(new DescribeImagesCommand({ repositoryName: 'details' }));
    const detail = imageDetails?.find((image) => image.imageDigest === digest);
    expect(detail).toEqual({
      registryId: '123456789012',
      repositoryName: 'details',
      imageDigest: digest,
      imageTags: ['v1'],
      imageSizeInBytes: 1100,
      imagePushedAt: pushedAt,
      imageManifestMediaType: ociManifestType,
      imageStatus: 'ACTIVE',
      artifactMediaType: ociConfigType,
      lastRecordedPullTime: lastPulledAt,
    });
    const other = imageDetails?.find((image) => image.imageDigest === untagged);
    expect(other?.imageTags).toBeUndefined();
    expect(other?.imagePushedAt).toEqual(clock.now);
  });

  it('pages past 1000 images, every digest exactly once, not in push order', async () => {
    const pushed: string[] = [];
    for (let index = 0; index < 1200; index += 1) {
      const manifest = imageManifest(`bulk/${index}`);
      const pushedAt = new Date(Date.UTC(2029, 0, 1) + index * 60_000);
      pushed.push(
        emulator.state.putImage('bulk', { manifest, mediaType: ociManifestType, tag: `t${index}`, pushedAt }),
      );
    }
    const described: string[] = [];
    const pageSizes: number[] = [];
    let nextToken: string | undefined;
    do {
      const page: DescribeImagesCommandOutput = await client.send(
        new DescribeImagesCommand({ repositoryName: 'bulk', maxResults: 1000, nextToken }),
      );
      pageSizes.push(page.imageDetails?.length ?? 0);
      described.push(...(page.imageDetails ?? []).map((image) => image.imageDigest as string));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    expect(pageSizes).toEqual([1000, 200]);
    expect(new Set(described).size).toBe(1200);
    expect([...described].sort()).toEqual([...pushed].sort());
    expect(described).not.toEqual(pushed);
    expect(described).toEqual(emulator.state.listImages('bulk').map((image) => image.digest));

    const listed: string[] = [];
    nextToken = undefined;
    do {
      const page: ListImagesCommandOutput = await client.send(
        new ListImagesCommand({ repositoryName: 'bulk', maxResults: 1000, nextToken }),
      );
      listed.push(...(page.imageIds ?? []).map((id) => id.imageDigest as string));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    expect(listed).toEqual(described);
  });

  it('keeps paging consistent when images are deleted between pages', async () => {
    const digests = Array.from({ length: 10 }, (_, index) =>
      emulator.state.putImage('shrinking', {
        manifest: imageManifest(`shrinking/${index}`),
        mediaType: ociManifestType,
      }),
    );
    const first = await client.send(
      new DescribeImagesCommand({ repositoryName: 'shrinking', maxResults: 4 }),
    );
    const seen = (first.imageDetails ?? []).map((image) => image.imageDigest as string);
    await client.send(
      new BatchDeleteImageCommand({
        repositoryName: 'shrinking',
        imageIds: seen.map((imageDigest) => ({ imageDigest })),
      }),
    );
    const rest = await client.send(
      new DescribeImagesCommand({ repositoryName: 'shrinking', maxResults: 100, nextToken: first.nextToken }),
    );
    const remaining = (rest.imageDetails ?? []).map((image) => image.imageDigest as string);
    expect([...seen, ...remaining].sort()).toEqual([...digests].sort());
  });

  it('rejects maxResults outside 1..1000, bad tokens and ids combined with paging', async () => {
    for (const maxResults of [0, 1001]) {
      await expect(
        client.send(new DescribeImagesCommand({ repositoryName: 'bulk', maxResults })),
      ).rejects.toBeInstanceOf(InvalidParameterException);
      await expect(
        client.send(new ListImagesCommand({ repositoryName: 'bulk', maxResults })),
      ).rejects.toBeInstanceOf(InvalidParameterException);
    }
    await expect(
      client.send(new DescribeImagesCommand({ repositoryName: 'bulk', nextToken: 'not-a-token' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const page = await client.send(new ListImagesCommand({ repositoryName: 'bulk', maxResults: 1 }));
    await expect(
      client.send(new DescribeImagesCommand({ repositoryName: 'bulk', nextToken: page.nextToken })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const [first] = emulator.state.listImages('bulk');
    await expect(
      client.send(
        new DescribeImagesCommand({
          repositoryName: 'bulk',
          imageIds: [{ imageDigest: first?.digest }],
          maxResults: 5,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('describes by id and fails the request on an unknown id', async () => {
    const [first] = emulator.state.listImages('bulk');
    const found = await client.send(
      new DescribeImagesCommand({ repositoryName: 'bulk', imageIds: [{ imageTag: first?.tags[0] }] }),
    );
    expect(found.imageDetails?.map((image) => image.imageDigest)).toEqual([first?.digest]);
    await expect(
      client.send(new DescribeImagesCommand({ repositoryName: 'bulk', imageIds: [{ imageTag: 'missing' }] })),
    ).rejects.toBeInstanceOf(ImageNotFoundException);
  });

  it('filters by tag status, and lists one id per tag', async () => {
    const tagged = emulator.state.putImage('filters', {
      manifest: imageManifest('f/1'),
      mediaType: ociManifestType,
      tag: 'a',
    });
    emulator.state.putImage('filters', {
      manifest: imageManifest('f/1'),
      mediaType: ociManifestType,
      tag: 'b',
    });
    const untagged = emulator.state.putImage('filters', {
      manifest: imageManifest('f/2'),
      mediaType: ociManifestType,
    });
    const describe = async (tagStatus: 'TAGGED' | 'UNTAGGED' | 'ANY') =>
      (
        await client.send(new DescribeImagesCommand({ repositoryName: 'filters', filter: { tagStatus } }))
      ).imageDetails
        ?.map((image) => image.imageDigest)
        .sort();
    expect(await describe('TAGGED')).toEqual([tagged]);
    expect(await describe('UNTAGGED')).toEqual([untagged]);
    expect(await describe('ANY')).toEqual([tagged, untagged].sort());
    const listed = await client.send(
      new ListImagesCommand({ repositoryName: 'filters', filter: { tagStatus: 'TAGGED' } }),
    );
    expect(listed.imageIds).toEqual([
      { imageDigest: tagged, imageTag: 'a' },
      { imageDigest: tagged, imageTag: 'b' },
    ]);
    const listedUntagged = await client.send(
      new ListImagesCommand({ repositoryName: 'filters', filter: { tagStatus: 'UNTAGGED' } }),
    );
    expect(listedUntagged.imageIds).toEqual([{ imageDigest: untagged }]);
  });

  it('reports an index as big as its largest child', async () => {
    const { parent } = seedIndex('sizes', 'sizes');
    const { imageDetails } = await client.send(
      new DescribeImagesCommand({ repositoryName: 'sizes', imageIds: [{ imageDigest: parent }] }),
    );
    expect(imageDetails?.[0]?.imageSizeInBytes).toBe(910);
    expect(imageDetails?.[0]?.artifactMediaType).toBeUndefined();
  });
});

describe('BatchGetImage', () => {
  it('withholds indexes unless their media type is accepted', async () => {
    const { parent, children } = seedIndex('get', 'get');
    const byDefault = await client.send(
      new BatchGetImageCommand({
        repositoryName: 'get',
        imageIds: [{ imageTag: 'release' }, { imageDigest: children[0] }],
      }),
    );
    expect(byDefault.images?.map((image) => image.imageId?.imageDigest)).toEqual([children[0]]);
    expect(byDefault.failures).toEqual([
      {
        imageId: { imageTag: 'release' },
        failureCode: 'UnsupportedImageType',
        failureReason: expect.any(String),
      },
    ]);
    const accepted = await client.send(
      new BatchGetImageCommand({
        repositoryName: 'get',
        imageIds: [{ imageTag: 'release' }],
        acceptedMediaTypes: allManifestTypes,
      }),
    );
    const [image] = accepted.images ?? [];
    expect(image?.imageId).toEqual({ imageDigest: parent, imageTag: 'release' });
    expect(image?.imageManifestMediaType).toBe(ociIndexType);
    expect(sha256(image?.imageManifest ?? '')).toBe(parent);
  });

  it('reports unknown and mismatched ids as failures, and refuses more than 100 ids', async () => {
    const { children } = seedIndex('get-failures', 'get-failures');
    const result = await client.send(
      new BatchGetImageCommand({
        repositoryName: 'get-failures',
        imageIds: [{ imageTag: 'missing' }, { imageDigest: children[0], imageTag: 'release' }],
      }),
    );
    expect(result.images).toEqual([]);
    expect(result.failures?.map((failure) => failure.failureCode)).toEqual([
      'ImageNotFound',
      'ImageTagDoesNotMatchDigest',
    ]);
    const tooMany = Array.from({ length: 101 }, (_, index) => ({ imageTag: `t${index}` }));
    await expect(
      client.send(new BatchGetImageCommand({ repositoryName: 'get-failures', imageIds: tooMany })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('BatchDeleteImage', () => {
  it('removes every tag when deleting by digest', async () => {
    const manifest = imageManifest('delete/digest');
    const digest = emulator.state.putImage('delete', { manifest, mediaType: ociManifestType, tag: 'one' });
    emulator.state.putImage('delete', { manifest, mediaType: ociManifestType, tag: 'two' });
    const result = await client.send(
      new BatchDeleteImageCommand({ repositoryName: 'delete', imageIds: [{ imageDigest: digest }] }),
    );
    expect(result.imageIds).toEqual([
      { imageDigest: digest, imageTag: 'one' },
      { imageDigest: digest, imageTag: 'two' },
    ]);
    expect(result.failures).toEqual([]);
    expect(emulator.state.hasImage('delete', digest)).toBe(false);
  });

  it('removes a tag, and the image with its last tag; unknown ids fail as data', async () => {
    const manifest = imageManifest('delete/tag');
    const digest = emulator.state.putImage('delete', { manifest, mediaType: ociManifestType, tag: 'first' });
    emulator.state.putImage('delete', { manifest, mediaType: ociManifestType, tag: 'second' });
    const untag = await client.send(
      new BatchDeleteImageCommand({ repositoryName: 'delete', imageIds: [{ imageTag: 'first' }] }),
    );
    expect(untag.imageIds).toEqual([{ imageDigest: digest, imageTag: 'first' }]);
    expect(emulator.state.listImages('delete').find((image) => image.digest === digest)?.tags).toEqual([
      'second',
    ]);
    const last = await client.send(
      new BatchDeleteImageCommand({
        repositoryName: 'delete',
        imageIds: [{ imageTag: 'second' }, { imageTag: 'gone' }],
      }),
    );
    expect(last.imageIds).toEqual([{ imageDigest: digest, imageTag: 'second' }]);
    expect(last.failures).toEqual([
      { imageId: { imageTag: 'gone' }, failureCode: 'ImageNotFound', failureReason: expect.any(String) },
    ]);
    expect(emulator.state.hasImage('delete', digest)).toBe(false);
  });

  it('refuses a child while its parent lives, and accepts it once the parent is gone', async () => {
    const { parent, children } = seedIndex('delete-graph', 'graph');
    const child = children[0] as string;
    const refused = await client.send(
      new BatchDeleteImageCommand({ repositoryName: 'delete-graph', imageIds: [{ imageDigest: child }] }),
    );
    expect(refused.imageIds).toEqual([]);
    expect(refused.failures?.[0]?.failureCode).toBe('ImageReferencedByManifestList');
    expect(emulator.state.hasImage('delete-graph', child)).toBe(true);

    await client.send(
      new BatchDeleteImageCommand({ repositoryName: 'delete-graph', imageIds: [{ imageDigest: parent }] }),
    );
    const accepted = await client.send(
      new BatchDeleteImageCommand({ repositoryName: 'delete-graph', imageIds: [{ imageDigest: child }] }),
    );
    expect(accepted.imageIds).toEqual([{ imageDigest: child }]);
    expect(accepted.failures).toEqual([]);
  });

  it('judges references at the start of the request: a child sent with its parent is refused', async () => {
    const { parent, children } = seedIndex('delete-together', 'together');
    const result = await client.send(
      new BatchDeleteImageCommand({
        repositoryName: 'delete-together',
        imageIds: [{ imageDigest: parent }, ...children.map((imageDigest) => ({ imageDigest }))],
      }),
    );
    expect(result.imageIds).toEqual([{ imageDigest: parent, imageTag: 'release' }]);
    expect(result.failures?.map((failure) => [failure.imageId?.imageDigest, failure.failureCode])).toEqual(
      children.map((child) => [child, 'ImageReferencedByManifestList']),
    );
  });

  it('refuses more than 100 ids', async () => {
    const imageIds = Array.from({ length: 101 }, (_, index) => ({ imageTag: `t${index}` }));
    await expect(
      client.send(new BatchDeleteImageCommand({ repositoryName: 'bulk', imageIds })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('PutImage', () => {
  it('needs an existing repository and existing children', async () => {
    const child = imageManifest('put/child');
    await expect(
      client.send(new PutImageCommand({ repositoryName: 'put-missing', imageManifest: child })),
    ).rejects.toBeInstanceOf(RepositoryNotFoundException);
    emulator.state.createRepository('put');
    await expect(
      client.send(
        new PutImageCommand({
          repositoryName: 'put',
          imageManifest: indexManifest([child]),
          imageManifestMediaType: ociIndexType,
        }),
      ),
    ).rejects.toBeInstanceOf(ReferencedImagesNotFoundException);
    const pushed = await client.send(new PutImageCommand({ repositoryName: 'put', imageManifest: child }));
    expect(pushed.image?.imageId).toEqual({ imageDigest: sha256(child) });
    expect(pushed.image?.imageManifestMediaType).toBe(ociManifestType);
    const index = await client.send(
      new PutImageCommand({
        repositoryName: 'put',
        imageManifest: indexManifest([child]),
        imageTag: 'multi',
      }),
    );
    expect(index.image?.imageId?.imageTag).toBe('multi');
  });

  it('moves a tag to the new digest and refuses an unchanged push or a wrong digest', async () => {
    const older = imageManifest('put/older');
    const newer = imageManifest('put/newer');
    await client.send(
      new PutImageCommand({ repositoryName: 'put', imageManifest: older, imageTag: 'latest' }),
    );
    await client.send(
      new PutImageCommand({ repositoryName: 'put', imageManifest: newer, imageTag: 'latest' }),
    );
    const images = emulator.state.listImages('put');
    expect(images.find((image) => image.digest === sha256(older))?.tags).toEqual([]);
    expect(images.find((image) => image.digest === sha256(newer))?.tags).toEqual(['latest']);
    await expect(
      client.send(new PutImageCommand({ repositoryName: 'put', imageManifest: newer, imageTag: 'latest' })),
    ).rejects.toBeInstanceOf(ImageAlreadyExistsException);
    await expect(
      client.send(
        new PutImageCommand({
          repositoryName: 'put',
          imageManifest: imageManifest('x'),
          imageDigest: sha256('y'),
        }),
      ),
    ).rejects.toBeInstanceOf(ImageDigestDoesNotMatchException);
  });
});

describe('protocol, faults and counting', () => {
  const send = (target: string, body: string) =>
    fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
      body,
    });

  it('answers unknown operations and malformed JSON with typed errors', async () => {
    const unknown = await send('AmazonEC2ContainerRegistry_V20150921.Nope', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    const malformed = await send('AmazonEC2ContainerRegistry_V20150921.ListImages', '{not json');
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it('throttles and fails without touching the state, and counts every request', async () => {
    const { parent } = seedIndex('faults', 'faults');
    emulator.resetRequestCounts();
    try {
      emulator.setFaults({ throttleRate: 1 });
      const throttled = await client
        .send(new BatchDeleteImageCommand({ repositoryName: 'faults', imageIds: [{ imageDigest: parent }] }))
        .catch((caught) => caught);
      expect(throttled.name).toBe('ThrottlingException');
      expect(throttled.$metadata.httpStatusCode).toBe(400);
      expect(emulator.state.hasImage('faults', parent)).toBe(true);

      emulator.setFaults({ serverErrorRate: 1 });
      const failed = await client
        .send(new ListImagesCommand({ repositoryName: 'faults' }))
        .catch((caught) => caught);
      expect(failed.name).toBe('ServerException');
      expect(failed.$metadata.httpStatusCode).toBe(500);

      emulator.setFaults({ latencyMs: 50 });
      const started = performance.now();
      await client.send(new ListImagesCommand({ repositoryName: 'faults' }));
      expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    } finally {
      emulator.setFaults({});
    }
    await client.send(new DescribeImagesCommand({ repositoryName: 'faults' }));
    expect(emulator.requestCounts()).toEqual({ BatchDeleteImage: 1, ListImages: 2, DescribeImages: 1 });
    emulator.resetRequestCounts();
    expect(emulator.requestCounts()).toEqual({});
  });

  it('decides faults with the injected random source', async () => {
    const draws = [0.1, 0.9, 0.9];
    const state = new EmulatorState();
    state.createRepository('scripted');
    const scripted = await EcrEmulator.start({
      state,
      faults: { throttleRate: 0.5 },
      random: () => draws.shift() ?? 0.9,
    });
    const scriptedClient = new ECRClient({
      region: 'us-east-1',
      endpoint: scripted.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      const list = () => scriptedClient.send(new ListImagesCommand({ repositoryName: 'scripted' }));
      await expect(list()).rejects.toMatchObject({ name: 'ThrottlingException' });
      await expect(list()).resolves.toMatchObject({ imageIds: [] });
    } finally {
      // Stopping while the client still holds a keep-alive socket must not hang.
      await scripted.stop();
      scriptedClient.destroy();
    }
  });
});
