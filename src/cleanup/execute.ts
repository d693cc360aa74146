import type { Logger } from 'pino';
import type { DeleteOutcome, Digest, Plan } from '../core/types.js';
import { chunk, type RegistryDriver } from '../registry/driver.js';
import { sleepUnlessAborted } from '../sleep.js';

export interface FailedDeletion {
  readonly digest: Digest;
  readonly code: string;
  readonly reason: string;
}

export interface ExecutionReport {
  readonly deleted: readonly Digest[];
  readonly alreadyGone: readonly Digest[];
  readonly failed: readonly FailedDeletion[];
  /** Children left in place because a parent index could not be deleted: they still serve it. */
  readonly keptBecauseParentRemained: readonly Digest[];
  /** Digests the registry refused to delete, after retries, because an index still references them. */
  readonly keptBecauseStillReferenced: readonly Digest[];
  /** Digests not attempted because the run was asked to stop between batches. */
  readonly notAttempted: readonly Digest[];
}

export interface ExecuteOptions {
  readonly logger: Logger;
  /**
   * A graceful stop: a batch already sent is finished, no new image is started, and the children
   * of parents already deleted are still deleted (so an interrupted run leaves no orphans).
   */
  readonly signal?: AbortSignal;
  /** A hard stop: aborts the requests in flight (a run that timed out). */
  readonly abortSignal?: AbortSignal;
  /** Waits before retrying a child the registry refused while its just-deleted parent still showed. */
  readonly retryDelaysMs?: readonly number[];
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /** Called for each digest the registry confirms deleted, as it happens (the audit log, metrics). */
  readonly onDeleted?: (digest: Digest) => void;
  /** Called for each digest the registry failed to delete, as it happens (metrics). */
  readonly onFailed?: (failure: FailedDeletion) => void;
}

const defaultRetryDelaysMs = [200, 1_000, 3_000];

/**
 * Deletes a plan's digests wave by wave, parents before children. A child is sent only when every
 * deleted parent is confirmed gone, so a failure never leaves a staying index without its children.
 * A child refused because its parent still showed is retried a few times, so it is gone by the end
 * of the same run.
 */
export async function executePlan(
  driver: RegistryDriver,
  plan: Plan,
  options: ExecuteOptions,
): Promise<ExecutionReport> {
  const { logger, signal } = options;
  const neverAborted = new AbortController().signal;
  const sleep =
    options.sleep ??
    ((milliseconds) => sleepUnlessAborted(milliseconds, options.abortSignal ?? neverAborted));
  const retryDelays = options.retryDelaysMs ?? defaultRetryDelaysMs;
  const gone = new Set<Digest>();
  const report = { deleted: [] as Digest[], alreadyGone: [] as Digest[], failed: [] as FailedDeletion[] };
  const keptBecauseParentRemained: Digest[] = [];
  const keptBecauseStillReferenced: Digest[] = [];
  const notAttempted: Digest[] = [];

  const record = (outcome: DeleteOutcome) => {
    if (outcome.outcome === 'failed' && outcome.referencedByLiveIndex) {
      // The registry knows of an index we did not see (another janitor's, a fresh push): it is
      // right to keep this digest, and that is not a failure of the run.
      keptBecauseStillReferenced.push(outcome.digest);
      logger.warn(
        { digest: outcome.digest, reason: outcome.reason },
        'the registry keeps a digest an index still references',
      );
      return;
    }
    if (outcome.outcome === 'failed') {
      const failure = { digest: outcome.digest, code: outcome.code, reason: outcome.reason };
      report.failed.push(failure);
      options.onFailed?.(failure);
      logger.warn(
        { digest: outcome.digest, code: outcome.code, reason: outcome.reason },
        'could not delete digest',
      );
      return;
    }
    gone.add(outcome.digest);
    if (outcome.outcome === 'deleted') options.onDeleted?.(outcome.digest);
    (outcome.outcome === 'deleted' ? report.deleted : report.alreadyGone).push(outcome.digest);
  };

  /** Sends one batch; children refused while their just-deleted parent still shows are sent again. */
  const deleteWithRetries = async (batch: readonly Digest[]) => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const outcomes = await deleteOrFailAll(driver, plan.repository, [...pending], options.abortSignal);
      const refused = outcomes.filter(
        (outcome) => outcome.outcome === 'failed' && outcome.referencedByLiveIndex,
      );
      const delay = retryDelays[attempt];
      const retrying = refused.length > 0 && delay !== undefined && !options.abortSignal?.aborted;
      for (const outcome of outcomes) if (!(retrying && refused.includes(outcome))) record(outcome);
      if (!retrying) return;
      logger.info(
        { digests: refused.length, delayMs: delay },
        'registry still sees a deleted parent; retrying children',
      );
      await sleep(delay);
      pending = refused.map((outcome) => outcome.digest);
    }
  };

  for (const wave of plan.waves) {
    const ready = wave.filter((deletion) => deletion.parents.every((parent) => gone.has(parent)));
    const held = wave.filter((deletion) => !ready.includes(deletion)).map((deletion) => deletion.digest);
    keptBecauseParentRemained.push(...held);
    if (held.length > 0)
      logger.warn({ digests: held }, 'keeping children whose parent index could not be deleted');
    // One batch at a time, so a stop is honoured between batches and never splits one.
    for (const batch of chunk(ready, driver.deleteBatchSize)) {
      // After a stop no new image is started; but the children of a parent this run already
      // deleted still go: left behind, nothing would ever select them again.
      const sending = signal?.aborted ? batch.filter((deletion) => deletion.parents.length > 0) : batch;
      notAttempted.push(
        ...batch.filter((deletion) => !sending.includes(deletion)).map((deletion) => deletion.digest),
      );
      if (sending.length > 0) await deleteWithRetries(sending.map((deletion) => deletion.digest));
    }
  }
  return { ...report, keptBecauseParentRemained, keptBecauseStillReferenced, notAttempted };
}

/** A batch the registry could not take at all is a failure of each of its digests, not a crash. */
async function deleteOrFailAll(
  driver: RegistryDriver,
  repository: string,
  digests: Digest[],
  abortSignal: AbortSignal | undefined,
): Promise<DeleteOutcome[]> {
  try {
    return await driver.deleteDigests(repository, digests, { ...(abortSignal && { signal: abortSignal }) });
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error instanceof Error ? error.name : 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    return digests.map((digest) => ({ digest, outcome: 'failed', code, reason }));
  }
}
