import type { Blocker, Digest } from '../core/types.js';

/**
 * What a cleanup run tells whoever watches it, as it happens: its plan's blockers once planned, then
 * each digest as the registry confirms it deleted or refuses it. The daemon's counters listen here,
 * so a run cut off at its deadline is still counted for what it did before.
 */
export type CleanupEvent =
  | { readonly kind: 'planned'; readonly repository: string; readonly blockers: readonly Blocker[] }
  | {
      readonly kind: 'deleted';
      readonly repository: string;
      readonly digest: Digest;
      readonly bytes: number;
      /** The digest is an image the rule selected (a group's root), not a child or referrer of one. */
      readonly image: boolean;
    }
  | {
      readonly kind: 'delete-failed';
      readonly repository: string;
      readonly digest: Digest;
      readonly code: string;
    };
