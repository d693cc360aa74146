import {
  type BuiltManifest,
  buildAttestationManifest,
  buildImageManifest,
  buildIndex,
} from '../../src/emulator/manifests.js';
import { GhcrDriver, type GhcrDriverOptions } from '../../src/registry/ghcr/driver.js';
import { type GhcrFront, startGhcrFront } from './ghcr-front.js';
import { type GitHubApi, type GitHubApiOptions, startGitHubApi } from './github-api.js';
import { GitHubPackagesState } from './github-packages.js';
import { type ImageSpec, OciPusher } from './oci-push.js';

/** Tokens the stand-in knows: one that may delete, one that may only read (a classic token without delete:packages). */
export const deletingToken = 'ghp_test_can_delete';
export const readOnlyToken = 'ghp_test_read_only';
/** Like a workflow's GITHUB_TOKEN: no `x-oauth-scopes`, and (here) no delete permission on the package. */
export const workflowToken = 'ghs_test_workflow_token';
export const testOwner = 'Acme';

export interface GhcrStandIn {
  readonly github: GitHubApi;
  readonly front: GhcrFront;
  readonly state: GitHubPackagesState;
  /** A driver against the stand-in, waiting 1 ms for each second GitHub asks to wait. */
  driver(options?: Partial<GhcrDriverOptions>): GhcrDriver;
  /** Pushes `NAME` as `acme/NAME` through the front, stamping versions with the content's date. */
  readonly pusher: DatedPusher;
  /** The same for the packages of another owner. */
  pusherFor(owner: string): DatedPusher;
  stop(): Promise<void>;
}

/**
 * GitHub's REST API and ghcr.io, stood in for: the stand-in API, and the front over a real
 * `docker-registry` (`backing`) or over manifests held in memory (no `backing`).
 */
export async function startGhcrStandIn(
  backing?: { url: string },
  options: GitHubApiOptions = {},
): Promise<GhcrStandIn> {
  const state = new GitHubPackagesState();
  state.addOwner(testOwner, 'Organization');
  state.addOwner('solo-user', 'User');
  state.tokens.set(deletingToken, { scopes: ['read:packages', 'delete:packages'], canDelete: true });
  state.tokens.set(readOnlyToken, { scopes: ['read:packages'], canDelete: false });
  state.tokens.set(workflowToken, { canDelete: false });
  const github = await startGitHubApi(state, options);
  const front = await startGhcrFront(github, backing);
  return {
    github,
    front,
    state,
    pusher: new DatedPusher(front, state, testOwner),
    pusherFor: (owner) => new DatedPusher(front, state, owner),
    driver: (overrides = {}) =>
      new GhcrDriver({
        owner: testOwner,
        token: deletingToken,
        apiUrl: github.url,
        registryUrl: front.url,
        secondMs: 1,
        registryRetry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
        ...overrides,
      }),
    stop: async () => {
      await front.stop();
      await github.stop();
    },
  };
}

/**
 * Pushes through the front with the stand-in's clock set to when the content says it was made,
 * so that a fleet's versions carry the push times its fixtures intend: an image its config's
 * `created`, an index its `created` annotation, else the time of the images pushed before it.
 */
export class DatedPusher extends OciPusher {
  private readonly namespace: string;

  constructor(
    front: GhcrFront,
    private readonly state: GitHubPackagesState,
    owner: string,
  ) {
    super(front.url, () => front.authorization());
    this.namespace = owner.toLowerCase();
  }

  override async pushImage(repository: string, spec: ImageSpec, tag?: string): Promise<BuiltManifest> {
    if (spec.created) this.setClock(spec.created);
    return super.pushImage(`${this.namespace}/${repository}`, spec, tag);
  }

  override async pushIndex(
    repository: string,
    children: readonly BuiltManifest[],
    options: { format?: 'oci' | 'docker'; annotations?: Record<string, string> } = {},
    tag?: string,
  ): Promise<BuiltManifest> {
    const annotated = options.annotations?.['org.opencontainers.image.created'];
    if (annotated) this.setClock(new Date(annotated));
    return super.pushIndex(`${this.namespace}/${repository}`, children, options, tag);
  }

  override async tag(repository: string, manifest: BuiltManifest, tag: string): Promise<void> {
    return super.tag(`${this.namespace}/${repository}`, manifest, tag);
  }

  private setClock(time: Date): void {
    this.state.clock = () => time;
  }
}

export interface HeldImage {
  readonly tag: string;
  readonly pushedAt: Date;
  /** The index first, then its platform images and attestations. */
  readonly digests: readonly string[];
}

/**
 * Memory mode: `count` multi-arch images in the package `name` — an index, two platform images
 * and their two attestations, five versions each — tagged with hex tags (the `sha` rule's), an
 * hour apart, the newest an hour before `now`.
 */
export function holdMultiArchImages(
  standIn: GhcrStandIn,
  name: string,
  count: number,
  now = new Date(),
): HeldImage[] {
  const held: HeldImage[] = [];
  // GitHub's timestamps have whole seconds.
  const base = Math.floor(now.getTime() / 1000) * 1000;
  for (let index = 0; index < count; index += 1) {
    const pushedAt = new Date(base - (count - index) * 3_600_000);
    standIn.state.clock = () => pushedAt;
    const seed = `${name}/${index}`;
    const platforms = ['amd64', 'arm64'].map((architecture) =>
      buildImageManifest({ seed: `${seed}/${architecture}`, platform: { os: 'linux', architecture } }),
    );
    const attestations = platforms.map((platform, position) =>
      buildAttestationManifest(`${seed}/attestation/${position}`, platform),
    );
    const children = [...platforms, ...attestations];
    const root = buildIndex(children, { compact: true });
    const tag = `${index.toString(16).padStart(6, '0')}c0ffee`;
    for (const child of children) standIn.front.hold(testOwner, name, child.text, child.mediaType);
    standIn.front.hold(testOwner, name, root.text, root.mediaType, tag);
    held.push({ tag, pushedAt, digests: [root.digest, ...children.map((child) => child.digest)] });
  }
  return held;
}
