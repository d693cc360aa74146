import { seedRepositories } from '../../src/config/config.js';

/** A tagged image of a seeded fleet, as the tests know it independently of the tool. */
export interface FleetImage {
  readonly repository: string;
  readonly tags: readonly string[];
  /** Push time (ECR) or creation time (OCI); undefined when the image has none. */
  readonly pushedAt?: Date;
  /** Every digest the image consists of: itself, then its children. */
  readonly digests: readonly string[];
}

/** `tags: sha` as the tool means it: a commit hash, 7 to 64 hex digits (not the seed's bare prefixes). */
const isCommitHash = (tag: string) => /^[0-9a-f]{7,64}$/.test(tag);
const isRelease = (tag: string) => tag.startsWith('v');

/**
 * The seed's algorithm written again as plainly as possible, to check the tool against: per
 * repository and tag family, the oldest min(5, n − 10) single-tag, dated images go with their
 * children, except digests that an image which stays still consists of.
 */
export function expectedDeletions(images: readonly FleetImage[], keep = 10, drop = 5): Set<string> {
  const removed: FleetImage[] = [];
  for (const repository of seedRepositories) {
    for (const family of [isCommitHash, isRelease]) {
      const candidates = images
        .filter((image) => image.repository === repository && image.tags.length === 1 && image.pushedAt)
        .filter((image) => family(image.tags[0] ?? ''))
        .sort(
          (left, right) =>
            (left.pushedAt?.getTime() ?? 0) - (right.pushedAt?.getTime() ?? 0) ||
            ((left.tags[0] ?? '') < (right.tags[0] ?? '') ? -1 : 1),
        );
      removed.push(...candidates.slice(0, Math.min(drop, Math.max(0, candidates.length - keep))));
    }
  }
  const staying = images.filter((image) => !removed.includes(image));
  const needed = new Set(
    staying.flatMap((image) => image.digests.map((digest) => `${image.repository}@${digest}`)),
  );
  return new Set(
    removed
      .flatMap((image) => image.digests.map((digest) => `${image.repository}@${digest}`))
      .filter((key) => !needed.has(key)),
  );
}
