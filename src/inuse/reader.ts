import { formatDuration } from '../duration.js';
import { ImageReferenceError, parseImageReference } from './reference.js';
import type { ImageUse, InUseSnapshot, InUseSource, SourceFailure } from './snapshot.js';

export interface ReaderOptions {
  /** How long a snapshot is used before the sources are read again (the daemon's `inUse.refresh`). */
  readonly refreshMs: number;
  /** The longest one source may take; a source still reading then has failed. */
  readonly timeoutMs: number;
  readonly now?: () => Date;
  /** Told of every read, for the daemon's log. */
  readonly onRead?: (snapshot: InUseSnapshot) => void;
}

/**
 * Reads every source once and hands the same snapshot to every handler until it is `refreshMs`
 * old: ten handlers do not scan ECS ten times. Handlers asking while a read is under way wait for
 * that read. Sources are read side by side; each one's failure is recorded, not thrown, so that
 * the handlers can say which source blocked them.
 */
export class InUseReader {
  private latest?: { snapshot: Promise<InUseSnapshot>; startedAt: number };
  private readonly now: () => Date;

  constructor(
    readonly sources: readonly InUseSource[],
    private readonly options: ReaderOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The snapshot to plan with. A snapshot in which a source failed is not reused once it is
   * complete: the next handler tries the source again rather than stay blocked for `refreshMs`.
   */
  current(): Promise<InUseSnapshot> {
    const now = this.now().getTime();
    if (this.latest === undefined || now - this.latest.startedAt >= this.options.refreshMs) {
      const latest = { snapshot: this.read(), startedAt: now };
      this.latest = latest;
      void latest.snapshot.then((snapshot) => {
        if (snapshot.failures.length > 0 && this.latest === latest) this.latest = undefined;
      });
    }
    return this.latest.snapshot;
  }

  /** A view that reads once, for one pass (a function invocation), sharing this reader's sources and caches. */
  forOnePass(): { current(): Promise<InUseSnapshot> } {
    let snapshot: Promise<InUseSnapshot> | undefined;
    return {
      current: () => {
        snapshot ??= this.read();
        return snapshot;
      },
    };
  }

  private async read(): Promise<InUseSnapshot> {
    const readAt = this.now();
    const results = await Promise.all(
      this.sources.map(async (source) => {
        const deadline = AbortSignal.timeout(this.options.timeoutMs);
        try {
          return { source, uses: await source.read(deadline) };
        } catch (error) {
          const late = deadline.aborted
            ? `did not finish within ${formatDuration(this.options.timeoutMs)} (inUse.timeout)`
            : undefined;
          return { source, error: late ?? describeError(error) };
        }
      }),
    );
    const uses: ImageUse[] = [];
    const failures: SourceFailure[] = [];
    const malformed: InUseSnapshot['malformed'][number][] = [];
    for (const result of results) {
      if ('error' in result) {
        failures.push({ source: result.source.name, error: result.error as string });
        continue;
      }
      for (const use of result.uses ?? []) {
        try {
          uses.push({ reference: parseImageReference(use.image), usedBy: use.usedBy });
        } catch (error) {
          if (!(error instanceof ImageReferenceError)) throw error;
          // A workload naming something that is not a reference cannot pull it: nothing to keep.
          malformed.push({ ...use, source: result.source.name, error: error.message });
        }
      }
    }
    const snapshot = {
      readAt,
      sources: this.sources.map((source) => source.name),
      uses,
      failures,
      malformed,
    };
    this.options.onRead?.(snapshot);
    return snapshot;
  }
}

/** `AccessDeniedException: User … is not authorized…`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.name && error.name !== 'Error' && !error.message.startsWith(error.name)
      ? `${error.name}: ${error.message}`
      : error.message;
  }
  return String(error);
}
