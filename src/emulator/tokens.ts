import { createHmac, randomBytes } from 'node:crypto';

/**
 * Page tokens as AWS hands them out: opaque to the client, refused when forged, reused across
 * requests of another kind, or stale in format. The cursor inside is the key of the last item
 * handed out, not an offset, so items deleted between pages neither skip nor repeat others.
 */
export class PageTokens {
  /** Signs tokens so a forged, stale-format or cross-request token is refused. */
  private readonly secret = randomBytes(32);

  write(context: string, cursor: string): string {
    const json = JSON.stringify({ cursor, check: this.check(context, cursor) });
    return Buffer.from(json, 'utf8').toString('base64');
  }

  /** The cursor, or undefined for a token this server did not give for this kind of request. */
  read(context: string, token: string): string | undefined {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
      const { cursor, check } = parsed as { cursor?: unknown; check?: unknown };
      if (typeof cursor === 'string' && check === this.check(context, cursor)) return cursor;
    } catch {
      // Falls through to the same answer as a well-formed but foreign token.
    }
    return undefined;
  }

  /**
   * One page of `items` (sorted by `keyOf`) after the token's cursor, and the token for the next
   * page when there is one.
   */
  page<T>(
    context: string,
    items: readonly T[],
    keyOf: (item: T) => string,
    limit: number,
    token: string | undefined,
    refuse: () => Error,
  ): { items: T[]; next?: string } {
    let after: string | undefined;
    if (token !== undefined) {
      after = this.read(context, token);
      if (after === undefined) throw refuse();
    }
    const rest = after === undefined ? items : items.filter((item) => keyOf(item) > (after as string));
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page,
      ...(rest.length > page.length && last !== undefined && { next: this.write(context, keyOf(last)) }),
    };
  }

  private check(context: string, cursor: string): string {
    return createHmac('sha256', this.secret).update(`${context}\n${cursor}`).digest('base64url');
  }
}
