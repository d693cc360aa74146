/** What the engine runs: a named, repeatable unit of work with its own failure domain. */
export interface Job<Result = unknown> {
  readonly name: string;
  /** The seed's `Active()`: an inactive job keeps its schedule but does not run. */
  isActive(): boolean;
  run(context: RunContext): Promise<Result>;
}

export interface RunContext {
  /** Raised when the daemon stops: start nothing new, finish the batch in flight. */
  readonly stopping: AbortSignal;
  /** Raised when a run must end now (timeout, or shutdown out of time): abort calls in flight. */
  readonly abort: AbortSignal;
}

/** A run fails by throwing, or by returning a result that says `success: false`. */
export function succeeded(result: unknown): boolean {
  return !(
    typeof result === 'object' &&
    result !== null &&
    (result as { success?: unknown }).success === false
  );
}
