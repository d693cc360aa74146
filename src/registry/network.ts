/** How long one request may wait for an answer before it is abandoned (and retried). */
export const defaultRequestTimeoutMs = 30_000;

/**
 * What went wrong on the wire, said the way a person fixes it: Node's `fetch failed` and the
 * SDK's socket errors hide the cause (refused, unknown host, TLS to a plain-HTTP server, an
 * untrusted certificate, no answer in time) one or two levels down.
 */
export function describeNetworkError(error: unknown, url: URL, timeoutMs?: number): string {
  const where = url.port ? `${url.hostname}:${url.port}` : url.host;
  const { code, message } = innermost(error);
  if (isTimeout(error))
    return `no answer from ${where} within ${timeoutMs === undefined ? 'the time allowed' : `${timeoutMs / 1000} s`}`;
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing accepts connections at ${where} (ECONNREFUSED)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name ${url.hostname} does not resolve (${code})`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `${where} closed the connection (${code})`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connecting to ${where} timed out (${code})`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'EPROTO':
      return `${where} does not speak TLS: is it a plain-HTTP registry? (then its URL is http://…) (${code})`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the TLS certificate of ${where} is not trusted (${code}): give its CA in NODE_EXTRA_CA_CERTS`;
    default:
      return code ? `${message} (${code})` : message;
  }
}

/** An abort by a deadline (DOMException TimeoutError, the SDK's TimeoutError), not by a stop. */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

function innermost(error: unknown): { code?: string; message: string } {
  let current: unknown = error;
  // undici wraps the socket error as `cause`, sometimes twice (an AggregateError of addresses).
  for (let depth = 0; depth < 4; depth += 1) {
    const next = (current as { cause?: unknown } | undefined)?.cause;
    if (next === undefined || next === null) break;
    current = next;
  }
  const errors = (current as { errors?: unknown[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) current = errors[0];
  const code = (current as { code?: unknown }).code;
  return {
    ...(typeof code === 'string' && { code }),
    message: current instanceof Error ? current.message : String(current),
  };
}
