import type { ExecutionReport } from '../cleanup/execute.js';
import { plural } from '../cli/format.js';
import { type DigestGroup, type GroupMember, indexMediaTypes, normalizeMediaType } from '../core/types.js';

/** What happened to one digest a run set out to delete; `done` when it is gone from the registry. */
export interface Outcome {
  readonly done: boolean;
  readonly text: string;
}

/** Each digest of an `apply` run and what became of it, from the execution report. */
export function outcomesByDigest(execution: ExecutionReport | undefined): ReadonlyMap<string, Outcome> {
  const outcomes = new Map<string, Outcome>();
  if (execution === undefined) return outcomes;
  for (const digest of execution.deleted) outcomes.set(digest, { done: true, text: 'deleted' });
  for (const digest of execution.alreadyGone)
    outcomes.set(digest, { done: true, text: 'already gone (deleted by someone else)' });
  for (const failure of execution.failed)
    outcomes.set(failure.digest, { done: false, text: `failed: ${failure.code}: ${failure.reason}` });
  for (const digest of execution.keptBecauseParentRemained)
    outcomes.set(digest, { done: false, text: 'kept: its parent index could not be deleted' });
  for (const digest of execution.keptBecauseStillReferenced)
    outcomes.set(digest, { done: false, text: 'kept: the registry says an index still references it' });
  for (const digest of execution.notAttempted)
    outcomes.set(digest, { done: false, text: 'not attempted: the run was asked to stop' });
  return outcomes;
}

/** What a member of a group is, as a person says it: the index, an image, a platform image, a signature. */
export function memberRole(member: GroupMember, group: DigestGroup): string {
  if (member.role === 'root') return isIndex(group) ? 'index' : 'image';
  return member.role === 'referrer' ? 'referrer' : 'child';
}

/** `index, 4 children`, `image, 1 referrer`, `image`. */
export function describeGroup(group: DigestGroup): string {
  let children = 0;
  let referrers = 0;
  for (const member of group.members) {
    if (member.role === 'child') children += 1;
    if (member.role === 'referrer') referrers += 1;
  }
  return [
    isIndex(group) ? 'index' : 'image',
    children > 0 && plural(children, 'child', 'children'),
    referrers > 0 && plural(referrers, 'referrer'),
  ]
    .filter(Boolean)
    .join(', ');
}

/** Members that stay although their group goes: something staying still needs them. */
export function keptMembers(group: DigestGroup): GroupMember[] {
  return group.members.filter((member) => member.fate === 'keep');
}

function isIndex(group: DigestGroup): boolean {
  return (
    indexMediaTypes.has(normalizeMediaType(group.rootMediaType)) ||
    group.members.some((member) => member.role === 'child')
  );
}
