import { RegistryError } from '../driver.js';
import { describeNetworkError } from '../network.js';

/**
 * Reading GitHub's error answers as Octokit hands them over (an error with `status`, and
 * `response` when GitHub answered at all), and saying what they mean in words.
 */

export const missingScopeMessage =
  'the token cannot delete packages: it needs `delete:packages`, or `packages: write` for GITHUB_TOKEN in a workflow';

/** GitHub's refusals that no retry changes, in words that say what to do. */
export function explain(status: number, message: string): string {
  if (tooManyDownloads.test(message))
    return `GitHub does not delete a version of a public package downloaded more than 5,000 times (“${message}”): GitHub support can; making the package private first has worked for others`;
  if (lastTagged.test(message))
    return `GitHub does not delete the last tagged version of a package (“${message}”): delete the package itself on GitHub if that is what is wanted`;
  if (rateLimit.test(message)) return `GitHub kept refusing for its rate limit: ${message}`;
  if (status === 403) return `${missingScopeMessage} (GitHub: “${message}”)`;
  return `GitHub answered ${status}: ${message}`;
}

export function codeOf(status: number, message: string): string {
  if (tooManyDownloads.test(message)) return 'TooManyDownloads';
  if (lastTagged.test(message)) return 'LastTaggedVersion';
  if (rateLimit.test(message)) return 'RateLimited';
  // Not the rate limit: a workflow token without `packages: write` ("Resource not accessible by integration").
  if (status === 403) return 'MissingPermission';
  return `HTTP${status}`;
}

const tooManyDownloads = /more than 5,?000 downloads/i;
const lastTagged = /last tagged version/i;
const rateLimit = /rate limit/i;

export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown; response?: unknown } | undefined)?.status;
  // An aborted fetch carries status 500 but no response: it is not an answer from GitHub.
  return typeof status === 'number' && (error as { response?: unknown }).response !== undefined
    ? status
    : undefined;
}

export function messageOf(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  return typeof data?.message === 'string' ? data.message : (error as Error).message;
}

export function headerOf(error: unknown, name: string): string | undefined {
  const value = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function failure(error: unknown, what: string): RegistryError {
  const status = statusOf(error);
  if (status === 401)
    return new RegistryError(
      `GitHub refused the token (401 ${messageOf(error)}) to ${what}`,
      'BadCredentials',
      { cause: error },
    );
  const detail = status === undefined ? onTheWire(error) : `HTTP ${status}: ${messageOf(error)}`;
  return new RegistryError(
    `could not ${what} on GitHub: ${detail}`,
    status === undefined ? 'Unreachable' : `HTTP${status}`,
    {
      cause: error,
    },
  );
}

/** What went wrong on the wire (refused, unknown host, no answer in time), where Octokit knew the URL. */
function onTheWire(error: unknown): string {
  const url = (error as { request?: { url?: unknown } }).request?.url;
  // Octokit wraps the fetch error, a deadline's TimeoutError among them, as `cause`.
  const cause = (error as { cause?: unknown }).cause ?? error;
  return typeof url === 'string' && URL.canParse(url)
    ? describeNetworkError(cause, new URL(url))
    : (error as Error).message;
}
