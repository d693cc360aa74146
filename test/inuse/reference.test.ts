import { describe, expect, it } from 'vitest';
import { ecrHosts, ociHosts } from '../../src/inuse/hosts.js';
import { resolveUses, usesByRepository } from '../../src/inuse/match.js';
import { parseImageReference } from '../../src/inuse/reference.js';
import { digestOf, single } from '../support/inventory.js';

const digest = `sha256:${'a'.repeat(64)}`;

describe('image references, read as Docker and containerd read them', () => {
  it.each([
    ['nginx', { host: 'docker.io', repository: 'library/nginx' }],
    ['nginx:1.27', { host: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['bitnami/redis:7.2', { host: 'docker.io', repository: 'bitnami/redis', tag: '7.2' }],
    ['docker.io/nginx', { host: 'docker.io', repository: 'library/nginx' }],
    ['index.docker.io/library/nginx:1', { host: 'docker.io', repository: 'library/nginx', tag: '1' }],
    ['registry-1.docker.io/bitnami/redis', { host: 'docker.io', repository: 'bitnami/redis' }],
    ['localhost/app', { host: 'localhost', repository: 'app' }],
    ['localhost:5000/team/app:v1', { host: 'localhost:5000', repository: 'team/app', tag: 'v1' }],
    ['Registry.Example.com/app', { host: 'registry.example.com', repository: 'app' }],
    [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v1.2.3',
      { host: '123456789012.dkr.ecr.us-east-1.amazonaws.com', repository: 'team/api', tag: 'v1.2.3' },
    ],
    [`ghcr.io/org/app@${digest}`, { host: 'ghcr.io', repository: 'org/app', digest }],
    [`ghcr.io/org/app:v1@${digest}`, { host: 'ghcr.io', repository: 'org/app', tag: 'v1', digest }],
    [`docker-pullable://nginx@${digest}`, { host: 'docker.io', repository: 'library/nginx', digest }],
    ['  quay.io/a/b:c  ', { host: 'quay.io', repository: 'a/b', tag: 'c' }],
  ])('%s', (text, expected) => {
    expect(parseImageReference(text)).toEqual(expected);
  });

  it.each([
    ['', /is empty/],
    ['Nginx', /malformed repository/],
    ['app:', /malformed tag/],
    ['app@sha256:abc', /malformed digest/],
    [`app@sha256:${'A'.repeat(64)}`, /not 64 lower-case hex/],
    ['registry.example.com/a//b', /malformed repository/],
    ['app:-bad', /malformed tag/],
  ])('refuses %j', (text, message) => {
    expect(() => parseImageReference(text)).toThrow(message);
  });
});

describe('matching references to the cleaned registry', () => {
  it('knows an ECR registry by its standard, FIPS and dual-stack names, and an OCI one by its URL', () => {
    expect(ecrHosts('123456789012', 'eu-west-1')).toEqual([
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      '123456789012.dkr.ecr-fips.eu-west-1.amazonaws.com',
      '123456789012.dkr-ecr.eu-west-1.on.aws',
    ]);
    expect(ecrHosts('123456789012', 'cn-north-1')[0]).toBe(
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
    );
    expect(ociHosts('https://Registry.Example.com')).toEqual([
      'registry.example.com',
      'registry.example.com:443',
    ]);
    expect(ociHosts('http://127.0.0.1:5000/')).toEqual(['127.0.0.1:5000']);
    expect(ociHosts('https://registry-1.docker.io')).toEqual(['docker.io', 'docker.io:443']);
  });

  it('keeps a tag reference’s current image and a digest reference’s digest; other registries are ignored', () => {
    const v1 = single('v1', 1);
    const v2 = single('v2', 2);
    const host = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    const use = (image: string, usedBy: string) => ({ reference: parseImageReference(image), usedBy });
    const uses = [
      use(`${host}/api:v1`, 'ecs service prod/api (task definition api:3)'),
      use(`${host}/api:v1`, 'kubernetes pod shop/api-1'),
      use(`${host}/api:v1@${v2.digest}`, 'lambda api:live'),
      use(`${host}/api:v9`, 'kubernetes cronjob batch/old'),
      use(`${host}/web:v1`, 'kubernetes pod shop/web-1'),
      use(
        `999999999999.dkr.ecr.us-east-1.amazonaws.com/api:v2`,
        'ecs service other/api (task definition api:1)',
      ),
    ];
    const byRepository = usesByRepository(uses, ecrHosts('123456789012', 'us-east-1'));
    expect([...byRepository.keys()].sort()).toEqual(['api', 'web']);
    const { inUse, unresolved } = resolveUses(byRepository.get('api') ?? [], [v1, v2]);
    expect(Object.fromEntries(inUse)).toEqual({
      [v1.digest]: 'in use by ecs service prod/api (task definition api:3) and 1 more',
      // A digest names the image; the tag beside it is only a label.
      [v2.digest]: 'in use by lambda api:live',
    });
    expect(unresolved.map((each) => each.usedBy)).toEqual(['kubernetes cronjob batch/old']);
    expect(
      resolveUses([use(`${host}/api`, 'x')], [{ ...v1, tags: ['latest'], digest: digestOf('l') }]).inUse.size,
    ).toBe(1);
  });
  it('matches a registry named below a namespace (ghcr.io/OWNER): the package name is the repository', () => {
    const use = (image: string) => ({ reference: parseImageReference(image), usedBy: image });
    const uses = [
      use('ghcr.io/acme/api:v1'),
      use(`ghcr.io/acme/tools/cli@${digest}`),
      use('ghcr.io/other/api:v1'),
      use('ghcr.io/acme-labs/api:v1'),
      use('docker.io/acme/api:v1'),
    ];
    const byRepository = usesByRepository(uses, ['ghcr.io/acme', 'ghcr.io:443/acme']);
    expect(
      Object.fromEntries([...byRepository].map(([name, list]) => [name, list.map((each) => each.usedBy)])),
    ).toEqual({
      api: ['ghcr.io/acme/api:v1'],
      'tools/cli': [`ghcr.io/acme/tools/cli@${digest}`],
    });
  });
});
