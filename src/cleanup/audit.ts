import { closeSync, openSync, writeSync } from 'node:fs';
import type { Digest, Plan } from '../core/types.js';

/**
 * One line of the audit log: a digest the registry confirmed deleted, and why it went — or an
 * image the rule would have deleted that stays because it is in use, and who uses it.
 */
export interface AuditEntry {
  readonly time: string;
  readonly registry: string;
  readonly action: 'deleted' | 'kept';
  readonly repository: string;
  readonly digest: Digest;
  readonly tags: readonly string[];
  readonly rule: string;
  readonly reason: string;
  readonly bytes: number;
}

export type AuditSink = (entry: Omit<AuditEntry, 'time' | 'registry'>) => void;

/**
 * An append-only JSON-lines file. Each line is written (synchronously) the moment the registry
 * confirms a deletion, so a run killed halfway still leaves a true record of what it did.
 */
export function openAuditLog(path: string, registry: string): { write: AuditSink; close(): void } {
  const descriptor = openSync(path, 'a');
  return {
    write: (entry) => {
      writeSync(descriptor, `${JSON.stringify({ time: new Date().toISOString(), registry, ...entry })}\n`);
    },
    close: () => closeSync(descriptor),
  };
}

/** For each digest a plan deletes: its tags, the reason it goes, and its bytes. */
export function auditDetails(plan: Plan): Map<Digest, { tags: string[]; reason: string; bytes: number }> {
  const tagsOf = new Map(plan.decisions.map((decision) => [decision.image.digest, [...decision.image.tags]]));
  const reasons = new Map(
    plan.decisions.flatMap((decision) =>
      decision.fate === 'delete' ? [[decision.image.digest, decision.explanation] as const] : [],
    ),
  );
  const details = new Map<Digest, { tags: string[]; reason: string; bytes: number }>();
  for (const group of plan.groups) {
    const rootReason =
      reasons.get(group.rootDigest) ??
      (plan.rule.untaggedOlderThanMs !== undefined
        ? 'an orphan: untagged, nothing tagged reaches it'
        : 'selected');
    for (const member of group.members) {
      if (member.fate !== 'delete' || details.has(member.digest)) continue;
      const reason =
        member.role === 'root'
          ? rootReason
          : `${member.role === 'referrer' ? 'a referrer' : 'part'} of ${group.tag}, which goes (${rootReason})`;
      details.set(member.digest, { tags: tagsOf.get(member.digest) ?? [], reason, bytes: member.sizeBytes });
    }
  }
  return details;
}
