/**
 * Throttling answered at the registry's pace. ECR publishes no rate limits and throttles some
 * requests of a busy account at random; a registry that enforces a rate throttles more the faster
 * it is asked. The SDK's adaptive mode slows everything down at every throttle (and recovers
 * slowly), which makes random throttling very expensive; its standard mode never slows down, which
 * against an enforced rate keeps many requests throttled. Here: every throttled request backs off
 * on its own (full jitter, 100 ms doubling); only when most recent answers are throttles — the
 * registry's rate, not chance — are all requests paced at the rate it grants, probing upward while
 * few are refused. (BENCHMARKS.md, Throttling, measures the three.)
 */
export class Pacer {
  private ratePerSecond = Number.POSITIVE_INFINITY;
  private nextSlotAt = 0;
  private lastChangeAt = 0;
  private answers: { readonly at: number; readonly throttled: boolean }[] = [];

  constructor(
    private readonly now: () => number = () => performance.now(),
    /** Below this many recent answers a share of throttles says nothing. */
    private readonly sample = 20,
  ) {}

  /** The pace in force, in requests a second (infinite while not pacing). */
  get rate(): number {
    return this.ratePerSecond;
  }

  /** Reserves the next request's moment, no earlier than `delayMs` from now; returns the wait. */
  reserve(delayMs = 0): number {
    const now = this.now();
    if (!Number.isFinite(this.ratePerSecond)) return delayMs;
    const slot = Math.max(now + delayMs, this.nextSlotAt);
    this.nextSlotAt = slot + 1000 / this.ratePerSecond;
    return slot - now;
  }

  answered(throttled: boolean): void {
    const now = this.now();
    this.answers.push({ at: now, throttled });
    while (this.answers.length > 0 && (this.answers[0]?.at ?? now) < now - windowMs) this.answers.shift();
    if (this.answers.length < this.sample) return;
    const refused = this.answers.filter((answer) => answer.throttled).length;
    const share = refused / this.answers.length;
    const seconds = Math.max(0.25, (now - (this.answers[0]?.at ?? now)) / 1000);
    const granted = (this.answers.length - refused) / seconds;
    if (share >= saturatedShare) {
      // Mostly refused: the registry's limit, not chance. Ask no faster than it grants.
      const paced = Math.max(minimumRate, granted);
      if (paced < this.ratePerSecond) this.change(paced, now);
    } else if (
      share < quietShare &&
      Number.isFinite(this.ratePerSecond) &&
      now - this.lastChangeAt > windowMs / 2
    ) {
      this.change(this.ratePerSecond * probeFactor, now);
    }
  }

  private change(rate: number, now: number): void {
    this.ratePerSecond = rate;
    this.lastChangeAt = now;
    this.nextSlotAt = Math.min(this.nextSlotAt, now + 1000 / rate);
    // What was seen at the old pace says nothing about the new one.
    this.answers = [];
  }
}

const windowMs = 2_000;
const saturatedShare = 0.5;
const quietShare = 0.1;
const probeFactor = 1.2;
const minimumRate = 1;

/** One attempt of a request: how many retries it took, and how long to wait before sending it. */
class Attempt {
  constructor(
    private readonly retries: number,
    private readonly delayMs: number,
  ) {}
  getRetryCount(): number {
    return this.retries;
  }
  getRetryDelay(): number {
    return this.delayMs;
  }
}

interface RetryErrorInfo {
  readonly errorType: 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';
  readonly retryAfterHint?: Date;
}

/**
 * The SDK's retry strategy interface (RetryStrategyV2) over a shared Pacer: throttles, transient
 * and server errors are retried up to `maxAttempts` in all, each after its own backoff and no
 * sooner than the pace allows; client errors are not retried.
 */
export class PacedRetryStrategy {
  constructor(
    private readonly pacer: Pacer,
    private readonly maxAttempts = 10,
    private readonly random: () => number = Math.random,
  ) {}

  async acquireInitialRetryToken(_scope: string): Promise<Attempt> {
    const wait = this.pacer.reserve();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return new Attempt(0, 0);
  }

  async refreshRetryTokenForRetry(token: Attempt, errorInfo: RetryErrorInfo): Promise<Attempt> {
    const retries = token.getRetryCount() + 1;
    if (errorInfo.errorType === 'THROTTLING') this.pacer.answered(true);
    if (errorInfo.errorType === 'CLIENT_ERROR' || retries >= this.maxAttempts) {
      // The SDK rethrows the request's own error when no retry token is given.
      throw new Error('no retry');
    }
    const backoff = this.random() * Math.min(maximumBackoffMs, baseBackoffMs * 2 ** (retries - 1));
    const hinted = errorInfo.retryAfterHint ? errorInfo.retryAfterHint.getTime() - Date.now() : 0;
    return new Attempt(retries, this.pacer.reserve(Math.max(backoff, hinted)));
  }

  recordSuccess(_token: Attempt): void {
    this.pacer.answered(false);
  }
}

const baseBackoffMs = 100;
const maximumBackoffMs = 20_000;
