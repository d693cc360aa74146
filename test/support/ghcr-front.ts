import { createHash, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GitHubApi } from './github-api.js';

/**
 * A front for a registry that behaves like ghcr.io where it differs from distribution: a Bearer
 * token from its own `/token` endpoint, given for Basic credentials whose password is a GitHub
 * token the stand-in knows; `DELETE /v2/…/manifests/…` refused with 405 UNSUPPORTED; and every
 * manifest pushed recorded as a version of the package `OWNER/NAME` in the GitHub stand-in.
 * Behind it is either a real `docker-registry` (everything else is passed through) or, for
 * fleets too large to push, manifests held in memory. Deleting a version deletes the manifest.
 */
export interface GhcrFront {
  readonly url: string;
  /** Every request the front answered: method, path and status. */
  readonly requests: { method: string; path: string; status: number }[];
  /** A header as the front's token endpoint would give, for the test's own pusher. */
  authorization(): Promise<string>;
  /** Memory mode: holds a manifest and records it as a version (with `tag`, if given). */
  hold(owner: string, name: string, text: string, mediaType: string, tag?: string): string;
  stop(): Promise<void>;
}

const unsupported = { errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] };

export async function startGhcrFront(github: GitHubApi, backing?: { url: string }): Promise<GhcrFront> {
  const issued = new Set<string>();
  const held = new Map<string, { text: string; mediaType: string }>();
  const requests: GhcrFront['requests'] = [];
  let base = '';

  const json = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', base);
    const method = request.method ?? 'GET';
    if (url.pathname === '/token') {
      const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const password = basic ? Buffer.from(basic, 'base64').toString().split(':').slice(1).join(':') : '';
      if (!github.state.tokens.has(password))
        return json(response, 401, {
          errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
        });
      const token = randomUUID();
      issued.add(token);
      return json(response, 200, { token, expires_in: 300 });
    }
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !issued.has(bearer)) {
      const name = /^\/v2\/(.+)\/(?:manifests|blobs|tags)\//.exec(url.pathname)?.[1];
      return json(
        response,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        {
          'www-authenticate': `Bearer realm="${base}/token",service="ghcr-stand-in"${name ? `,scope="repository:${name}:pull"` : ''}`,
        },
      );
    }
    if (method === 'DELETE' && manifest) return json(response, 405, unsupported);
    if (backing === undefined) {
      const found = manifest && held.get(`${manifest[1]}@${manifest[2]}`);
      if (!found || (method !== 'GET' && method !== 'HEAD'))
        return json(response, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      response.writeHead(200, {
        'content-type': found.mediaType,
        'docker-content-digest': manifest[2] as string,
      });
      return response.end(method === 'HEAD' ? undefined : found.text);
    }
    const status = await pass(request, response, new URL(url.pathname + url.search, backing.url));
    if (method === 'PUT' && manifest && status.code === 201 && status.digest) {
      const [owner, ...rest] = (manifest[1] as string).split('/');
      const reference = manifest[2] as string;
      github.state.recordPush(
        owner as string,
        rest.join('/'),
        status.digest,
        reference.startsWith('sha256:') ? undefined : reference,
      );
    }
  };

  const server = createServer((request, response) => {
    handle(request, response)
      .catch((error: Error) => {
        if (!response.headersSent)
          json(response, 500, { errors: [{ code: 'UNKNOWN', message: error.message }] });
      })
      .finally(() => {
        requests.push({
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          status: response.statusCode,
        });
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  github.onDelete = async (owner, name, digest) => {
    if (backing === undefined) {
      held.delete(`${owner.toLowerCase()}/${name}@${digest}`);
      return;
    }
    const answer = await fetch(`${backing.url}/v2/${owner.toLowerCase()}/${name}/manifests/${digest}`, {
      method: 'DELETE',
    });
    await answer.body?.cancel();
    if (answer.status !== 202 && answer.status !== 404)
      throw new Error(`the backing registry refused to delete ${digest}: ${answer.status}`);
  };

  return {
    url: base,
    requests,
    authorization: async () => {
      const token = randomUUID();
      issued.add(token);
      return `Bearer ${token}`;
    },
    hold: (owner, name, text, mediaType, tag) => {
      const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
      held.set(`${owner.toLowerCase()}/${name}@${digest}`, { text, mediaType });
      github.state.recordPush(owner, name, digest, tag);
      return digest;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Passes a request through to the backing registry, keeping the Host so its Location points here. */
function pass(
  request: IncomingMessage,
  response: ServerResponse,
  target: URL,
): Promise<{ code: number; digest?: string }> {
  return new Promise((resolve, reject) => {
    const { authorization: _dropped, ...headers } = request.headers;
    const outgoing = httpRequest(target, { method: request.method, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
      answer.on('end', () => {
        const digest = answer.headers['docker-content-digest'];
        resolve({ code: answer.statusCode ?? 502, ...(typeof digest === 'string' && { digest }) });
      });
      answer.on('error', reject);
    });
    outgoing.on('error', reject);
    request.pipe(outgoing);
  });
}
