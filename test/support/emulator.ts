import type { ECRClient } from '@aws-sdk/client-ecr';
import { EcrEmulator } from '../../src/emulator/server.js';
import { createEcrClient } from '../../src/registry/ecr/client.js';
import { EcrDriver } from '../../src/registry/ecr/driver.js';

export interface EmulatedEcr {
  readonly emulator: EcrEmulator;
  readonly client: ECRClient;
  readonly driver: EcrDriver;
  /** The environment a `janitor` child process needs to reach this emulator through the SDK. */
  readonly environment: Record<string, string>;
}

/** The ECR emulator on a free loopback port, and our driver talking to it through the real SDK. */
export async function startEmulatedEcr(): Promise<EmulatedEcr> {
  const emulator = await EcrEmulator.start();
  const client = createEcrClient({
    region: 'us-east-1',
    overrides: { endpoint: emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
  });
  const environment = {
    AWS_ENDPOINT_URL_ECR: emulator.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  return { emulator, client, driver: new EcrDriver(client), environment };
}

/** Every manifest the emulator holds, as `repository@digest`, sorted: what a test compares. */
export function inventoryOf(ecr: EmulatedEcr): string[] {
  return ecr.emulator.state
    .repositories()
    .flatMap((repository) =>
      ecr.emulator.state.listImages(repository).map((image) => `${repository}@${image.digest}`),
    )
    .sort();
}
