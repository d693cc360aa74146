/** A parsed `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export interface Challenge {
  readonly scheme: 'bearer' | 'basic';
  readonly parameters: Readonly<Record<string, string>>;
}

/** Reads the first challenge of a header value; undefined when there is none we understand. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const match = /^\s*(Bearer|Basic)\b\s*(.*)$/i.exec(header);
  if (match === null) return undefined;
  const parameters: Record<string, string> = {};
  for (const pair of (match[2] ?? '').matchAll(/([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    parameters[(pair[1] as string).toLowerCase()] = (pair[2] ?? pair[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: (match[1] as string).toLowerCase() as Challenge['scheme'], parameters };
}

/** The `next` target of a `Link` header, resolved against the URL that answered (it is often relative). */
export function nextLink(header: string | null, base: URL): URL | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && /\brel\s*=\s*"?next"?/i.test(match[2] ?? '')) return new URL(match[1] as string, base);
  }
  return undefined;
}

/** `Retry-After` in seconds or as an HTTP date → milliseconds to wait, if present and sane. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
