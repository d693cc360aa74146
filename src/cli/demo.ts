import type { LevelWithSilent } from 'pino';
import { checkIntegrity } from '../cleanup/integrity.js';
import { runPass } from '../cleanup/pass.js';
import { defaultConfigFile, handlersOf, resolveConfig, seedRepositories } from '../config/config.js';
import { seedDemoFleet } from '../emulator/fleet.js';
import { EcrEmulator } from '../emulator/server.js';
import { createLogger } from '../log.js';
import { createEcrClient } from '../registry/ecr/client.js';
import { EcrDriver } from '../registry/ecr/driver.js';
import { palette, plural } from './format.js';
import { renderReports } from './render.js';

/**
 * The main job on its embedded default, for someone without an AWS account: the seed deployment
 * against an in-process ECR emulator seeded with a realistic fleet, through the real AWS SDK.
 */
export async function runDemo(options: { logLevel: string }): Promise<number> {
  const color = palette(process.stdout.isTTY === true);
  const write = (text: string) => process.stdout.write(`${text}\n`);
  const emulator = await EcrEmulator.start();
  try {
    const fleet = seedDemoFleet(emulator.state);
    const driver = new EcrDriver(
      createEcrClient({
        region: 'us-east-1',
        overrides: {
          endpoint: emulator.endpoint,
          credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
        },
      }),
    );
    const handlers = handlersOf(resolveConfig(defaultConfigFile, 'built-in default'));
    const logger = createLogger({ level: options.logLevel as LevelWithSilent, destination: 2 });
    const registry = `the ECR emulator at ${emulator.endpoint}`;
    write(color.bold('registry-janitor demo'));
    write(
      `An ECR emulator now holds ${plural(fleet.images.length, 'tagged image')} in ${seedRepositories.join(', ')}: ` +
        'multi-arch indexes with attestations (sha tags), Docker manifest lists and single images (v tags), ' +
        'an image with two tags, a `nightly` tag no rule matches, a `cache` tag that only looks like a commit hash, ' +
        'an untagged orphan, and in kayron a platform ' +
        'manifest shared by an old sha index and the newest release. The seed deployment runs on it: ' +
        `${plural(handlers.length, 'handler')}, keep 10, drop at most 5 per run.\n`,
    );

    const planned = await runPass(driver, handlers, { mode: 'plan', logger });
    write(renderReports(planned, { color: process.stdout.isTTY === true, registry }));
    const applied = await runPass(driver, handlers, { mode: 'apply', logger });
    write(renderReports(applied, { color: process.stdout.isTTY === true, registry }));

    let indexes = 0;
    let broken = 0;
    for (const repository of seedRepositories) {
      const report = await checkIntegrity(driver, repository);
      indexes += report.indexes;
      broken += report.broken.length + report.unreadable.length;
      for (const index of report.broken) {
        write(
          color.red(
            `BROKEN ${repository}@${index.digest} (${index.tags.join(', ')}): missing ${index.missingChildren.join(', ')}`,
          ),
        );
      }
    }
    const shared = fleet.sharedChild;
    const sharedKept = emulator.state.hasImage(shared.repository, shared.digest);
    const succeeded = applied.every((report) => report.success);
    write(
      broken === 0 && sharedKept && succeeded
        ? color.green(
            `✔ every one of the ${indexes} remaining indexes is intact, and the platform manifest kayron's newest release shares with a deleted sha image is still there.`,
          )
        : color.red('✘ the demo found a problem (see above).'),
    );
    return broken === 0 && sharedKept && succeeded ? 0 : 1;
  } finally {
    await emulator.stop();
  }
}
