import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCredentials } from '../../src/registry/oci/credentials.js';
import { OciDriver } from '../../src/registry/oci/driver.js';
import { type Distribution, skipWithoutDistribution, startDistribution } from '../support/distribution.js';
import { OciPusher } from '../support/oci-push.js';
import { startTokenServer, type TokenServer } from '../support/token-server.js';

const user = { username: 'janitor', password: 'correct horse battery staple' };
const basicHeader = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
const htpasswd = fileURLToPath(new URL('../fixtures/htpasswd', import.meta.url));

describe.skipIf(skipWithoutDistribution)('OCI basic auth (distribution with htpasswd on loopback)', () => {
  let registry: Distribution;
  beforeAll(async () => {
    registry = await startDistribution({ auth: { htpasswd } });
    await new OciPusher(registry.url, async () => basicHeader).pushImage(
      'private',
      { seed: 'basic/one' },
      'v1',
    );
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('reads and deletes with the configured user and password', async () => {
    const driver = new OciDriver({ url: registry.url, credentials: user });
    const [image] = await driver.listImages('private');
    expect(image?.tags).toEqual(['v1']);
    expect(await driver.deleteDigests('private', [image?.digest as string])).toEqual([
      { digest: image?.digest, outcome: 'deleted' },
    ]);
  });

  it('says the credentials were rejected, or are missing, without the password', async () => {
    const wrong = new OciDriver({
      url: registry.url,
      credentials: { ...user, password: 'wrong-secret-value' },
    });
    const rejected = await wrong.listImages('private').catch((caught: Error) => caught);
    expect(String(rejected)).toContain(`rejected the credentials of user "${user.username}" (HTTP 401)`);
    expect(String(rejected)).not.toContain('wrong-secret-value');
    const anonymous = new OciDriver({ url: registry.url });
    const missing = await anonymous.listImages('private').catch((caught: Error) => caught);
    expect(String(missing)).toContain(
      'asks for credentials (HTTP 401) and none are configured: see registry.auth',
    );
  });

  it('takes the user and password from a Docker config.json entry for the registry host', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'janitor-docker-config-'));
    const path = join(directory, 'config.json');
    const host = new URL(registry.url).host;
    await writeFile(
      path,
      JSON.stringify({
        auths: { [host]: { auth: Buffer.from(`${user.username}:${user.password}`).toString('base64') } },
      }),
    );
    const credentials = await resolveCredentials(new URL(registry.url), { dockerConfig: path });
    expect(credentials).toEqual(user);
    const pushed = await new OciPusher(registry.url, async () => basicHeader).pushImage(
      'private',
      { seed: 'basic/two' },
      'v2',
    );
    const driver = new OciDriver({ url: registry.url, ...(credentials && { credentials }) });
    expect((await driver.listImages('private')).map((image) => image.digest)).toContain(pushed.digest);
  });

  it('reads credentials from the environment variables the config names, and names a missing one', async () => {
    const environment = { REGISTRY_USER: user.username, REGISTRY_PASSWORD: user.password };
    const auth = { usernameEnv: 'REGISTRY_USER', passwordEnv: 'REGISTRY_PASSWORD' };
    expect(await resolveCredentials(new URL(registry.url), auth, environment)).toEqual(user);
    await expect(resolveCredentials(new URL(registry.url), auth, {})).rejects.toThrow(
      'registry.auth.usernameEnv names REGISTRY_USER, but that environment variable is not set',
    );
  });
});

describe.skipIf(skipWithoutDistribution)(
  'OCI bearer tokens (distribution with token auth, and a token server of the test)',
  () => {
    let tokens: TokenServer;
    let registry: Distribution;
    beforeAll(async () => {
      tokens = await startTokenServer(user);
      registry = await startDistribution({ auth: { token: tokens } });
    });
    afterAll(async () => {
      await registry?.stop();
      await tokens?.stop();
    });

    it('follows the challenge to the token server, with a token per repository and action, cached', async () => {
      const pusher = new OciPusher(registry.url, async (scope) => `Bearer ${tokens.mint(scope)}`);
      const amd = await pusher.pushImage('team/app', { seed: 'bearer/amd' });
      const index = await pusher.pushIndex('team/app', [amd], {}, 'abc123');
      await pusher.pushImage('team/other', { seed: 'bearer/other' }, 'v1');

      const driver = new OciDriver({ url: registry.url, credentials: user });
      const images = await driver.listImages('team/app');
      expect(images.map((image) => image.digest).sort()).toEqual([amd.digest, index.digest].sort());
      await driver.listImages('team/app');
      await driver.listImages('team/other');
      expect(await driver.deleteDigests('team/app', [index.digest, amd.digest])).toEqual([
        { digest: index.digest, outcome: 'deleted' },
        { digest: amd.digest, outcome: 'deleted' },
      ]);
      const scopes = tokens.requests.map((request) => request.scope);
      expect(scopes).toEqual([
        'repository:team/app:pull',
        'repository:team/other:pull',
        'repository:team/app:delete',
      ]);
      expect(tokens.requests.every((request) => request.user === 'janitor')).toBe(true);
    });

    it('reports a refused token clearly, pointing at the credentials', async () => {
      const driver = new OciDriver({ url: registry.url });
      await expect(driver.listImages('team/app')).rejects.toThrow(
        /token server .* refused a token for repository:team\/app:pull \(HTTP 401\): it wants credentials and none are configured/,
      );
    });
  },
);
