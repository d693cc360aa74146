import type { Digest } from '../core/types.js';

/**
 * An image reference as a workload or a list writes it, normalised the way Docker and containerd
 * resolve it: `nginx` is `docker.io/library/nginx`, `index.docker.io/x/y` is `docker.io/x/y`.
 */
export interface ImageReference {
  /** The registry host, lower case, with its port when one is written (`registry.local:5000`). */
  readonly host: string;
  /** The repository within the registry (`team/api`, `library/nginx`). */
  readonly repository: string;
  readonly tag?: string;
  /** When a digest is written it names the image; a tag beside it is only a label (`:v1@sha256:…`). */
  readonly digest?: Digest;
}

/** A reference that cannot be read, with what is wrong with it. */
export class ImageReferenceError extends Error {
  override readonly name = 'ImageReferenceError';
}

const dockerHub = 'docker.io';
/** The names Docker Hub goes by in references; Docker itself writes `docker.io`. */
const dockerHubAliases: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
]);
/** Prefixes container runtimes put before a pulled image's digest in a pod's `imageID`. */
const runtimePrefixes = ['docker-pullable://', 'docker://'];

// From the distribution reference grammar: path components, tags, digests.
const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const sha256Pattern = /^sha256:[0-9a-f]{64}$/;

/** `HOST/REPO:TAG`, `HOST/REPO@sha256:…`, `HOST/REPO:TAG@sha256:…`, or Docker's short forms. */
export function parseImageReference(text: string): ImageReference {
  let rest = text.trim();
  for (const prefix of runtimePrefixes) if (rest.startsWith(prefix)) rest = rest.slice(prefix.length);
  if (rest === '') throw new ImageReferenceError('is empty');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) throw new ImageReferenceError(`has a malformed digest "${digest}"`);
    if (digest.startsWith('sha256:') && !sha256Pattern.test(digest))
      throw new ImageReferenceError(`has a sha256 digest that is not 64 lower-case hex digits: "${digest}"`);
  }
  // A colon after the last slash starts the tag; one before it is a host's port.
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw new ImageReferenceError(`has a malformed tag "${tag}"`);
  }
  const { host, path } = splitHost(rest);
  const components = path.split('/');
  for (const component of components) {
    if (!pathComponent.test(component))
      throw new ImageReferenceError(
        `has a malformed repository "${path}" (lower-case letters, digits and . _ - between them)`,
      );
  }
  const repository = host === dockerHub && components.length === 1 ? `library/${path}` : path;
  return { host, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/**
 * Docker's rule: the first component is a host when it has a dot or a colon, is `localhost`, or
 * has an upper-case letter (repositories never do); otherwise the reference is to Docker Hub.
 */
function splitHost(name: string): { host: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const isHost = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  if (!isHost) return { host: dockerHub, path: name };
  return { host: normalizeHost(first), path: name.slice(slash + 1) };
}

/** Lower case; every name of Docker Hub becomes `docker.io`. */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return dockerHubAliases.has(lower) ? dockerHub : lower;
}

/** The reference as Docker would write it in full: `docker.io/library/nginx:1.27@sha256:…`. */
export function formatReference(reference: ImageReference): string {
  return `${reference.host}/${reference.repository}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`;
}
