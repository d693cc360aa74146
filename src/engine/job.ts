/**
 * What the engine runs: a named, repeatable unit of work with its own failure domain. `Progress` is
 * what a run tells its decorators as it goes (see `RunContext.progress`).
 */
export interface Job<Result = unknown, Progress = never> {
  readonly name: string;
  /** The seed's `Active()`: an inactive job keeps its schedule but does not run. */
  isActive(): boolean;
  run(context: RunContext<Progress>): Promise<Result>;
}

export interface RunContext<Progress = never> {
  /** Raised when the daemon stops: start nothing new, finish the batch in flight. */
  readonly stopping: AbortSignal;
  /** Raised when a run must end now (timeout, or shutdown out of time): abort calls in flight. */
  readonly abort: AbortSignal;
  /**
   * Told of what a run does as it does it. Decorators count from here rather than from the result,
   * because a run cut off at its deadline never returns one, yet what it did before is real.
   */
  readonly progress?: (event: Progress) => void;
}

/** A run fails by throwing, or by returning a result that says `success: false`. */
export function succeeded(result: unknown): boolean {
  return !(
    typeof result === 'object' &&
    result !== null &&
    (result as { success?: unknown }).success === false
  );
}
