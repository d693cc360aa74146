import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's `docker-registry` (CNCF distribution 2.8); `.ci/run` installs it with apt-get. */
const binary = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry';

/**
 * Whether the OCI tests run here. Locally, without the registry installed, they are skipped with a
 * notice; in CI (CI=true) a missing registry fails them, so a broken install can never pass.
 */
export const skipWithoutDistribution = !existsSync(binary) && process.env.CI !== 'true';
if (skipWithoutDistribution) {
  process.stderr.write(
    `\n${binary} is not installed: skipping the OCI tests (apt-get install -y docker-registry)\n\n`,
  );
}

export interface Distribution {
  readonly url: string;
  stop(): Promise<void>;
}

export type DistributionAuth =
  | { readonly htpasswd: string }
  | { readonly token: { realm: string; service: string; issuer: string; rootCertificatePath: string } };

/** A free loopback port, found by letting the kernel pick one. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A real distribution registry on a free loopback port, with a config of our own (deletes on,
 * loopback only — Debian's default config listens everywhere and wants htpasswd).
 */
export async function startDistribution(
  options: {
    auth?: DistributionAuth;
    acceptSchema1?: boolean;
    /** Default true; false makes the registry answer every delete 405 UNSUPPORTED. */
    deletes?: boolean;
  } = {},
): Promise<Distribution> {
  if (!existsSync(binary)) {
    throw new Error(
      `${binary} is missing: install Debian's docker-registry (apt-get install -y docker-registry), as .ci/run does`,
    );
  }
  const directory = await mkdtemp(join(tmpdir(), 'janitor-distribution-'));
  const port = await freePort();
  const auth = options.auth;
  const authConfig =
    auth === undefined
      ? ''
      : 'htpasswd' in auth
        ? `auth:\n  htpasswd:\n    realm: janitor-test\n    path: ${auth.htpasswd}\n`
        : `auth:\n  token:\n    realm: ${auth.token.realm}\n    service: ${auth.token.service}\n    issuer: ${auth.token.issuer}\n    rootcertbundle: ${auth.token.rootCertificatePath}\n`;
  const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(directory, 'data')}
  delete:
    enabled: ${options.deletes ?? true}
http:
  addr: 127.0.0.1:${port}
${authConfig}${options.acceptSchema1 ? 'compatibility:\n  schema1:\n    enabled: true\n' : ''}`;
  await writeFile(join(directory, 'config.yml'), config);
  const child: ChildProcess = spawn(binary, ['serve', join(directory, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited at start: ${stderr}`);
    try {
      const response = await fetch(`${url}/v2/`);
      await response.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${url}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
