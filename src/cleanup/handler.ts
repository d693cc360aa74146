import type { Logger } from 'pino';
import { buildPlan } from '../core/plan.js';
import { type Retagged, withoutRetagged } from '../core/retag.js';
import type { HandlerSpec, Plan } from '../core/types.js';
import type { RegistryDriver } from '../registry/driver.js';
import { type AuditSink, auditDetails } from './audit.js';
import { type ExecutionReport, executePlan } from './execute.js';
import { takeInventory } from './inventory.js';

/**
 * One run of one handler — one rule over one repository, e.g. `kayron:v` — as the seed's Ensure:
 *
 *   images    ← every manifest of the repository            (paginated listing, + referrers API)
 *   selected  ← single-tag, pushed, prefix-matching images; if ≤ keep, stop
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
  /** Receives one entry per digest the registry confirms deleted (the audit log). */
  readonly audit?: AuditSink;
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
    // One clock for the whole run: ages judged while reading must agree with those of the plan.
    const now = new Date();
    const { images, manifests } = await takeInventory(driver, spec, call, now);
    plan = buildPlan({ handler: spec, images, manifests, now });
    logPlan(logger, plan);
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
      `cleaning up ${plan.groups.length} images`,
    );
    const execution = await executePlan(driver, plan, {
      logger,
      ...(run.signal && { signal: run.signal }),
      ...(run.abortSignal && { abortSignal: run.abortSignal }),
      ...(run.sleep && { sleep: run.sleep }),
      ...(run.audit && { onDeleted: auditFor(run.audit, spec, plan) }),
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
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ err: error }, 'handler run failed');
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
  for (const blocker of plan.blockers) logger.error({ blocker }, 'nothing will be deleted by this handler');
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

function auditFor(audit: AuditSink, spec: HandlerSpec, plan: Plan): (digest: string) => void {
  const details = auditDetails(plan);
  return (digest) => {
    const detail = details.get(digest) ?? { tags: [], reason: 'deleted with its image', bytes: 0 };
    audit({ repository: spec.repository, digest, rule: spec.name, ...detail });
  };
}
