import { ReferenceGraph } from '../core/graph.js';
import type { Digest, Image } from '../core/types.js';
import { indexMediaTypes, normalizeMediaType } from '../core/types.js';
import type { CallOptions, RegistryDriver } from '../registry/driver.js';

export interface BrokenIndex {
  readonly digest: Digest;
  readonly tags: readonly string[];
  readonly missingChildren: readonly Digest[];
}

export interface IntegrityReport {
  readonly repository: string;
  readonly images: number;
  readonly indexes: number;
  /** Indexes that name a child the repository no longer holds: an image that will not pull. */
  readonly broken: readonly BrokenIndex[];
  /** Indexes whose manifest could not be read: their integrity is unknown. */
  readonly unreadable: readonly { readonly digest: Digest; readonly reason: string }[];
  /** Untagged manifests no tagged image reaches (only registries that list them: ECR). */
  readonly orphans: readonly Digest[];
  readonly orphanBytes: number;
  /** Referrers (signatures, SBOMs) whose subject the repository no longer holds. */
  readonly danglingReferrers: readonly { readonly digest: Digest; readonly subject: Digest }[];
  /** How referrers could be seen here (see RegistryDriver.referrerVisibility). */
  readonly referrers: 'listing' | 'referrers-api' | 'tags' | 'not-yet-known';
}

/** Something found broken: an index missing a child, a referrer of a missing image. */
export function isBroken(report: IntegrityReport): boolean {
  return report.broken.length > 0 || report.danglingReferrers.length > 0;
}

/** A repository read to the end, or one whose verdict is partly unknown (a manifest not readable). */
export function isFullyRead(report: IntegrityReport): boolean {
  return report.unreadable.length === 0;
}

/**
 * The verdict over several repositories: anything found broken says `broken`; otherwise a
 * repository (or a manifest) that could not be read says `unknown` — not broken, not healthy.
 */
export function verdictOf(
  results: readonly (IntegrityReport | { readonly error: string })[],
): 'healthy' | 'broken' | 'unknown' {
  if (results.some((result) => !('error' in result) && isBroken(result))) return 'broken';
  if (results.some((result) => 'error' in result || !isFullyRead(result))) return 'unknown';
  return 'healthy';
}

/**
 * Reads a repository and reports what is wrong with it: indexes missing children, referrers whose
 * subject is gone, and orphans with the bytes they hold. Nothing is changed.
 */
export async function checkIntegrity(
  driver: RegistryDriver,
  repository: string,
  options: CallOptions = {},
): Promise<IntegrityReport> {
  const images = await driver.listImages(repository, options);
  if (driver.listReferrers) {
    // Referrers no tag names, where the registry can tell (the OCI 1.1 API): checked like the rest.
    const known = new Set(images.map((image) => image.digest));
    const found = await driver.listReferrers(
      repository,
      images.filter((image) => image.tags.length > 0).map((image) => image.digest),
      options,
    );
    for (const referrer of found) {
      if (known.has(referrer.digest)) continue;
      known.add(referrer.digest);
      images.push(referrer);
    }
  }
  const indexes = images.filter(
    (image) => image.mediaType === undefined || indexMediaTypes.has(normalizeMediaType(image.mediaType)),
  );
  const manifests = await driver.getManifests(
    repository,
    indexes.map((image) => image.digest),
    options,
  );
  // Whether a child or a subject exists is asked of the registry: an inventory may know it from a cache.
  const graph = new ReferenceGraph(images, manifests);
  const children = [...manifests.values()].flatMap((manifest) =>
    manifest.kind === 'index' ? manifest.children : [],
  );
  const subjects = images.flatMap((image) => graph.subjectOf(image.digest) ?? []);
  const present = await driver.presentDigests(repository, [...children, ...subjects], options);

  const broken: BrokenIndex[] = [];
  const unreadable: { digest: Digest; reason: string }[] = [];
  let indexCount = 0;
  for (const image of indexes) {
    const manifest = manifests.get(image.digest);
    if (manifest === undefined || manifest.kind === 'unreadable') {
      unreadable.push({ digest: image.digest, reason: manifest?.reason ?? 'not returned' });
      continue;
    }
    if (manifest.kind !== 'index') continue;
    indexCount += 1;
    const missingChildren = manifest.children.filter((child) => !present.has(child));
    if (missingChildren.length > 0) broken.push({ digest: image.digest, tags: image.tags, missingChildren });
  }
  const danglingReferrers = images.flatMap((image) => {
    const subject = graph.subjectOf(image.digest);
    return subject !== undefined && !present.has(subject) ? [{ digest: image.digest, subject }] : [];
  });
  const reachable = graph.reachableFrom(
    images.filter((image) => image.tags.length > 0).map((image) => image.digest),
  );
  const orphanImages: Image[] = images.filter(
    (image) => image.tags.length === 0 && !reachable.has(image.digest),
  );
  const orphanBytes = orphanImages
    .filter((image) => !indexMediaTypes.has(normalizeMediaType(image.mediaType ?? '')))
    .reduce((total, image) => total + (image.sizeBytes ?? 0), 0);
  return {
    repository,
    images: images.length,
    indexes: indexCount,
    broken,
    unreadable,
    orphans: orphanImages.map((image) => image.digest),
    orphanBytes,
    danglingReferrers,
    referrers: driver.referrerVisibility?.() ?? 'listing',
  };
}
