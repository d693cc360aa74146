import type { HandlerReport } from '../cleanup/handler.js';

/**
 * The report as one JSON document for scripts: per handler, every image's fate and reason, each
 * digest group with what it deletes and what it keeps, and what the run did.
 */
export function reportsToJson(reports: readonly HandlerReport[], registry: string): unknown {
  return {
    mode: reports[0]?.mode ?? 'plan',
    registry,
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
            tag: group.tag,
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
      };
    }),
  };
}
