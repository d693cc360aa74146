/**
 * At most `limit` tasks at once, the rest queued in order. Shared by all the work of one pass, it
 * keeps the registry busy at exactly the concurrency asked for — never more, whatever the number
 * of repositories and batches in flight — which is what rate limits are about.
 */
export class RequestLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<Result>(task: () => Promise<Result>): Promise<Result> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}
