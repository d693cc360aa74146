import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GitHubPackagesState, newestFirst, versionBody } from './github-packages.js';

/**
 * A stand-in for the part of GitHub's REST API that registry-janitor uses, written from GitHub's
 * REST reference (packages, rate limits), for the real Octokit client to talk to: container
 * packages and their versions with `per_page` ≤ 100 and `Link` paging, deleting a version (404
 * for a token that may not, 400 for a public version past 5,000 downloads or a package's last
 * tagged version), rate-limit headers on every answer, and — when asked — a secondary limit of
 * points a minute (GET 1, DELETE 5) answered with 403 and `retry-after`.
 */
export interface ScriptedAnswer {
  /** Answers only after this long: a server that is slow, or gone quiet. */
  readonly delayMs?: number;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export interface GitHubApi {
  readonly url: string;
  readonly state: GitHubPackagesState;
  /** Every request, in order, with the status it got and when it came (performance.now()). */
  readonly requests: { method: string; path: string; status: number; at: number }[];
  /** Answers the next `times` requests matching the method and path with `answer` instead. */
  failNext(method: string, path: RegExp, answer: ScriptedAnswer, times?: number): void;
  /** Deletes a version's manifest where manifests are served, before the version goes. */
  onDelete: ((owner: string, name: string, digest: string) => Promise<void>) | undefined;
  stop(): Promise<void>;
}

export interface GitHubApiOptions {
  /** GitHub's secondary limit: points a minute, a minute being 60 × `secondMs` here. */
  readonly secondaryLimit?: { readonly pointsPerMinute: number; readonly secondMs: number };
}

const secondaryMessage =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
const notFound = (message = 'Not Found'): ScriptedAnswer => ({ status: 404, body: { message } });

export async function startGitHubApi(
  state: GitHubPackagesState,
  options: GitHubApiOptions = {},
): Promise<GitHubApi> {
  const requests: GitHubApi['requests'] = [];
  const faults: { method: string; path: RegExp; answer: ScriptedAnswer; times: number }[] = [];
  const spent: { at: number; points: number }[] = [];
  const resetAt = Math.floor(Date.now() / 1000) + 3600;
  let base = '';

  const secondary = (method: string): ScriptedAnswer | undefined => {
    const limit = options.secondaryLimit;
    if (limit === undefined) return undefined;
    const now = performance.now();
    const window = 60 * limit.secondMs;
    while (spent.length > 0 && (spent[0] as { at: number }).at <= now - window) spent.shift();
    const cost = method === 'GET' ? 1 : 5;
    const used = spent.reduce((total, entry) => total + entry.points, 0);
    if (used + cost <= limit.pointsPerMinute) {
      spent.push({ at: now, points: cost });
      return undefined;
    }
    const waitMs = (spent[0] as { at: number }).at + window - now;
    return {
      status: 403,
      headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / limit.secondMs))) },
      body: {
        message: secondaryMessage,
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      },
    };
  };

  const route = async (method: string, url: URL): Promise<ScriptedAnswer> => {
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const [kind, ownerName = '', packages, type, name = '', versions, id] = segments;
    if (kind === 'users' && segments.length === 2 && method === 'GET') {
      const owner = state.owner(ownerName);
      return owner ? { status: 200, body: { login: ownerName, id: 1, type: owner.type } } : notFound();
    }
    const owner = state.owner(ownerName);
    const kindMatches =
      (kind === 'orgs') === (owner?.type === 'Organization') && (kind === 'orgs' || kind === 'users');
    if (owner === undefined || !kindMatches || packages !== 'packages') return notFound();
    if (segments.length === 3 && method === 'GET') {
      if (url.searchParams.get('package_type') !== 'container')
        return { status: 422, body: { message: 'Invalid package_type' } };
      const all = [...owner.packages].map(([packageName, found], index) => ({
        id: index + 1,
        name: packageName,
        package_type: 'container',
        visibility: found.visibility,
        version_count: found.versions.size,
      }));
      return page(all, url, (item) => item);
    }
    const found = owner.packages.get(name);
    if (type !== 'container' || versions !== 'versions' || found === undefined || segments.length > 7)
      return notFound('Package not found.');
    const ordered = newestFirst(found);
    const body = (version: (typeof ordered)[number]) =>
      versionBody(base, kind as string, ownerName, name, version);
    if (id === undefined) return method === 'GET' ? page(ordered, url, body) : notFound();
    const version = ordered.find((each) => String(each.id) === id);
    if (version === undefined) return notFound('Package version not found.');
    if (method === 'GET') return { status: 200, body: body(version) };
    if (method !== 'DELETE') return notFound();
    if (found.visibility === 'public' && version.downloads > 5000)
      return refuse(
        'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.',
      );
    if (version.tags.length > 0 && !ordered.some((other) => other !== version && other.tags.length > 0))
      return refuse(
        'You cannot delete the last tagged version of a package. You must delete the package instead.',
      );
    await api.onDelete?.(ownerName, name, version.digest);
    found.versions.delete(version.digest);
    for (const tag of version.tags) found.tagged.delete(tag);
    return { status: 204 };
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', base);
    const method = request.method ?? 'GET';
    const at = performance.now();
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const grant = token === undefined ? undefined : state.tokens.get(token);
    const answer = async (): Promise<ScriptedAnswer> => {
      if (grant === undefined)
        return { status: 401, body: { message: token ? 'Bad credentials' : 'Requires authentication' } };
      const fault = faults.find((each) => each.method === method && each.path.test(url.pathname));
      if (fault) {
        fault.times -= 1;
        if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
        if (fault.answer.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.answer.delayMs));
        return fault.answer;
      }
      const limited = secondary(method);
      if (limited) return limited;
      // A token that may not delete gets 404, as if the package were not there: GitHub's way.
      if (method === 'DELETE' && !grant.canDelete) return notFound('Package not found.');
      return route(method, url);
    };
    answer()
      .then((result) => {
        requests.push({ method, path: url.pathname + url.search, status: result.status, at });
        response.writeHead(result.status, {
          'content-type': 'application/json; charset=utf-8',
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': String(Math.max(0, 5000 - requests.length)),
          'x-ratelimit-used': String(requests.length),
          'x-ratelimit-reset': String(resetAt),
          'x-ratelimit-resource': 'core',
          ...(grant?.scopes && { 'x-oauth-scopes': grant.scopes.join(', ') }),
          ...result.headers,
        });
        response.end(result.body === undefined ? undefined : JSON.stringify(result.body));
      })
      .catch((error: Error) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: error.message }));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api: GitHubApi = {
    url: base,
    state,
    requests,
    onDelete: undefined,
    failNext: (method, path, answer, times = 1) => faults.push({ method, path, answer, times }),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}

function refuse(message: string): ScriptedAnswer {
  return {
    status: 400,
    body: { message, documentation_url: 'https://docs.github.com/rest/packages/packages' },
  };
}

/** GitHub's paging: `per_page` (default 30, at most 100) and `page`, with a `Link` header. */
function page<T>(items: readonly T[], url: URL, body: (item: T) => unknown): ScriptedAnswer {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
  const number = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (target: number, rel: string) => {
    const next = new URL(url);
    next.searchParams.set('page', String(target));
    return `<${next}>; rel="${rel}"`;
  };
  const links = [
    ...(number < last ? [link(number + 1, 'next'), link(last, 'last')] : []),
    ...(number > 1 ? [link(number - 1, 'prev'), link(1, 'first')] : []),
  ];
  return {
    status: 200,
    headers: links.length > 0 ? { link: links.join(', ') } : {},
    body: items.slice((number - 1) * perPage, number * perPage).map(body),
  };
}
