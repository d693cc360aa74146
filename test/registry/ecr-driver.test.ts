import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltManifest, buildImageManifest, buildIndex } from '../../src/emulator/manifests.js';
import { RegistryError } from '../../src/registry/driver.js';
import { createEcrClient } from '../../src/registry/ecr/client.js';
import { EcrDriver } from '../../src/registry/ecr/driver.js';
import { type EmulatedEcr, startEmulatedEcr } from '../support/emulator.js';
import { describeDriverContract } from './driver-contract.js';

let ecr: EmulatedEcr;
beforeAll(async () => {
  ecr = await startEmulatedEcr();
});
afterAll(async () => {
  await ecr.emulator.stop();
});

describeDriverContract('ECR through the AWS SDK against the emulator', async () => {
  const put = (repository: string, manifest: BuiltManifest, tag?: string) => {
    ecr.emulator.state.putImage(repository, {
      manifest: manifest.text,
      mediaType: manifest.mediaType,
      ...(tag && { tag }),
    });
    return manifest;
  };
  return {
    driver: ecr.driver,
    pushImage: async (repository, spec, tag) =>
      put(
        repository,
        buildImageManifest({
          seed: spec.seed,
          ...(spec.format && { format: spec.format }),
          ...(spec.platform && { platform: spec.platform }),
          ...(spec.annotations && { annotations: spec.annotations }),
        }),
        tag,
      ),
    pushIndex: async (repository, children, format, tag) =>
      put(repository, buildIndex(children, { format }), tag),
    tag: async (repository, manifest, tag) => {
      put(repository, manifest, tag);
    },
  };
});

describe('ECR driver specifics', () => {
  it('pages through more than 1000 images with one DescribeImages call per 1000', async () => {
    for (let index = 0; index < 2_345; index += 1) {
      const manifest = buildImageManifest({ seed: `many/${index}`, layerSizes: [1] });
      ecr.emulator.state.putImage('many', {
        manifest: manifest.text,
        mediaType: manifest.mediaType,
        tag: `t${index}`,
      });
    }
    ecr.emulator.resetRequestCounts();
    const images = await ecr.driver.listImages('many');
    expect(new Set(images.map((image) => image.digest)).size).toBe(2_345);
    expect(ecr.emulator.requestCounts()).toEqual({ DescribeImages: 3 });
  });

  it('never has more requests in flight than its concurrency, across all the work of a pass', async () => {
    const limited = new EcrDriver(
      createEcrClient({
        region: 'us-east-1',
        maxInFlight: 3,
        overrides: {
          endpoint: ecr.emulator.endpoint,
          credentials: { accessKeyId: 't', secretAccessKey: 't' },
        },
      }),
      { concurrency: 3 },
    );
    for (let index = 0; index < 12; index += 1) {
      const manifest = buildImageManifest({ seed: `limited/${index}` });
      ecr.emulator.state.putImage(`limited-${index}`, {
        manifest: manifest.text,
        mediaType: manifest.mediaType,
        tag: 'v1',
      });
    }
    ecr.emulator.setFaults({ latencyMs: 20 });
    ecr.emulator.resetRequestCounts();
    await Promise.all(Array.from({ length: 12 }, (_, index) => limited.listImages(`limited-${index}`)));
    ecr.emulator.setFaults({});
    expect(ecr.emulator.peakConcurrency()).toBe(3);
  });

  it('lists every repository, 1000 a page', async () => {
    for (let index = 0; index < 1_234; index += 1) ecr.emulator.state.createRepository(`fleet/r${index}`);
    ecr.emulator.resetRequestCounts();
    const repositories = await ecr.driver.listRepositories();
    expect(repositories.filter((name) => name.startsWith('fleet/'))).toHaveLength(1_234);
    expect(ecr.emulator.requestCounts()).toEqual({ DescribeRepositories: 2 });
  });

  it('fetches manifests in batches of at most 100 and caches them by digest', async () => {
    const digests: string[] = [];
    for (let index = 0; index < 250; index += 1) {
      const child = buildImageManifest({ seed: `batch/${index}`, layerSizes: [1] });
      ecr.emulator.state.putImage('batches', { manifest: child.text, mediaType: child.mediaType });
      const parent = buildIndex([child]);
      ecr.emulator.state.putImage('batches', {
        manifest: parent.text,
        mediaType: parent.mediaType,
        tag: `i${index}`,
      });
      digests.push(parent.digest);
    }
    ecr.emulator.resetRequestCounts();
    const first = await ecr.driver.getManifests('batches', digests);
    expect([...first.values()].every((manifest) => manifest.kind === 'index')).toBe(true);
    expect(ecr.emulator.requestCounts()).toEqual({ BatchGetImage: 3 });
    await ecr.driver.getManifests('batches', digests);
    expect(ecr.emulator.requestCounts()).toEqual({ BatchGetImage: 3 });
  });

  it('deletes in batches of at most 100', async () => {
    const digests: string[] = [];
    for (let index = 0; index < 230; index += 1) {
      const manifest = buildImageManifest({ seed: `bulk/${index}`, layerSizes: [1] });
      digests.push(
        ecr.emulator.state.putImage('bulk', { manifest: manifest.text, mediaType: manifest.mediaType }),
      );
    }
    ecr.emulator.resetRequestCounts();
    const outcomes = await ecr.driver.deleteDigests('bulk', digests);
    expect(outcomes.filter((outcome) => outcome.outcome === 'deleted')).toHaveLength(230);
    expect(ecr.emulator.requestCounts()).toEqual({ BatchDeleteImage: 3 });
  });

  it('returns a child refused while its parent index lives as data, marked for retry', async () => {
    const child = buildImageManifest({ seed: 'refused/child' });
    const parent = buildIndex([child]);
    ecr.emulator.state.putImage('refused', { manifest: child.text, mediaType: child.mediaType });
    ecr.emulator.state.putImage('refused', {
      manifest: parent.text,
      mediaType: parent.mediaType,
      tag: 'abc',
    });
    const [outcome] = await ecr.driver.deleteDigests('refused', [child.digest]);
    expect(outcome).toMatchObject({
      digest: child.digest,
      outcome: 'failed',
      code: 'ImageReferencedByManifestList',
      referencedByLiveIndex: true,
    });
    expect(ecr.emulator.state.hasImage('refused', child.digest)).toBe(true);
  });

  it('names the operation and repository when a repository does not exist', async () => {
    const failure = ecr.driver.listImages('no-such-repository');
    await expect(failure).rejects.toBeInstanceOf(RegistryError);
    await expect(failure).rejects.toThrow(
      /DescribeImages on repository "no-such-repository".*RepositoryNotFoundException/,
    );
  });
});

describe('ECR driver: the host names in-use references give the registry', () => {
  it('knows its account from the config, or else from ECR’s first answer', async () => {
    const client = createEcrClient({
      region: 'eu-west-1',
      overrides: {
        endpoint: ecr.emulator.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      },
    });
    const configured = new EcrDriver(client, { registryId: '444455556666' });
    expect(await configured.referenceHosts()).toContain('444455556666.dkr.ecr.eu-west-1.amazonaws.com');
    const learning = new EcrDriver(client);
    expect(await learning.referenceHosts()).toEqual([]);
    const manifest = buildImageManifest({ seed: 'hosts' });
    ecr.emulator.state.putImage('hosts', {
      manifest: manifest.text,
      mediaType: manifest.mediaType,
      tag: 'v1',
    });
    await learning.listImages('hosts');
    expect(await learning.referenceHosts()).toEqual([
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      '123456789012.dkr.ecr-fips.eu-west-1.amazonaws.com',
      '123456789012.dkr-ecr.eu-west-1.on.aws',
    ]);
  });
});
