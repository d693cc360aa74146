import type { CurrentState } from '../../core/retag.js';
import {
  type DeleteOutcome,
  type Digest,
  type Image,
  legacyMediaTypes,
  type Manifest,
  MediaType,
} from '../../core/types.js';
import { ociHosts } from '../../inuse/hosts.js';
import { BoundedCache, defaultManifestCacheSize } from '../cache.js';
import { type CallOptions, mapWithConcurrency, type RegistryDriver, RegistryError } from '../driver.js';
import { manifestDigest, sha256 } from '../manifest-digest.js';
import { nextLink } from './challenge.js';
import type { Credentials } from './credentials.js';
import { resolveCurrentState } from './current-state.js';
import { type ManifestDetails, readConfigCreated, readManifestDetails } from './details.js';
import { deleteRefusalHint } from './hints.js';
import { OciHttp, type RetryPolicy } from './http.js';

/** Without all four, a registry answers 404 for content stored under a type we did not name. */
const manifestMediaTypes = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
  // Legacy schema 1, so a registry hands it over as it is rather than refusing: never cleaned.
  ...legacyMediaTypes,
];

export interface OciDriverOptions {
  readonly url: string;
  readonly credentials?: Credentials;
  /** Requests in flight at once (per repository operation). */
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  /** How long one request may wait for an answer (default 30 s). */
  readonly requestTimeoutMs?: number;
  readonly onWarning?: (message: string) => void;
}

/**
 * Any registry that speaks the OCI distribution spec. The API has no push time and no listing of
 * untagged manifests, so an image's age is its creation time (the `created` annotation, else the
 * config's `created`; for an index, the newest of its platform images), and the inventory is the
 * tags and everything they reach. Manifests and configs are cached by digest across runs; tags
 * are resolved again every run, because a tag can move.
 */
export class OciDriver implements RegistryDriver {
  readonly description: string;
  readonly location: string;
  readonly deleteBatchSize: number;
  private readonly http: OciHttp;
  private readonly concurrency: number;
  private readonly details = new BoundedCache<Digest, ManifestDetails>(defaultManifestCacheSize);
  private readonly configCreated = new BoundedCache<Digest, Date | undefined>(defaultManifestCacheSize);
  /** Set at the first 404 from the referrers API: the registry does not have it (distribution 2.8). */
  private referrersApiMissing = false;
  /** Set at the first answer of the referrers API. */
  private referrersApiAnswered = false;

  constructor(options: OciDriverOptions) {
    const url = new URL(options.url);
    this.concurrency = options.concurrency ?? 8;
    this.deleteBatchSize = this.concurrency;
    this.description = `OCI registry ${url.origin}`;
    this.location = url.origin;
    this.http = new OciHttp({
      baseUrl: url,
      ...(options.credentials && { credentials: options.credentials }),
      ...(options.retry && { retry: options.retry }),
      ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.onWarning && { onWarning: options.onWarning }),
    });
  }

  async referenceHosts(): Promise<readonly string[]> {
    return ociHosts(this.http.baseUrl.href);
  }

  /** Every repository, from `_catalog`, following its `Link` pages. */
  async listRepositories(options: CallOptions = {}): Promise<string[]> {
    const names: string[] = [];
    let url: URL | undefined = new URL('/v2/_catalog?n=1000', this.http.baseUrl);
    while (url) {
      const response = await this.expectOk(
        url,
        { scope: 'registry:catalog:*', ...options },
        'list repositories',
      );
      names.push(...(((await response.json()) as { repositories?: string[] | null }).repositories ?? []));
      url = nextLink(response.headers.get('link'), url);
    }
    return names;
  }

  async listTags(repository: string, options: CallOptions = {}): Promise<string[]> {
    const tags: string[] = [];
    let url: URL | undefined = new URL(`/v2/${repository}/tags/list`, this.http.baseUrl);
    while (url) {
      const response = await this.expectOk(
        url,
        { scope: pull(repository), ...options },
        `list the tags of ${repository}`,
      );
      // distribution answers {"tags": null} for a repository whose tags are all gone.
      tags.push(...(((await response.json()) as { tags?: string[] | null }).tags ?? []));
      url = nextLink(response.headers.get('link'), url);
    }
    return tags;
  }

  async listImages(repository: string, options: CallOptions = {}): Promise<Image[]> {
    const tags = await this.listTags(repository, options);
    const resolved = await mapWithConcurrency(tags, this.concurrency, async (tag) => ({
      tag,
      digest: await this.resolveTag(repository, tag, options),
    }));
    const tagsByDigest = new Map<Digest, string[]>();
    for (const { tag, digest } of resolved) {
      if (digest !== undefined) tagsByDigest.set(digest, [...(tagsByDigest.get(digest) ?? []), tag]);
    }
    // Everything the tags reach, level by level: indexes name children, children may be indexes.
    // Held here for the run, whatever the bounded cache forgets meanwhile.
    const inventory = new Map<Digest, ManifestDetails | undefined>();
    let level = [...tagsByDigest.keys()];
    while (level.length > 0) {
      const fetched = await mapWithConcurrency(level, this.concurrency, (digest) =>
        this.fetchDetails(repository, digest, options),
      );
      level.forEach((digest, position) => {
        inventory.set(digest, fetched[position]);
      });
      level = [
        ...new Set(
          fetched.flatMap((details) => (details?.manifest.kind === 'index' ? details.manifest.children : [])),
        ),
      ].filter((digest) => !inventory.has(digest));
    }
    const created = new Map<Digest, Date | undefined>();
    await mapWithConcurrency([...inventory.values()], this.concurrency, async (details) => {
      const configDigest = details?.configDigest;
      if (configDigest === undefined || details?.annotatedCreated) return;
      created.set(configDigest, await this.configCreatedTime(repository, configDigest, options));
    });
    const age = (digest: Digest): Date | undefined => {
      const details = inventory.get(digest);
      if (details === undefined) return undefined;
      if (details.annotatedCreated) return details.annotatedCreated;
      if (details.manifest.kind === 'image')
        return details.configDigest === undefined ? undefined : created.get(details.configDigest);
      if (details.manifest.kind !== 'index') return undefined;
      // An index without its own date is as old as its newest platform image.
      const times = details.manifest.children
        .filter((child) => !details.nonPlatformChildren.has(child))
        .map(age)
        .filter((time): time is Date => time !== undefined);
      return times.length === 0 ? undefined : new Date(Math.max(...times.map((time) => time.getTime())));
    };
    return [...inventory].map(([digest, details]) => {
      const pushedAt = age(digest);
      // An unreadable manifest's claimed type is for its blocker only: as the image's type it
      // would pass for a leaf, and the plan would not insist on reading it.
      const manifest = details?.manifest;
      const mediaType = manifest && manifest.kind !== 'unreadable' ? manifest.mediaType : undefined;
      // A referrer with a tag of its own (an SBOM pushed as `sbom-v1`) says what it is about here.
      const subjectDigest = details && 'subject' in details.manifest ? details.manifest.subject : undefined;
      return {
        digest,
        tags: tagsByDigest.get(digest) ?? [],
        ...(pushedAt && { pushedAt }),
        ...(details && { sizeBytes: details.sizeBytes }),
        ...(mediaType && { mediaType }),
        ...(subjectDigest && { subjectDigest }),
      };
    });
  }

  async getManifests(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Map<Digest, Manifest>> {
    const found = new Map<Digest, Manifest>();
    for (const [digest, details] of await this.manifestDetails(repository, digests, options)) {
      found.set(
        digest,
        details?.manifest ?? {
          kind: 'unreadable',
          digest,
          reason: 'the registry does not have it',
          missing: true,
        },
      );
    }
    return found;
  }

  /**
   * What each manifest says beyond the planner's view (size, media type), cached by digest;
   * undefined for a digest the registry does not have. For drivers that list through another API
   * and read manifests here (GitHub's packages on ghcr.io).
   */
  async manifestDetails(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Map<Digest, ManifestDetails | undefined>> {
    const found = new Map<Digest, ManifestDetails | undefined>();
    await mapWithConcurrency([...new Set(digests)], this.concurrency, async (digest) => {
      found.set(digest, await this.fetchDetails(repository, digest, options));
    });
    return found;
  }

  async deleteDigests(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<DeleteOutcome[]> {
    return mapWithConcurrency(
      [...new Set(digests)],
      this.concurrency,
      async (digest): Promise<DeleteOutcome> => {
        const response = await this.http.request(`/v2/${repository}/manifests/${digest}`, {
          method: 'DELETE',
          scope: `repository:${repository}:delete`,
          ...options,
        });
        if (response.status === 202 || response.status === 200 || response.status === 204) {
          await response.body?.cancel();
          return { digest, outcome: 'deleted' };
        }
        if (response.status === 404) {
          await response.body?.cancel();
          return { digest, outcome: 'already-gone' };
        }
        const { code, message } = await registryError(response);
        const hint = deleteRefusalHint(this.http.baseUrl, response.status, code);
        return { digest, outcome: 'failed', code, reason: hint ? `${message} — ${hint}` : message };
      },
    );
  }

  /**
   * Referrers from the OCI 1.1 referrers API. A registry without it answers 404 (the spec forbids
   * that answer from one that has it), after which it is not asked again: cosign's tag scheme,
   * which the tag listing shows, is then the only way referrers are found.
   */
  async listReferrers(
    repository: string,
    subjects: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Image[]> {
    if (this.referrersApiMissing) return [];
    const found = await mapWithConcurrency([...new Set(subjects)], this.concurrency, async (subject) => {
      const referrers: Image[] = [];
      let url: URL | undefined = new URL(`/v2/${repository}/referrers/${subject}`, this.http.baseUrl);
      while (url && !this.referrersApiMissing) {
        const response = await this.http.request(url, {
          scope: pull(repository),
          accept: [MediaType.ociIndex],
          ...options,
        });
        if (response.status === 404) {
          await response.body?.cancel();
          this.referrersApiMissing = true;
          break;
        }
        if (!response.ok) throw await failure(response, `list the referrers of ${subject} in ${repository}`);
        this.referrersApiAnswered = true;
        const index = (await response.json()) as {
          manifests?: { digest?: unknown; mediaType?: unknown; size?: unknown }[];
        };
        for (const descriptor of index.manifests ?? []) {
          if (typeof descriptor.digest !== 'string') continue;
          referrers.push({
            digest: descriptor.digest,
            tags: [],
            subjectDigest: subject,
            ...(typeof descriptor.mediaType === 'string' && { mediaType: descriptor.mediaType }),
            ...(typeof descriptor.size === 'number' && { sizeBytes: descriptor.size }),
          });
        }
        url = nextLink(response.headers.get('link'), url);
      }
      return referrers;
    });
    return found.flat();
  }

  /** See resolveCurrentState: what the registry says of the doomed digests right before they go. */
  async currentState(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Map<Digest, CurrentState>> {
    const resolver = {
      concurrency: this.concurrency,
      listTags: (name: string, call: CallOptions) => this.listTags(name, call),
      resolve: (name: string, tag: string, call: CallOptions) => this.headDigest(name, tag, call),
    };
    return resolveCurrentState(resolver, repository, digests, options);
  }

  /** The digest a tag names now (`Docker-Content-Digest` of a HEAD); undefined when the tag is gone. */
  private async headDigest(
    repository: string,
    reference: string,
    options: CallOptions,
  ): Promise<Digest | undefined> {
    const { found, digest } = await this.head(repository, reference, options);
    if (!found) return undefined;
    if (digest !== undefined) return digest;
    // A registry that names no digest on HEAD: read the manifest and hash it, as the listing does.
    return (await this.getManifest(repository, reference, options))?.computed;
  }

  /** A HEAD of a manifest: whether the registry has it, and the digest it names. */
  private async head(repository: string, reference: string, options: CallOptions) {
    const response = await this.http.request(`/v2/${repository}/manifests/${reference}`, {
      method: 'HEAD',
      scope: pull(repository),
      accept: manifestMediaTypes,
      ...options,
    });
    await response.body?.cancel();
    if (response.status === 404) return { found: false };
    if (!response.ok)
      throw new RegistryError(
        `HEAD ${reference} in ${repository}: HTTP ${response.status}`,
        `HTTP${response.status}`,
      );
    return { found: true, digest: response.headers.get('docker-content-digest') ?? undefined };
  }

  referrerVisibility(): 'referrers-api' | 'tags' | 'not-yet-known' {
    if (this.referrersApiMissing) return 'tags';
    return this.referrersApiAnswered ? 'referrers-api' : 'not-yet-known';
  }

  /** The subset of `digests` the repository holds, asked of the registry (no cache). */
  async presentDigests(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Set<Digest>> {
    const present = new Set<Digest>();
    await mapWithConcurrency([...new Set(digests)], this.concurrency, async (digest) => {
      if ((await this.head(repository, digest, options)).found) present.add(digest);
    });
    return present;
  }

  /**
   * A manifest by tag or digest: its bytes, the digest they hash to, and the digest the registry
   * names for them; undefined when the registry does not have it.
   */
  private async getManifest(repository: string, reference: string, options: CallOptions) {
    const response = await this.http.request(`/v2/${repository}/manifests/${reference}`, {
      scope: pull(repository),
      accept: manifestMediaTypes,
      ...options,
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw await failure(response, `read the manifest ${reference} of ${repository}`);
    const body = await bodyText(response);
    const contentType = response.headers.get('content-type') ?? undefined;
    return {
      text: body.toString('utf8'),
      computed: manifestDigest(body, contentType),
      named: response.headers.get('docker-content-digest'),
      contentType,
    };
  }

  /**
   * The digest a tag points to now; undefined when the tag vanished since the listing. One GET
   * answers both what the tag points to and what that manifest says (a HEAD and then a GET would
   * be two requests for every new image).
   */
  private async resolveTag(
    repository: string,
    tag: string,
    options: CallOptions,
  ): Promise<Digest | undefined> {
    const manifest = await this.getManifest(repository, tag, options);
    if (manifest === undefined) return undefined;
    // Content that does not hash to the digest named for it is not remembered: reading it by
    // digest later finds the mismatch and blocks the plan.
    if (manifest.named !== null && manifest.named !== manifest.computed) return manifest.named;
    if (!this.details.has(manifest.computed))
      this.remember(manifest.computed, manifest.text, manifest.contentType);
    return manifest.computed;
  }

  private async fetchDetails(
    repository: string,
    digest: Digest,
    options: CallOptions,
  ): Promise<ManifestDetails | undefined> {
    const cached = this.details.get(digest);
    if (cached) return cached;
    const manifest = await this.getManifest(repository, digest, options);
    if (manifest === undefined) return undefined;
    // Content that does not hash to its name is not trusted: it can only protect, never delete.
    if (manifest.computed !== digest || (manifest.named !== null && manifest.named !== digest)) {
      const mediaType = manifest.contentType?.split(';')[0]?.trim();
      return {
        manifest: {
          kind: 'unreadable',
          digest,
          reason: `its content does not match its digest (it hashes to ${manifest.computed})`,
          ...(mediaType && { mediaType }),
        },
        sizeBytes: 0,
        nonPlatformChildren: new Set(),
      };
    }
    return this.remember(digest, manifest.text, manifest.contentType);
  }

  private remember(digest: Digest, text: string, contentType: string | undefined): ManifestDetails {
    const details = readManifestDetails(digest, text, contentType?.split(';')[0]?.trim());
    if (details.manifest.kind !== 'unreadable') this.details.set(digest, details);
    return details;
  }

  /** The creation time in an image config, read once per config digest (configs never change). */
  private async configCreatedTime(
    repository: string,
    configDigest: Digest,
    options: CallOptions,
  ): Promise<Date | undefined> {
    if (this.configCreated.has(configDigest)) return this.configCreated.get(configDigest);
    const response = await this.http.request(`/v2/${repository}/blobs/${configDigest}`, {
      scope: pull(repository),
      ...options,
    });
    if (!response.ok) {
      await response.body?.cancel();
      // A config we cannot read leaves the age unknown: the image is skipped, never deleted.
      return undefined;
    }
    const text = await bodyText(response);
    const created = sha256(text) === configDigest ? readConfigCreated(text.toString('utf8')) : undefined;
    this.configCreated.set(configDigest, created);
    return created;
  }

  private async expectOk(
    url: URL,
    request: { scope: string } & CallOptions,
    what: string,
  ): Promise<Response> {
    const response = await this.http.request(url, request);
    if (!response.ok) throw await failure(response, what);
    return response;
  }
}

function pull(repository: string): string {
  return `repository:${repository}:pull`;
}

async function bodyText(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

/** The distribution spec's error body: `{"errors": [{"code": "NAME_UNKNOWN", "message": "…"}]}`. */
async function registryError(response: Response): Promise<{ code: string; message: string }> {
  const text = await response.text().catch(() => '');
  try {
    const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    if (first?.code) return { code: first.code, message: first.message ?? first.code };
  } catch {
    // Not the spec's error body; report the status.
  }
  return {
    code: `HTTP${response.status}`,
    message: `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
  };
}

async function failure(response: Response, what: string): Promise<RegistryError> {
  const { code, message } = await registryError(response);
  return new RegistryError(`could not ${what}: ${code}: ${message}`, code);
}
