import type { CurrentState } from '../../core/retag.js';
import type { DeleteOutcome, Digest, Image, Manifest } from '../../core/types.js';
import { type CallOptions, mapWithConcurrency, type RegistryDriver } from '../driver.js';
import { OciDriver } from '../oci/driver.js';
import type { RetryPolicy } from '../oci/http.js';
import { createGitHubClient, type RateLimitEvent } from './client.js';
import { GitHubPackages, type PackageVersion } from './packages.js';

export interface GhcrDriverOptions {
  /** The user or organisation that owns the packages (`ghcr.io/OWNER/PACKAGE`). */
  readonly owner: string;
  readonly token: string;
  /** Default `https://api.github.com`; `https://HOST/api/v3` on GitHub Enterprise Server. */
  readonly apiUrl?: string;
  /** Default `https://ghcr.io`; manifests are read there. */
  readonly registryUrl?: string;
  /** Reads in flight at once (REST pages are read one after another). */
  readonly concurrency?: number;
  readonly deletesPerMinute?: number;
  /** Points of GitHub's secondary limit any minute may spend (default 880 of 900). */
  readonly pointsPerMinute?: number;
  /** One second of GitHub's waits, in milliseconds (1000; tests shrink it). */
  readonly secondMs?: number;
  readonly onRateLimit?: (event: RateLimitEvent) => void;
  /** How long one request may wait for an answer before it is given up on and retried (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Said when the registry side retries a request that failed on the wire. */
  readonly onWarning?: (message: string) => void;
  /** Retries of the registry side (manifest reads). */
  readonly registryRetry?: RetryPolicy;
}

/**
 * GitHub Container Registry. ghcr.io refuses `DELETE /v2/…/manifests/…` (405 UNSUPPORTED), so
 * the inventory and the deletes go through GitHub's REST API for packages, where every manifest —
 * tagged, untagged, a platform image of an index, an attestation — is a *version*; the manifests
 * themselves are read through ghcr.io's OCI API with a token obtained with the same credentials.
 * A repository here is a package name (`kayron`, `team/app`); its image is `ghcr.io/OWNER/NAME`.
 */
export class GhcrDriver implements RegistryDriver {
  readonly description: string;
  readonly location: string;
  readonly deleteBatchSize: number;
  private readonly packages: GitHubPackages;
  private readonly registry: OciDriver;
  private readonly concurrency: number;
  private readonly owner: string;
  /** Per package, the version id of each digest from the latest listing: what a DELETE names. */
  private readonly versionIds = new Map<string, Map<Digest, number>>();

  constructor(options: GhcrDriverOptions) {
    const registryUrl = options.registryUrl ?? 'https://ghcr.io';
    this.owner = options.owner;
    this.concurrency = options.concurrency ?? 8;
    this.deleteBatchSize = this.concurrency;
    this.description = `GitHub Container Registry ${new URL(registryUrl).host}/${options.owner}`;
    this.location = `${new URL(registryUrl).origin}/${options.owner.toLowerCase()}`;
    this.packages = new GitHubPackages(
      createGitHubClient({
        token: options.token,
        apiUrl: options.apiUrl ?? 'https://api.github.com',
        ...(options.deletesPerMinute !== undefined && { deletesPerMinute: options.deletesPerMinute }),
        ...(options.pointsPerMinute !== undefined && { pointsPerMinute: options.pointsPerMinute }),
        ...(options.secondMs !== undefined && { secondMs: options.secondMs }),
        ...(options.onRateLimit && { onRateLimit: options.onRateLimit }),
        ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
      }),
      options.owner,
    );
    // ghcr.io's token endpoint takes the GitHub token as the password of Basic credentials.
    this.registry = new OciDriver({
      url: registryUrl,
      concurrency: this.concurrency,
      credentials: { username: 'x-access-token', password: options.token },
      ...(options.registryRetry && { retry: options.registryRetry }),
      ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.onWarning && { onWarning: options.onWarning }),
    });
  }

  /** `ghcr.io/acme/api` names the package `api` of `acme`: the host, and the owner as namespace. */
  async referenceHosts(): Promise<readonly string[]> {
    const namespace = this.owner.toLowerCase();
    return (await this.registry.referenceHosts()).map((host) => `${host}/${namespace}`);
  }

  async listRepositories(options: CallOptions = {}): Promise<string[]> {
    return this.packages.listPackages(options);
  }

  /** Every version, with the media type and size its manifest gives (manifests are cached by digest). */
  async listImages(repository: string, options: CallOptions = {}): Promise<Image[]> {
    const versions = await this.listVersions(repository, options);
    const details = await this.registry.manifestDetails(
      this.imageName(repository),
      versions.map((version) => version.digest),
      options,
    );
    return versions.map((version) => {
      const found = details.get(version.digest);
      const manifest = found?.manifest;
      const mediaType = manifest && 'mediaType' in manifest ? manifest.mediaType : undefined;
      const subject = manifest?.kind === 'image' || manifest?.kind === 'index' ? manifest.subject : undefined;
      return {
        digest: version.digest,
        tags: version.tags,
        ...(version.createdAt && { pushedAt: version.createdAt }),
        ...(found && { sizeBytes: found.sizeBytes }),
        ...(mediaType && { mediaType }),
        ...(subject && { subjectDigest: subject }),
      };
    });
  }

  async getManifests(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Map<Digest, Manifest>> {
    return this.registry.getManifests(this.imageName(repository), digests, options);
  }

  /**
   * Deletes the versions of these digests, paced under GitHub's secondary limit by the client. A
   * digest the latest listing does not show is looked for once more; not found, it is already
   * gone. If GitHub says the token may not delete, the rest are not sent.
   */
  async deleteDigests(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<DeleteOutcome[]> {
    const unique = [...new Set(digests)];
    let ids = this.versionIds.get(repository);
    if (ids === undefined || unique.some((digest) => !ids?.has(digest))) {
      await this.listVersions(repository, options);
      ids = this.versionIds.get(repository);
    }
    const deleteOne = async (digest: Digest): Promise<DeleteOutcome> => {
      const id = ids?.get(digest);
      if (id === undefined) return { digest, outcome: 'already-gone' };
      return this.packages.deleteVersion(repository, { id, digest }, options);
    };
    // The first goes alone: if the token may not delete, the others are not sent at all.
    const [first, ...rest] = unique;
    if (first === undefined) return [];
    const outcome = await deleteOne(first);
    if (outcome.outcome === 'failed' && outcome.code === 'MissingPermission')
      return [outcome, ...rest.map((digest) => ({ ...outcome, digest }))];
    return [outcome, ...(await mapWithConcurrency(rest, this.concurrency, deleteOne))];
  }

  /** GitHub lists every version, so one listing answers for any number of digests. */
  async presentDigests(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Set<Digest>> {
    const listed = new Set((await this.listVersions(repository, options)).map((version) => version.digest));
    return new Set(digests.filter((digest) => listed.has(digest)));
  }

  /**
   * What GitHub says now of the doomed digests, for the check before deleting: the package's
   * versions listed again — each asked digest still there with its tags, and every tagged version
   * the listing did not show, so that a manifest pushed since (an index that may name a doomed
   * one) is seen. A digest pushed again since the listing is a new version; its old id is gone.
   */
  async currentState(
    repository: string,
    digests: readonly Digest[],
    options: CallOptions = {},
  ): Promise<Map<Digest, CurrentState>> {
    const asked = new Set(digests);
    const states = new Map<Digest, CurrentState>();
    for (const version of await this.listVersions(repository, options))
      if (asked.has(version.digest) || version.tags.length > 0)
        states.set(version.digest, { tags: version.tags });
    return states;
  }

  private async listVersions(repository: string, options: CallOptions): Promise<PackageVersion[]> {
    const versions = await this.packages.listVersions(repository, options);
    this.versionIds.set(repository, new Map(versions.map((version) => [version.digest, version.id])));
    return versions;
  }

  /** `ghcr.io/Acme/kayron` is stored as `acme/kayron`: image names are lower case. */
  private imageName(repository: string): string {
    return `${this.owner.toLowerCase()}/${repository}`;
  }
}
