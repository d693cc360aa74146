import type { Digest, Image, ManifestsByDigest } from './types.js';

/**
 * Tags that name the digest a referrer is about: cosign's `sha256-<hex>.sig`, `.att` or `.sbom`,
 * and the OCI 1.1 referrers tag schema's bare `sha256-<hex>` — an index of the subject's referrers
 * that registries without the referrers API (distribution 2.8 and many hosted ones) hold instead.
 */
export const referrerTag = /^(sha256)-([0-9a-f]{64})(?:\.(?:sig|att|sbom))?$/;

/**
 * What refers to what in a repository. Two kinds of edges lead from an image to what belongs to
 * it: index → child (a platform or attestation manifest) and subject → referrer (a signature,
 * SBOM or attestation attached through OCI 1.1 `subject`, ECR's `subjectManifestDigest`, cosign's
 * tag scheme, or the referrers tag schema's index, whose entries are then its children). Whatever
 * an image reaches goes with it, and stays while it stays.
 */
export class ReferenceGraph {
  private readonly referrers = new Map<Digest, Digest[]>();
  private readonly subjects = new Map<Digest, Digest>();
  /** The indexes naming each digest, built on first use: only in-use digests walk upwards. */
  private indexesNaming?: Map<Digest, Digest[]>;

  constructor(
    images: readonly Image[],
    private readonly manifests: ManifestsByDigest,
  ) {
    const attach = (referrer: Digest, subject: Digest) => {
      if (referrer === subject || this.subjects.has(referrer)) return;
      this.subjects.set(referrer, subject);
      this.referrers.set(subject, [...(this.referrers.get(subject) ?? []), referrer]);
    };
    for (const image of images) {
      if (image.subjectDigest) attach(image.digest, image.subjectDigest);
      for (const tag of image.tags) {
        const match = referrerTag.exec(tag);
        if (match) attach(image.digest, `${match[1]}:${match[2]}`);
      }
    }
    for (const manifest of manifests.values()) {
      if ('subject' in manifest && manifest.subject) attach(manifest.digest, manifest.subject);
    }
  }

  /** The digests an index names; nothing for an image manifest or a manifest we do not have. */
  childrenOf(digest: Digest): readonly Digest[] {
    const manifest = this.manifests.get(digest);
    return manifest?.kind === 'index' ? manifest.children : [];
  }

  referrersOf(digest: Digest): readonly Digest[] {
    return this.referrers.get(digest) ?? [];
  }

  /** The image a referrer is about, if it is one. */
  subjectOf(digest: Digest): Digest | undefined {
    return this.subjects.get(digest);
  }

  /**
   * What a digest belongs to, one step up: the indexes that name it and, for a referrer, its
   * subject. The reverse of `belongingTo`.
   */
  holdersOf(digest: Digest): readonly Digest[] {
    if (this.indexesNaming === undefined) {
      this.indexesNaming = new Map();
      for (const manifest of this.manifests.values()) {
        if (manifest.kind !== 'index') continue;
        for (const child of manifest.children) {
          const naming = this.indexesNaming.get(child);
          if (naming === undefined) this.indexesNaming.set(child, [manifest.digest]);
          else naming.push(manifest.digest);
        }
      }
    }
    const subject = this.subjects.get(digest);
    const indexes = this.indexesNaming.get(digest) ?? [];
    return subject === undefined ? indexes : [...indexes, subject];
  }

  /** Everything that belongs to a digest: its children and its referrers. */
  belongingTo(digest: Digest): readonly Digest[] {
    return [...this.childrenOf(digest), ...this.referrersOf(digest)];
  }

  /**
   * Everything reachable from `roots` (the roots included), to any depth. Returns, for each reached
   * digest, the root it was first reached from, so a kept digest can say which image needs it.
   */
  reachableFrom(roots: Iterable<Digest>, options: { withSubjects?: boolean } = {}): Map<Digest, Digest> {
    const reachedFrom = new Map<Digest, Digest>();
    const pending: Array<[Digest, Digest]> = [];
    for (const root of roots) pending.push([root, root]);
    while (pending.length > 0) {
      const [digest, root] = pending.pop() as [Digest, Digest];
      if (reachedFrom.has(digest)) continue;
      reachedFrom.set(digest, root);
      const next = [...this.belongingTo(digest)];
      // What must stay also keeps the image a staying referrer is about: it would point at nothing.
      const subject = options.withSubjects ? this.subjectOf(digest) : undefined;
      if (subject !== undefined) next.push(subject);
      for (const digestNext of next) if (!reachedFrom.has(digestNext)) pending.push([digestNext, root]);
    }
    return reachedFrom;
  }
}
