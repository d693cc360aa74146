import type { ImageReference } from './reference.js';

/** What a source reports: an image a workload runs or a list names, and who uses it. */
export interface ImageUseText {
  /** As the workload writes it: `123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1`, `nginx`. */
  readonly image: string;
  /** Who, as a reason reads after "in use by": `ecs service prod/api (task definition api:42)`. */
  readonly usedBy: string;
}

/** One use of an image, its reference read. */
export interface ImageUse {
  readonly reference: ImageReference;
  readonly usedBy: string;
}

/**
 * A place images in use are read from: an ECS account and region, a Kubernetes cluster, a list.
 * `read` returns every use or throws: a source read in part would protect only part of what runs.
 */
export interface InUseSource {
  /** Names the source in reasons and errors: `ecs us-east-1 (profile prod)`. */
  readonly name: string;
  read(signal: AbortSignal): Promise<ImageUseText[]>;
}

export interface SourceFailure {
  readonly source: string;
  readonly error: string;
}

/** Everything the sources said at one moment: what runs, and which sources could not be read. */
export interface InUseSnapshot {
  readonly readAt: Date;
  readonly sources: readonly string[];
  readonly uses: readonly ImageUse[];
  /** Any failure blocks every handler: a workload of an unread source may run any image. */
  readonly failures: readonly SourceFailure[];
  /** Images a workload names that are no image reference (they pull nothing), for `check`. */
  readonly malformed: readonly (ImageUseText & { readonly source: string; readonly error: string })[];
}
