/**
 * What the GitHub stand-in knows: owners, their container packages and versions, and tokens. It
 * is kept apart from the HTTP answers (github-api.ts) so that the front of the registry can record
 * pushes into it, as ghcr.io makes every pushed manifest a version.
 */
export interface StandInVersion {
  readonly id: number;
  readonly digest: string;
  tags: string[];
  readonly createdAt: Date;
  /** Only public packages' downloads count for GitHub's 5,000-download rule. */
  downloads: number;
}

export interface StandInPackage {
  visibility: 'public' | 'private';
  readonly versions: Map<string, StandInVersion>;
  /** Which digest each tag is on, so that a moving tag is found without a scan. */
  readonly tagged: Map<string, string>;
}

/** Newest first, as GitHub lists them (a fresh array each time, which callers may keep). */
export function newestFirst(found: StandInPackage): StandInVersion[] {
  return [...found.versions.values()].reverse();
}

export interface StandInOwner {
  readonly type: 'User' | 'Organization';
  readonly packages: Map<string, StandInPackage>;
}

export interface TokenGrant {
  /** A classic token's scopes, which GitHub echoes in `x-oauth-scopes`; absent for GITHUB_TOKEN. */
  readonly scopes?: readonly string[];
  readonly canDelete: boolean;
}

export class GitHubPackagesState {
  readonly owners = new Map<string, StandInOwner>();
  readonly tokens = new Map<string, TokenGrant>();
  /** The time a newly seen digest is stamped with (`created_at`); tests set it before a push. */
  clock: () => Date = () => new Date();
  private nextId = 1000;

  addOwner(name: string, type: StandInOwner['type']): StandInOwner {
    const owner = { type, packages: new Map<string, StandInPackage>() };
    this.owners.set(name.toLowerCase(), owner);
    return owner;
  }

  owner(name: string): StandInOwner | undefined {
    return this.owners.get(name.toLowerCase());
  }

  package(owner: string, name: string): StandInPackage | undefined {
    return this.owner(owner)?.packages.get(name);
  }

  /**
   * A manifest pushed as `owner/name`: a new digest becomes a version stamped with the clock; a
   * known one keeps its times (retagging changes neither `created_at` nor `updated_at`). A tag
   * moves: the version that had it loses it.
   */
  recordPush(owner: string, name: string, digest: string, tag?: string): StandInVersion {
    const holder = this.owner(owner);
    if (holder === undefined) throw new Error(`the stand-in has no owner ${owner}`);
    let found = holder.packages.get(name);
    if (found === undefined) {
      found = { visibility: 'private', versions: new Map(), tagged: new Map() };
      holder.packages.set(name, found);
    }
    let version = found.versions.get(digest);
    if (version === undefined) {
      // GitHub's timestamps have whole seconds.
      const createdAt = new Date(Math.floor(this.clock().getTime() / 1000) * 1000);
      version = { id: this.nextId++, digest, tags: [], createdAt, downloads: 0 };
      found.versions.set(digest, version);
    }
    if (tag !== undefined && !version.tags.includes(tag)) {
      const previous = found.versions.get(found.tagged.get(tag) ?? '');
      if (previous) previous.tags = previous.tags.filter((each) => each !== tag);
      version.tags.push(tag);
      found.tagged.set(tag, digest);
    }
    return version;
  }

  version(owner: string, name: string, digest: string): StandInVersion | undefined {
    return this.package(owner, name)?.versions.get(digest);
  }
}

/** A version as GitHub's REST API returns it. */
export function versionBody(
  baseUrl: string,
  ownerKind: string,
  owner: string,
  name: string,
  version: StandInVersion,
) {
  const encoded = encodeURIComponent(name);
  const stamp = version.createdAt.toISOString().replace('.000Z', 'Z');
  return {
    id: version.id,
    name: version.digest,
    url: `${baseUrl}/${ownerKind}/${owner}/packages/container/${encoded}/versions/${version.id}`,
    package_html_url: `https://github.com/${owner}/packages/container/package/${encoded}`,
    created_at: stamp,
    updated_at: stamp,
    html_url: `https://github.com/${owner}/packages/container/${encoded}/${version.id}`,
    metadata: { package_type: 'container', container: { tags: [...version.tags] } },
  };
}
