import { execFileSync } from 'node:child_process';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TokenServer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly rootCertificatePath: string;
  /** Every scope asked for, in order, with the user who asked. */
  readonly requests: { scope: string; user: string | undefined }[];
  /** A token for `scope` as the test's own pusher needs, without going through HTTP. */
  mint(scope: string): string;
  stop(): Promise<void>;
}

/**
 * The token endpoint of the distribution spec's Bearer flow, written for the tests: it checks a
 * user and password (Basic), then signs a JWT with a key whose self-signed certificate the real
 * registry trusts (`auth.token.rootcertbundle`), granting exactly the scopes asked for.
 */
export async function startTokenServer(user: { username: string; password: string }): Promise<TokenServer> {
  const directory = await mkdtemp(join(tmpdir(), 'janitor-token-'));
  const keyPath = join(directory, 'key.pem');
  const certificatePath = join(directory, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certificatePath,
      '-days',
      '1',
      '-subj',
      '/CN=janitor-test-token-issuer',
    ],
    { stdio: 'ignore' },
  );
  const key = await readFile(keyPath, 'utf8');
  const certificate = new X509Certificate(await readFile(certificatePath));
  const service = 'janitor-test-registry';
  const issuer = 'janitor-test-issuer';
  const requests: TokenServer['requests'] = [];

  const mint = (scope: string, subject = user.username) => {
    const access = scope
      .split(' ')
      .filter(Boolean)
      .map((each) => {
        const [type, ...rest] = each.split(':');
        const actions = rest.pop() ?? '';
        return { type, name: rest.join(':'), actions: actions.split(',') };
      });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certificate.raw.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode(header)}.${encode(claims)}`;
    const signature = createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url');
    return `${unsigned}.${signature}`;
  };

  const expected = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const scope = url.searchParams.getAll('scope').join(' ');
    const authorization = request.headers.authorization;
    requests.push({
      scope,
      user: authorization
        ? Buffer.from(authorization.slice(6), 'base64').toString().split(':')[0]
        : undefined,
    });
    if (authorization !== expected) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ token: mint(scope), expires_in: 300, issued_at: new Date().toISOString() }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertificatePath: certificatePath,
    requests,
    mint: (scope) => mint(scope),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
