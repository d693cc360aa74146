import { RegistryError } from '../driver.js';
import { defaultRequestTimeoutMs, describeNetworkError, isTimeout } from '../network.js';
import { type Challenge, parseChallenge, retryAfterMs } from './challenge.js';
import type { Credentials } from './credentials.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

export interface OciHttpOptions {
  readonly baseUrl: URL;
  readonly credentials?: Credentials;
  readonly retry?: RetryPolicy;
  /** How long one attempt may wait for an answer's headers (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Told of each attempt that timed out and is retried, so a slow registry is not silent. */
  readonly onWarning?: (message: string) => void;
  readonly random?: () => number;
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

export interface OciRequest {
  readonly method?: 'GET' | 'HEAD' | 'DELETE';
  /** What the request needs from a token server, e.g. `repository:kayron:pull`. */
  readonly scope: string;
  readonly accept?: readonly string[];
  readonly signal?: AbortSignal;
}

interface Token {
  readonly value: string;
  readonly expiresAt: number;
}

const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);

/**
 * HTTP to a distribution-spec registry: answers a `401` challenge with Basic credentials or a
 * Bearer token from the challenge's realm (cached per scope until it expires), and retries 429,
 * 5xx and broken connections with exponential backoff and full jitter, honouring `Retry-After`.
 */
export class OciHttp {
  private challenge: Challenge | undefined;
  /** Per scope; the promise itself is cached so that concurrent requests share one token fetch. */
  private readonly tokens = new Map<string, Promise<Token>>();
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly sleep: (milliseconds: number) => Promise<void>;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: OciHttpOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
    this.retry = options.retry ?? defaultRetryPolicy;
    this.random = options.random ?? Math.random;
    this.sleep =
      options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)));
  }

  get baseUrl(): URL {
    return this.options.baseUrl;
  }

  /** The answer to `path` (a path or absolute URL), after authentication and retries. */
  async request(path: string | URL, request: OciRequest): Promise<Response> {
    const url = new URL(path, this.options.baseUrl);
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await this.authorizedFetch(url, request);
      } catch (error) {
        if (request.signal?.aborted || error instanceof RegistryError) throw error;
        const what = `${request.method ?? 'GET'} ${url.origin}${url.pathname}`;
        const cause = describeNetworkError(error, url, this.requestTimeoutMs);
        if (attempt >= this.retry.attempts)
          throw new RegistryError(`${what}: ${cause}`, networkErrorCode(error), { cause: error });
        if (isTimeout(error))
          this.options.onWarning?.(`${what}: ${cause}; trying again (${attempt} of ${this.retry.attempts})`);
        await this.sleep(this.backoff(attempt));
        continue;
      }
      if (!retryableStatuses.has(response.status) || attempt >= this.retry.attempts) return response;
      const wait = retryAfterMs(response.headers.get('retry-after')) ?? this.backoff(attempt);
      await response.body?.cancel();
      await this.sleep(Math.min(wait, this.retry.maxDelayMs));
    }
  }

  /** Full jitter: a uniform wait between 0 and the exponential cap, so retrying clients spread out. */
  private backoff(attempt: number): number {
    return this.random() * Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
  }

  private async authorizedFetch(url: URL, request: OciRequest): Promise<Response> {
    const send = async () =>
      this.fetchInTime(
        url,
        {
          method: request.method ?? 'GET',
          headers: {
            ...(request.accept && { accept: request.accept.join(', ') }),
            ...(await this.authorization(request.scope, request.signal)),
          },
          redirect: 'follow',
        },
        request.signal,
      );
    const response = await send();
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (challenge === undefined) return response;
    const wasBasic = this.challenge?.scheme === 'basic';
    this.challenge = challenge;
    // A second 401 with the credentials we were asked for is the registry's final word.
    if (challenge.scheme === 'basic' && (wasBasic || this.options.credentials === undefined)) {
      await response.body?.cancel();
      throw this.refused(url);
    }
    await response.body?.cancel();
    if (challenge.scheme === 'bearer') {
      // The scope the registry names is what this request needs; ours is only our best guess.
      const scope = challenge.parameters.scope ?? request.scope;
      const token = this.fetchToken(challenge, scope, request.signal);
      this.tokens.set(request.scope, token);
      await token;
    }
    const again = await send();
    if (again.status === 401 && challenge.scheme === 'basic') {
      await again.body?.cancel();
      throw this.refused(url);
    }
    return again;
  }

  /** A 401 the credentials cannot answer: missing ones, or ones the registry rejects. */
  private refused(url: URL): RegistryError {
    const credentials = this.options.credentials;
    return credentials === undefined
      ? new RegistryError(
          `the registry at ${url.origin} asks for credentials (HTTP 401) and none are configured: see registry.auth`,
          'CredentialsMissing',
        )
      : new RegistryError(
          `the registry at ${url.origin} rejected the credentials of user "${credentials.username}" (HTTP 401): check registry.auth`,
          'CredentialsRejected',
        );
  }

  /** fetch, giving up when no answer's headers arrive within the request timeout. */
  private async fetchInTime(url: URL, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException('no answer in time', 'TimeoutError')),
      this.requestTimeoutMs,
    );
    try {
      return await fetch(url, {
        ...init,
        signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async authorization(
    scope: string,
    signal: AbortSignal | undefined,
  ): Promise<Record<string, string>> {
    const challenge = this.challenge;
    if (challenge === undefined) return {};
    if (challenge.scheme === 'basic') {
      return this.options.credentials ? { authorization: `Basic ${basic(this.options.credentials)}` } : {};
    }
    const pending = this.tokens.get(scope);
    const cached = pending && (await pending.catch(() => undefined));
    if (pending && cached && cached.expiresAt > Date.now())
      return { authorization: `Bearer ${cached.value}` };
    const fresh = this.fetchToken(challenge, scope, signal);
    this.tokens.set(scope, fresh);
    // A failed fetch is not cached: the next request asks again.
    fresh.catch(() => this.tokens.delete(scope));
    return { authorization: `Bearer ${(await fresh).value}` };
  }

  private async fetchToken(
    challenge: Challenge,
    scope: string,
    signal: AbortSignal | undefined,
  ): Promise<Token> {
    const realm = challenge.parameters.realm;
    if (realm === undefined)
      throw new RegistryError('the registry asked for a Bearer token but named no realm', 'AuthError');
    const url = new URL(realm);
    if (challenge.parameters.service) url.searchParams.set('service', challenge.parameters.service);
    url.searchParams.append('scope', scope);
    const credentials = this.options.credentials;
    let response: Response;
    try {
      response = await this.fetchInTime(
        url,
        { headers: credentials ? { authorization: `Basic ${basic(credentials)}` } : {} },
        signal,
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new RegistryError(
        `the token server ${url.origin}${url.pathname}: ${describeNetworkError(error, url, this.requestTimeoutMs)}`,
        networkErrorCode(error),
        { cause: error },
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      const why =
        response.status !== 401
          ? ''
          : credentials
            ? `: it rejected the credentials of user "${credentials.username}" (check registry.auth)`
            : ': it wants credentials and none are configured (see registry.auth)';
      throw new RegistryError(
        `the token server ${url.origin}${url.pathname} refused a token for ${scope} (HTTP ${response.status})${why}`,
        response.status === 401 ? (credentials ? 'CredentialsRejected' : 'CredentialsMissing') : 'AuthError',
      );
    }
    const body = (await response.json()) as { token?: string; access_token?: string; expires_in?: number };
    const value = body.token ?? body.access_token;
    if (!value)
      throw new RegistryError(`the token server ${url.origin} answered without a token`, 'AuthError');
    // Renew a little before the end; 60 s is the spec's default lifetime.
    const lifetimeMs = Math.max(10, body.expires_in ?? 60) * 1000;
    return { value, expiresAt: Date.now() + lifetimeMs - Math.min(30_000, lifetimeMs / 4) };
  }
}

/** A stable code for a failure on the wire: the socket error's code, or Timeout. */
function networkErrorCode(error: unknown): string {
  if (isTimeout(error)) return 'Timeout';
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : 'NetworkError';
}

function basic(credentials: Credentials): string {
  return Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
}
