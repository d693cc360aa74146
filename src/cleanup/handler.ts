import type { Logger } from 'pino';
import { blockedPlan, buildPlan } from '../core/plan.js';
import { type Retagged, withoutRetagged } from '../core/retag.js';
import type { Blocker, Digest, HandlerSpec, Plan } from '../core/types.js';
import { logFailure } from '../log.js';
import { plural } from '../plural.js';
import type { RegistryDriver } from '../registry/driver.js';
import { type AuditSink, auditDetails } from './audit.js';
import { type ExecutionReport, executePlan, type FailedDeletion } from './execute.js';
import { type InUseProvider, inUseOfRepository, sourceBlockers } from './in-use.js';
import { type InUseOf, takeInventory } from './inventory.js';
import type { CleanupEvent } from './progress.js';

/**
 * One run of one handler — one rule over one repository, e.g. `kayron:v` — as the seed's Ensure:
 *
 *   in use    ← what the in-use sources say runs             (read once per pass; any failure blocks)
 *   images    ← every manifest of the repository            (paginated listing, + referrers API)
 *   selected  ← single-tag, pushed, prefix-matching images; if ≤ keep, stop
 *   selected  ← minus what is in use, or reaches what is (a keep condition: drop is not used up)
 *   selected  ← the oldest min(drop, n − keep) of them
 *   manifests ← every index of the repository                (batched, cached by digest)
 *   plan      ← digest groups of the selected, minus what a staying image references
 *   recheck   ← the tags of the doomed digests, asked again: one tagged since the listing stays
 *   apply     ← batch-delete the plan, parents first; report each per-digest failure
 */
export interface HandlerRun {
  readonly mode: 'plan' | 'apply';
  readonly logger: Logger;
  /** A graceful stop: finish the delete batch in flight, send no other. */
  readonly signal?: AbortSignal;
  /** A hard stop: abort registry calls in flight (the run timed out). */
  readonly abortSignal?: AbortSignal;
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /**
   * The audit log: one entry per digest the registry confirms deleted, and (apply) one per image
   * the rule would have deleted but that is in use.
   */
  readonly audit?: AuditSink;
  /** What is in use; without it nothing is known to be in use. */
  readonly inUse?: InUseProvider;
  /** Told of the plan's blockers and of each deletion and failure as it happens (the daemon's metrics). */
  readonly progress?: (event: CleanupEvent) => void;
}

export interface HandlerReport {
  readonly handler: string;
  readonly repository: string;
  readonly mode: 'plan' | 'apply';
  readonly plan?: Plan;
  readonly execution?: ExecutionReport;
  /** A failure of the run as a whole (the registry could not be read, for example). */
  readonly error?: string;
  /** Digests dropped from the plan because a tag was pushed onto them after the listing (apply). */
  readonly retagged?: readonly Retagged[];
  readonly success: boolean;
  readonly durationMs: number;
}

export async function runHandler(
  driver: RegistryDriver,
  spec: HandlerSpec,
  run: HandlerRun,
): Promise<HandlerReport> {
  const started = performance.now();
  const logger = run.logger.child({ handler: spec.name });
  const finish = (
    fields: Omit<HandlerReport, 'handler' | 'repository' | 'mode' | 'durationMs'>,
  ): HandlerReport => ({
    handler: spec.name,
    repository: spec.repository,
    mode: run.mode,
    ...fields,
    durationMs: performance.now() - started,
  });
  let plan: Plan | undefined;
  try {
    const call = run.abortSignal ? { signal: run.abortSignal } : {};
    const snapshot = await run.inUse?.current();
    if (snapshot && snapshot.failures.length > 0) {
      plan = blockedPlan(spec, sourceBlockers(snapshot));
      logPlan(logger, plan);
      run.progress?.({ kind: 'planned', repository: spec.repository, blockers: plan.blockers });
      return finish({ plan, success: false });
    }
    const blockers: Blocker[] = [];
    const inUseOf: InUseOf | undefined = snapshot
      ? async (images) => {
          const found = await inUseOfRepository(snapshot, driver, spec.repository, images);
          if ('inUse' in found) return found.inUse;
          blockers.push(found.blocker);
          return new Map();
        }
      : undefined;
    // One clock for the whole run: ages judged while reading must agree with those of the plan.
    const now = new Date();
    const { images, manifests, inUse } = await takeInventory(driver, spec, call, now, inUseOf);
    plan = buildPlan({ handler: spec, images, manifests, now, inUse });
    if (blockers.length > 0) plan = { ...plan, groups: [], waves: [], bytesReclaimed: 0, blockers };
    logPlan(logger, plan);
    run.progress?.({ kind: 'planned', repository: spec.repository, blockers: plan.blockers });
    if (run.mode === 'apply' && run.audit) auditKept(run.audit, spec, plan);
    if (plan.blockers.length > 0) return finish({ plan, success: false });
    if (run.mode === 'plan' || plan.waves.length === 0) return finish({ plan, success: true });

    // The retag race: a tag pushed onto a doomed digest since the listing would go with it.
    const doomed = plan.waves.flat().map((deletion) => deletion.digest);
    const rechecked = withoutRetagged(
      plan,
      images,
      manifests,
      await driver.currentTags(spec.repository, doomed, call),
    );
    plan = rechecked.plan;
    for (const { digest, tags } of rechecked.retagged)
      logger.warn({ digest, tags }, 'tagged since the listing: it stays, with all it needs');
    if (plan.waves.length === 0) return finish({ plan, retagged: rechecked.retagged, success: true });

    const digestCount = plan.waves.reduce((total, wave) => total + wave.length, 0);
    logger.info(
      { images: plan.groups.length, digests: digestCount },
      `cleaning up ${plural(plan.groups.length, 'image')}`,
    );
    const execution = await executePlan(driver, plan, {
      logger,
      ...(run.signal && { signal: run.signal }),
      ...(run.abortSignal && { abortSignal: run.abortSignal }),
      ...(run.sleep && { sleep: run.sleep }),
      ...((run.audit || run.progress) && { onDeleted: tellDeleted(run, spec, plan) }),
      ...(run.progress && { onFailed: tellFailed(run.progress, spec) }),
    });
    logger.info(
      {
        deleted: execution.deleted.length,
        alreadyGone: execution.alreadyGone.length,
        failed: execution.failed.length,
      },
      'cleanup finished',
    );
    // A run stopped before it finished is not a success, even though all it did went well.
    // Children held back behind a parent that stays are the consequence of that parent's fate,
    // which is counted on its own.
    const complete = execution.failed.length === 0 && execution.notAttempted.length === 0;
    return finish({ plan, execution, retagged: rechecked.retagged, success: complete });
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    // Aborted by a deadline, say so first: "Request aborted" alone names no cause.
    const reason = run.abortSignal?.aborted
      ? (run.abortSignal.reason as Error | undefined)?.message
      : undefined;
    const message = reason ? `${reason}: ${cause}` : cause;
    logFailure(logger, 'error', error, 'handler run failed');
    return finish({ ...(plan && { plan }), error: message, success: false });
  }
}

function logPlan(logger: Logger, plan: Plan): void {
  for (const decision of plan.decisions) {
    if (decision.fate === 'skip') {
      logger.debug(
        { digest: decision.image.digest, tags: decision.image.tags, reason: decision.reason },
        decision.explanation,
      );
    }
  }
  for (const blocker of plan.blockers)
    logger.error({ blocker: blocker.message, kind: blocker.kind }, 'nothing will be deleted by this handler');
  for (const group of plan.groups) {
    logger.info(
      {
        tag: group.tag,
        digest: group.rootDigest,
        deleting: group.members.filter((member) => member.fate === 'delete').map((member) => member.digest),
        keeping: group.members.filter((member) => member.fate === 'keep').map((member) => member.digest),
        bytes: group.bytes,
      },
      'resolved digest group',
    );
  }
}

/** Each confirmed deletion, to the audit log and to whoever watches the run's progress. */
function tellDeleted(run: HandlerRun, spec: HandlerSpec, plan: Plan): (digest: Digest) => void {
  const details = auditDetails(plan);
  const images = new Set(plan.groups.map((group) => group.rootDigest));
  const { repository } = spec;
  return (digest) => {
    const detail = details.get(digest) ?? { tags: [], reason: 'deleted with its image', bytes: 0 };
    run.audit?.({ action: 'deleted', repository, digest, rule: spec.name, ...detail });
    run.progress?.({ kind: 'deleted', repository, digest, bytes: detail.bytes, image: images.has(digest) });
  };
}

/** What the rule would have deleted but a workload still runs: on record, with who runs it. */
function auditKept(audit: AuditSink, spec: HandlerSpec, plan: Plan): void {
  for (const decision of plan.decisions) {
    if (decision.fate !== 'keep' || decision.reason !== 'in-use') continue;
    audit({
      action: 'kept',
      repository: spec.repository,
      digest: decision.image.digest,
      tags: [...decision.image.tags],
      rule: spec.name,
      reason: decision.explanation,
      bytes: 0,
    });
  }
}

function tellFailed(
  progress: (event: CleanupEvent) => void,
  spec: HandlerSpec,
): (failure: FailedDeletion) => void {
  return ({ digest, code }) => progress({ kind: 'delete-failed', repository: spec.repository, digest, code });
}
