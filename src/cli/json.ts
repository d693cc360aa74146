import type { HandlerReport } from '../cleanup/handler.js';
import { confirmedDeletions } from '../cleanup/outcome.js';
import type { InUseSnapshot } from '../inuse/snapshot.js';
import { inUseToJson } from './in-use-summary.js';

/**
 * The report as one JSON document for scripts: per handler, every image's fate and reason, each
 * digest group with what it deletes and what it keeps, and what the run did.
 */
export function reportsToJson(
  reports: readonly HandlerReport[],
  registry: string,
  inUse?: InUseSnapshot,
): unknown {
  return {
    mode: reports[0]?.mode ?? 'plan',
    registry,
    ...(inUse && { inUse: inUseToJson(inUse) }),
    success: reports.every((report) => report.success),
    handlers: reports.map((report) => {
      const plan = report.plan;
      return {
        handler: report.handler,
        repository: report.repository,
        success: report.success,
        ...(report.error !== undefined && { error: report.error }),
        durationMs: Math.round(report.durationMs),
        ...(plan && {
          rule: plan.rule,
          candidates: plan.candidateCount,
          blockers: plan.blockers,
          bytesReclaimed: plan.bytesReclaimed,
          images: plan.decisions.map((decision) => ({
            digest: decision.image.digest,
            tags: decision.image.tags,
            pushedAt: decision.image.pushedAt?.toISOString() ?? null,
            fate: decision.fate,
            reason: decision.reason,
            explanation: decision.explanation,
          })),
          groups: plan.groups.map((group) => ({
            // An orphan has no tag: its label (`untagged sha256:…`) is for tables only.
            tag: group.untagged ? null : group.tag,
            why: group.why ?? null,
            pushedAt: group.pushedAt?.toISOString() ?? null,
            digest: group.rootDigest,
            mediaType: group.rootMediaType,
            bytes: group.bytes,
            deleting: group.members
              .filter((member) => member.fate === 'delete')
              .map((member) => member.digest),
            keeping: group.members
              .filter((member) => member.fate === 'keep')
              .map((member) => ({ digest: member.digest, because: member.keptBecause })),
          })),
        }),
        ...(report.retagged?.length && { retagged: report.retagged }),
        ...(report.execution && { execution: report.execution }),
        // Only what the registry confirmed: a run whose deletes all failed reclaimed nothing.
        ...(report.execution && plan && { deleted: confirmedDeletions(plan, report.execution) }),
      };
    }),
  };
}
