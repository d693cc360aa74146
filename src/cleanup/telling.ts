import type { Logger } from 'pino';
import type { Digest, HandlerSpec, Plan } from '../core/types.js';
import { type AuditSink, auditDetails } from './audit.js';
import type { FailedDeletion } from './execute.js';
import type { HandlerRun } from './handler.js';
import type { CleanupEvent } from './progress.js';

/** A plan in the log: skips at debug, blockers at error, each digest group at info. */
export function logPlan(logger: Logger, plan: Plan): void {
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
export function tellDeleted(run: HandlerRun, spec: HandlerSpec, plan: Plan): (digest: Digest) => void {
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
export function auditKept(audit: AuditSink, spec: HandlerSpec, plan: Plan): void {
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

export function tellFailed(
  progress: (event: CleanupEvent) => void,
  spec: HandlerSpec,
): (failure: FailedDeletion) => void {
  return ({ digest, code }) => progress({ kind: 'delete-failed', repository: spec.repository, digest, code });
}
