import { parseListenAddress } from '../daemon/server.js';
import { seedDemoFleet } from '../emulator/fleet.js';
import { EcrEmulator } from '../emulator/server.js';

/**
 * `janitor emulator`: the ECR emulator as a process of its own, optionally seeded with the demo
 * fleet, so `plan`, `apply` and `daemon` can be tried through AWS_ENDPOINT_URL_ECR without AWS.
 */
export async function runEmulator(options: { listen: string; seed: string }): Promise<number> {
  if (options.seed !== 'demo' && options.seed !== 'none') {
    process.stderr.write(`--seed must be demo or none, got "${options.seed}"\n`);
    return 2;
  }
  let address: ReturnType<typeof parseListenAddress>;
  try {
    address = parseListenAddress(options.listen, '--listen');
  } catch (error) {
    // Bad input, as for the daemon's --metrics-addr: exit 2.
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const emulator = await EcrEmulator.start({ host: address.host, port: address.port });
  if (options.seed === 'demo') seedDemoFleet(emulator.state);
  process.stdout.write(
    `ECR emulator listening on ${emulator.endpoint}${options.seed === 'demo' ? ', seeded with the demo fleet' : ''}\n` +
      `  export AWS_ENDPOINT_URL_ECR=${emulator.endpoint} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await emulator.stop();
  return 0;
}
