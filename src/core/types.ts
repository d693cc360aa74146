/**
 * The domain of registry-janitor: what a registry holds, what a rule asks for, and the plan that
 * says for every image what happens to it and why. Everything here is plain data, so a plan can be
 * printed, asserted on in tests, logged by the daemon and executed by the same code.
 */

/** A content digest such as `sha256:4f1c…`, the only identity a manifest has. */
export type Digest = string;

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

export const indexMediaTypes: ReadonlySet<string> = new Set([
  MediaType.ociIndex,
  MediaType.dockerManifestList,
]);
export const singleManifestMediaTypes: ReadonlySet<string> = new Set([
  MediaType.ociManifest,
  MediaType.dockerManifest,
]);
/**
 * Docker's legacy schema 1 manifests: they name layers, never other manifests, and are signed, so
 * their bytes do not hash to their digest. Nothing can depend on them through them; the tool never
 * deletes them (a human decides), and they never stop the rest of a repository from being cleaned.
 */
export const legacyMediaTypes: ReadonlySet<string> = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

/** `application/vnd.oci.image.index.v1+json; charset=utf-8` → the type alone, lower case. */
export function normalizeMediaType(mediaType: string): string {
  let normal = normalized.get(mediaType);
  if (normal === undefined) {
    normal = (mediaType.split(';')[0] ?? mediaType).trim().toLowerCase();
    // A registry uses a handful of media types, asked about for every one of a million images.
    if (normalized.size < 1_000) normalized.set(mediaType, normal);
  }
  return normal;
}

const normalized = new Map<string, string>();

/** One manifest stored in a repository, as the registry lists it. Tags may be empty. */
export interface Image {
  readonly digest: Digest;
  readonly tags: readonly string[];
  readonly pushedAt?: Date;
  readonly sizeBytes?: number;
  /** The manifest's media type when the registry reports it (ECR does); unknown otherwise. */
  readonly mediaType?: string;
  /** For a referrer (signature, SBOM, attestation): the image it is about, when the registry says. */
  readonly subjectDigest?: Digest;
  /** When the image was last pulled, where the registry records it (ECR's lastRecordedPullTime). */
  readonly lastPulledAt?: Date;
  /** ECR's archive storage class: an archived image cannot be pulled, and janitor never deletes it. */
  readonly archived?: boolean;
}

/** A parsed manifest: an index names children, a single image manifest names none. */
export type Manifest =
  | {
      readonly kind: 'index';
      readonly digest: Digest;
      readonly mediaType: string;
      readonly children: readonly Digest[];
      /** OCI 1.1: the image this manifest is about (it is a referrer of it). */
      readonly subject?: Digest;
    }
  | { readonly kind: 'image'; readonly digest: Digest; readonly mediaType: string; readonly subject?: Digest }
  /** A type we do not know that names no children: it stays a leaf, and blocks a run that selects it. */
  | {
      readonly kind: 'unsupported';
      readonly digest: Digest;
      readonly mediaType: string;
      readonly subject?: Digest;
    }
  /** Could not be fetched or parsed: it protects everything it might reach (fail closed). */
  | {
      readonly kind: 'unreadable';
      readonly digest: Digest;
      readonly reason: string;
      /** The media type the registry reported for it, to name in the blocker. */
      readonly mediaType?: string;
      /** The registry says it does not have it (perhaps deleted since it was listed). */
      readonly missing?: boolean;
    };

export type ManifestsByDigest = ReadonlyMap<Digest, Manifest>;

/** A retention rule as the seed defines it: tags by prefix, keep the newest K, drop at most D a run. */
export interface Rule {
  /** Short name used in handler names, e.g. `sha` or `v` (handler `kayron:v`). */
  readonly name: string;
  /** A tag matches when it starts with one of these, or matches one of `globs` or `regexes`… */
  readonly prefixes: readonly string[];
  /** …or is a commit hash: 7 to 64 lower-case hex digits and nothing else (`tags: sha`)… */
  readonly commitHashes?: boolean;
  readonly globs?: readonly string[];
  /** Regular expression sources (JavaScript syntax), tested against the whole tag as written. */
  readonly regexes?: readonly string[];
  /** …and matches none of these globs. */
  readonly exclude?: readonly string[];
  /** Keep conditions: they add to the newest `keep`, they never take away from it. */
  readonly keepYoungerThanMs?: number;
  readonly keepPulledWithinMs?: number;
  /** Globs of tags an image carrying one is never deleted for (`latest`, `prod`, `release-*`). */
  readonly protect?: readonly string[];
  readonly keep: number;
  readonly drop: number;
  /**
   * The circuit breaker: a run that would delete more than this share of the repository's images
   * deletes nothing instead. Undefined switches it off (the config's default is 0.5).
   */
  readonly maxDeleteShare?: number;
  /** Makes this an orphan rule: untagged manifests nothing tagged reaches, older than this. */
  readonly untaggedOlderThanMs?: number;
}

/** One unit of work: a rule applied to one repository, named `<repository>:<rule>`. */
export interface HandlerSpec {
  readonly name: string;
  readonly repository: string;
  readonly rule: Rule;
  /** The seed's `Active()`: false keeps the handler configured but never run. Default true. */
  readonly active?: boolean;
  /** The other rules over the same repository: an image goes only if none of them keeps it. */
  readonly siblings?: readonly HandlerSpec[];
}

export type SkipReason =
  | 'no-tag'
  | 'several-tags'
  | 'no-push-time'
  | 'prefix-mismatch'
  /** `tags: sha` passes over a tag that only starts like a commit hash (`dev`, `cache`, `edge`). */
  | 'not-a-commit-hash'
  /** A tag of a referrer scheme (`sha256-<hex>`, cosign's `.sig`): it goes and stays with its subject. */
  | 'referrer-tag'
  /** A media type the tool never deletes (schema 1). */
  | 'legacy-media-type'
  /** ECR's archive storage class: not pullable, billed 90 days anyway, left to ECR's lifecycle. */
  | 'archived';

/** Skips a person should see in a plan: images that look like the rule's but are left alone. */
export const notableSkipReasons: ReadonlySet<SkipReason> = new Set<SkipReason>([
  'several-tags',
  'no-push-time',
  'not-a-commit-hash',
  'legacy-media-type',
]);

/** Why a candidate stays: one of the newest, a keep condition, another rule, or this run's limit. */
export type KeepReason =
  | 'newest'
  | 'in-use'
  | 'protected'
  | 'young'
  | 'pulled'
  | 'kept-by-another-rule'
  | 'beyond-drop-limit'
  /** Selected, but a tag was pushed onto it between the listing and its deletion (apply only). */
  | 'retagged';

/** An image the rule applies to: exactly one tag, a push time, a matching prefix. */
export interface Candidate {
  readonly image: Image;
  readonly tag: string;
  readonly pushedAt: Date;
}

export type ImageDecision =
  | {
      readonly fate: 'skip';
      readonly image: Image;
      readonly reason: SkipReason;
      readonly explanation: string;
    }
  | {
      readonly fate: 'keep';
      readonly image: Image;
      readonly tag: string;
      readonly reason: KeepReason;
      readonly explanation: string;
    }
  | {
      readonly fate: 'delete';
      readonly image: Image;
      readonly tag: string;
      readonly reason: 'older-than-newest';
      readonly explanation: string;
    };

/** One digest of a group: deleted, or kept because something that stays still needs it. */
export interface GroupMember {
  readonly digest: Digest;
  readonly role: 'root' | 'child' | 'referrer';
  readonly fate: 'delete' | 'keep';
  /** Why a member is kept: the staying image that references it. */
  readonly keptBecause?: string;
  readonly sizeBytes: number;
}

/** What deleting one selected image means: the image (an index or a single manifest) and its children. */
export interface DigestGroup {
  /** The selected image's tag; for an orphan, a label (`untagged sha256:…`) and `untagged` set. */
  readonly tag: string;
  readonly untagged?: boolean;
  /** Why the image goes, and when it was pushed, for tables that show groups without decisions. */
  readonly why?: string;
  readonly pushedAt?: Date;
  readonly rootDigest: Digest;
  readonly rootMediaType: string;
  readonly members: readonly GroupMember[];
  /** Bytes reclaimed by this group's deleted members (an index counts its unique children). */
  readonly bytes: number;
}

/**
 * A digest to delete, and the deleted manifests that point at it and must be gone first: the
 * indexes that name it, and its referrers.
 */
export interface Deletion {
  readonly digest: Digest;
  readonly parents: readonly Digest[];
}

export interface Plan {
  readonly handler: string;
  readonly repository: string;
  readonly rule: Rule;
  /** Number of images the rule applies to (the seed's n). */
  readonly candidateCount: number;
  /** One decision for every tagged image of the repository. */
  readonly decisions: readonly ImageDecision[];
  readonly groups: readonly DigestGroup[];
  /** Deletions in waves: every digest of a wave only after all of its parents in earlier waves. */
  readonly waves: readonly (readonly Deletion[])[];
  readonly bytesReclaimed: number;
  /** When set, nothing is deleted: each entry says why, for a human to look at. */
  readonly blockers: readonly Blocker[];
  readonly untaggedImageCount: number;
}

/**
 * Why a plan deletes nothing. The kind is for machines (metrics, alerts, scripts), so that none of
 * them has to match the wording of the message, which is for people.
 */
export type BlockerKind =
  /** The run would delete more of the repository than `maxDeleteShare` allows. */
  | 'circuit-breaker'
  /** A manifest that might reference what goes could not be fetched or parsed (fail closed). */
  | 'unreadable-manifest'
  /** A selected image is neither an image index nor an image manifest. */
  | 'unsupported-media-type'
  /** An in-use source could not be read completely: what it would show may run anything (fail closed). */
  | 'in-use-source-unread'
  /** The registry's host names are unknown, so which in-use references are its cannot be told. */
  | 'in-use-registry-unknown';

export const blockerKinds: readonly BlockerKind[] = [
  'circuit-breaker',
  'unreadable-manifest',
  'unsupported-media-type',
  'in-use-source-unread',
  'in-use-registry-unknown',
];

export interface Blocker {
  readonly kind: BlockerKind;
  readonly message: string;
}

export type DeleteOutcome =
  | { readonly digest: Digest; readonly outcome: 'deleted' | 'already-gone' }
  | {
      readonly digest: Digest;
      readonly outcome: 'failed';
      /** The registry's own failure code, e.g. ECR's `ImageReferencedByManifestList`. */
      readonly code: string;
      readonly reason: string;
      /** The registry refused because an index still names this digest: worth retrying once it is gone. */
      readonly referencedByLiveIndex?: boolean;
    };
