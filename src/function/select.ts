import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { HandlerSpec } from '../core/types.js';

/**
 * What one scheduled invocation cleans: named repositories, a shard of the config, or all. Strict:
 * a misspelt key (`Mode`, `repository`) must not silently widen a run to everything, for real.
 */
export const cleanupEventSchema = z.strictObject({
  /** Clean only these repositories (each must be in the config). */
  repositories: z.array(z.string().min(1)).min(1).optional(),
  /** Clean the repositories whose stable hash falls in this shard: `{ index: 0, count: 4 }`. */
  shard: z.strictObject({ index: z.int().min(0), count: z.int().min(1) }).optional(),
  /** `apply` (default) or `plan` for a dry run. */
  mode: z.enum(['plan', 'apply']).optional(),
});

export type CleanupEvent = z.infer<typeof cleanupEventSchema>;

/** The event as given, or an error naming every field that is wrong. */
export function parseCleanupEvent(event: unknown): CleanupEvent {
  const result = cleanupEventSchema.safeParse(event ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.join('.') || '(event)';
    return issue.code === 'unrecognized_keys'
      ? `${where}: unknown key ${issue.keys.join(', ')}`
      : `${where}: ${issue.message}`;
  });
  throw new Error(`invalid event: ${problems.join('; ')}`);
}

/**
 * The handlers one invocation runs. A shard is chosen by a hash of the repository name, so a
 * repository stays in its shard however the config's order changes, and every rule of one
 * repository runs in the same invocation.
 */
export function selectHandlers(handlers: readonly HandlerSpec[], event: CleanupEvent): HandlerSpec[] {
  const configured = new Set(handlers.map((handler) => handler.repository));
  let selected = handlers.filter((handler) => handler.active !== false);
  if (event.repositories !== undefined) {
    const unknown = event.repositories.filter((repository) => !configured.has(repository));
    if (unknown.length > 0) {
      throw new Error(
        `the event names repositories that no rule of the config covers: ${unknown.join(', ')}`,
      );
    }
    const wanted = new Set(event.repositories);
    selected = selected.filter((handler) => wanted.has(handler.repository));
  }
  if (event.shard !== undefined) {
    const { index, count } = event.shard;
    if (index >= count) {
      throw new Error(
        `shard must be { index, count } with 0 ≤ index < count, got ${JSON.stringify(event.shard)}`,
      );
    }
    selected = selected.filter((handler) => shardOf(handler.repository, count) === index);
  }
  return selected;
}

export function shardOf(repository: string, count: number): number {
  return createHash('sha256').update(repository).digest().readUInt32BE(0) % count;
}
