import { createHash } from 'node:crypto';
import type { HandlerSpec } from '../core/types.js';

/** What one scheduled invocation cleans: named repositories, a shard of the config, or all. */
export interface CleanupEvent {
  /** Clean only these repositories (each must be in the config). */
  readonly repositories?: readonly string[];
  /** Clean the repositories whose stable hash falls in this shard: `{ index: 0, count: 4 }`. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** `apply` (default) or `plan` for a dry run. */
  readonly mode?: 'plan' | 'apply';
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
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
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
