import type { DeleteOutcome, Digest } from '../../core/types.js';
import { type CallOptions, RegistryError } from '../driver.js';
import { codeOf, explain, failure, headerOf, messageOf, missingScopeMessage, statusOf } from './answers.js';
import type { GitHubClient } from './client.js';

/** One version of a container package: one manifest digest, tagged or not. */
export interface PackageVersion {
  readonly id: number;
  readonly digest: Digest;
  readonly tags: readonly string[];
  /** When GitHub first saw this digest (`created_at`); see the README on why not `updated_at`. */
  readonly createdAt?: Date;
}

/** GitHub's documented maximum page size; 10,000 versions are 100 requests. */
export const versionsPerPage = 100;

type OwnerKind = 'Organization' | 'User';

/**
 * GitHub's REST API for the container packages of one user or organisation (which of the two is
 * asked once). Package names are path parameters, so `team/app` goes as `team%2Fapp`.
 */
export class GitHubPackages {
  private ownerKind: Promise<OwnerKind> | undefined;

  constructor(
    private readonly client: GitHubClient,
    readonly owner: string,
  ) {}

  /** The names of the owner's container packages. */
  async listPackages(options: CallOptions = {}): Promise<string[]> {
    const prefix = await this.prefix(options);
    const names: string[] = [];
    const pages = this.client.paginate.iterator(`GET ${prefix}/packages`, {
      owner: this.owner,
      package_type: 'container',
      per_page: versionsPerPage,
      ...request(options),
    });
    try {
      for await (const page of pages) {
        for (const item of page.data as { name?: unknown }[])
          if (typeof item.name === 'string') names.push(item.name);
      }
    } catch (error) {
      throw failure(error, `list the container packages of ${this.owner}`);
    }
    return names;
  }

  /** Every active version of the package, tagged or not, following GitHub's `Link` pages. */
  async listVersions(packageName: string, options: CallOptions = {}): Promise<PackageVersion[]> {
    const prefix = await this.prefix(options);
    const versions: PackageVersion[] = [];
    const pages = this.client.paginate.iterator(`GET ${prefix}/packages/container/{package_name}/versions`, {
      owner: this.owner,
      package_name: packageName,
      state: 'active',
      per_page: versionsPerPage,
      ...request(options),
    });
    try {
      for await (const page of pages) {
        for (const item of page.data as unknown[]) versions.push(readVersion(item, packageName));
      }
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (statusOf(error) === 404) {
        throw new RegistryError(
          `GitHub has no container package "${packageName}" of ${this.owner} that this token can read: check the name, and that the token can read packages (read:packages, or packages: read for GITHUB_TOKEN)`,
          'PackageNotFound',
          { cause: error },
        );
      }
      throw failure(error, `list the versions of ${this.owner}/${packageName}`);
    }
    return versions;
  }

  /**
   * Deletes one version (its digest and every tag on it). GitHub answers 404 both for a version
   * already gone and for a token that may not delete, so a 404 is followed by a look at the
   * version: still there means the token lacks the permission, and that is said in words.
   */
  async deleteVersion(
    packageName: string,
    version: Pick<PackageVersion, 'id' | 'digest'>,
    options: CallOptions = {},
  ): Promise<DeleteOutcome> {
    const prefix = await this.prefix(options);
    const path = `${prefix}/packages/container/{package_name}/versions/{package_version_id}`;
    const parameters = {
      owner: this.owner,
      package_name: packageName,
      package_version_id: version.id,
      ...request(options),
    };
    const digest = version.digest;
    try {
      await this.client.request(`DELETE ${path}`, parameters);
      return { digest, outcome: 'deleted' };
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined) throw failure(error, `delete ${digest} of ${this.owner}/${packageName}`);
      const message = messageOf(error);
      if (status === 404) {
        const scopes = headerOf(error, 'x-oauth-scopes');
        const lacksScope = scopes !== undefined && !scopes.split(/\s*,\s*/).includes('delete:packages');
        if (lacksScope || (await this.getVersion(packageName, version.id, options)) !== undefined)
          return { digest, outcome: 'failed', code: 'MissingPermission', reason: missingScopeMessage };
        return { digest, outcome: 'already-gone' };
      }
      return { digest, outcome: 'failed', code: codeOf(status, message), reason: explain(status, message) };
    }
  }

  /** One version by its id, asked of GitHub now; undefined once it is gone. */
  async getVersion(
    packageName: string,
    id: number,
    options: CallOptions = {},
  ): Promise<PackageVersion | undefined> {
    const prefix = await this.prefix(options);
    try {
      const { data } = await this.client.request(
        `GET ${prefix}/packages/container/{package_name}/versions/{package_version_id}`,
        { owner: this.owner, package_name: packageName, package_version_id: id, ...request(options) },
      );
      return readVersion(data, packageName);
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (statusOf(error) === 404) return undefined;
      throw failure(error, `look up version ${id} of ${this.owner}/${packageName}`);
    }
  }

  /** `/orgs/{owner}` or `/users/{owner}`, from what GitHub says the owner is. */
  private async prefix(options: CallOptions): Promise<string> {
    if (this.ownerKind === undefined) {
      const asking = this.askOwnerKind(options);
      this.ownerKind = asking;
      // A failed look-up is not remembered: the next call asks again.
      asking.catch(() => {
        if (this.ownerKind === asking) this.ownerKind = undefined;
      });
    }
    return (await this.ownerKind) === 'Organization' ? '/orgs/{owner}' : '/users/{owner}';
  }

  private async askOwnerKind(options: CallOptions): Promise<OwnerKind> {
    try {
      const { data } = await this.client.request('GET /users/{owner}', {
        owner: this.owner,
        ...request(options),
      });
      return (data as { type?: unknown }).type === 'Organization' ? 'Organization' : 'User';
    } catch (error) {
      if (statusOf(error) === 404)
        throw new RegistryError(
          `GitHub has no user or organisation named ${this.owner} (registry.owner)`,
          'OwnerNotFound',
          {
            cause: error,
          },
        );
      throw failure(error, `look up the GitHub owner ${this.owner}`);
    }
  }
}

function request(options: CallOptions) {
  return options.signal ? { request: { signal: options.signal } } : {};
}

const digestPattern = /^sha256:[0-9a-f]{64}$/;

/** A version as GitHub lists it; anything unexpected stops the run rather than be guessed at. */
function readVersion(item: unknown, packageName: string): PackageVersion {
  const fields = item as {
    id?: unknown;
    name?: unknown;
    created_at?: unknown;
    metadata?: { container?: { tags?: unknown } };
  };
  if (typeof fields.id !== 'number' || typeof fields.name !== 'string' || !digestPattern.test(fields.name)) {
    throw new RegistryError(
      `GitHub listed a version of ${packageName} without a numeric id and a sha256 digest as its name: ${JSON.stringify(item).slice(0, 200)}`,
      'UnexpectedVersion',
    );
  }
  const tags = fields.metadata?.container?.tags;
  const created = typeof fields.created_at === 'string' ? new Date(fields.created_at) : undefined;
  return {
    id: fields.id,
    digest: fields.name,
    tags: Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [],
    ...(created && !Number.isNaN(created.getTime()) && { createdAt: created }),
  };
}
