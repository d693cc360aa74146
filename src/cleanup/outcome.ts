import type { Plan } from '../core/types.js';
import type { ExecutionReport } from './execute.js';

export interface Confirmed {
  /** Selected images (groups) whose own digest the registry confirmed deleted. */
  readonly images: number;
  readonly digests: number;
  /** Bytes of the confirmed digests only, each counted once. */
  readonly bytes: number;
}

/**
 * What an apply really did, as opposed to what its plan meant to do: only deletions the registry
 * confirmed count — not digests it refused, not ones someone else had already deleted, not ones a
 * stop left unsent. A run whose every delete failed reclaimed nothing, and says so.
 */
export function confirmedDeletions(plan: Plan, execution: ExecutionReport): Confirmed {
  const deleted = new Set(execution.deleted);
  const sizes = new Map<string, number>();
  for (const group of plan.groups)
    for (const member of group.members)
      if (member.fate === 'delete') sizes.set(member.digest, member.sizeBytes);
  let bytes = 0;
  for (const digest of deleted) bytes += sizes.get(digest) ?? 0;
  return {
    images: plan.groups.filter((group) => deleted.has(group.rootDigest)).length,
    digests: deleted.size,
    bytes,
  };
}
