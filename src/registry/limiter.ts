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
    if (this.active < this.limit) this.active += 1;
    // A place is handed over directly by the task that frees it, so none can be taken in between.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
