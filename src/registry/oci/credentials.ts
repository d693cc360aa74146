import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** How the config says to authenticate; secrets themselves may live in the environment. */
export interface AuthConfig {
  readonly username?: string;
  readonly password?: string;
  /** Names of environment variables holding the user name and the password. */
  readonly usernameEnv?: string;
  readonly passwordEnv?: string;
  /** A Docker `config.json` to read `auths` from: a path, or true for the default location. */
  readonly dockerConfig?: string | boolean;
}

export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

/**
 * The user name and password for a registry, from the config, the environment variables it
 * names, or a Docker config.json. Never logged: only where they came from is ever reported.
 */
export async function resolveCredentials(
  registryUrl: URL,
  auth: AuthConfig | undefined,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<Credentials | undefined> {
  if (auth === undefined) return undefined;
  const fromEnvironment = (name: string | undefined, what: string) => {
    if (name === undefined) return undefined;
    const value = environment[name];
    if (value === undefined || value === '') {
      throw new CredentialsError(
        `registry.auth.${what}Env names ${name}, but that environment variable is not set`,
      );
    }
    return value;
  };
  const username = auth.username ?? fromEnvironment(auth.usernameEnv, 'username');
  const password = auth.password ?? fromEnvironment(auth.passwordEnv, 'password');
  if (username !== undefined || password !== undefined) {
    if (username === undefined || password === undefined) {
      throw new CredentialsError('registry.auth needs both a username and a password (or neither)');
    }
    return { username, password };
  }
  if (auth.dockerConfig) {
    const path =
      typeof auth.dockerConfig === 'string'
        ? auth.dockerConfig.replace(/^~(?=\/)/, homedir())
        : join(environment.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
    return readDockerConfig(path, registryUrl);
  }
  return undefined;
}

/** The `auths` entry for the registry's host in a Docker config.json (credential helpers are not run). */
async function readDockerConfig(path: string, registryUrl: URL): Promise<Credentials | undefined> {
  let document: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    document = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CredentialsError(`cannot read the Docker config ${path}: ${(error as Error).message}`);
  }
  const auths = document.auths ?? {};
  const entry = Object.entries(auths).find(([key]) => hostOf(key) === registryUrl.host)?.[1];
  if (entry === undefined) return undefined;
  if (entry.username !== undefined && entry.password !== undefined) {
    return { username: entry.username, password: entry.password };
  }
  if (entry.auth !== undefined) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator > 0)
      return { username: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
  }
  throw new CredentialsError(
    `the entry for ${registryUrl.host} in ${path} has no usable auth (credential helpers are not supported)`,
  );
}

/** `https://index.docker.io/v1/`, `registry.example.com:5000` → the host part, as Docker keys auths. */
function hostOf(key: string): string {
  try {
    return new URL(key.includes('://') ? key : `https://${key}`).host;
  } catch {
    return key;
  }
}
