import type { LevelWithSilent } from 'pino';
import { checkIntegrity } from '../cleanup/integrity.js';
import { runPass } from '../cleanup/pass.js';
import { defaultConfigFile, handlersOf, resolveConfig, seedRepositories } from '../config/config.js';
import { seedDemoWorkloads } from '../emulator/demo-workloads.js';
import { seedDemoFleet } from '../emulator/fleet.js';
import { EcrEmulator } from '../emulator/server.js';
import { ecrHosts } from '../inuse/hosts.js';
import { InUseReader } from '../inuse/reader.js';
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
    const { accountId, region } = emulator.state;
    const running = seedDemoWorkloads(emulator.workloads, fleet, ecrHosts(accountId, region)[0] as string);
    const client = {
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
    };
    const driver = new EcrDriver(createEcrClient({ region, overrides: client }));
    // What the emulated ECS and Lambda run is read once per pass, as `inUse` in a config would.
    // Their clients are loaded here, not when any other command starts.
    const [{ ecsSource }, { lambdaSource }] = await Promise.all([
      import('../inuse/ecs.js'),
      import('../inuse/lambda.js'),
    ]);
    const inUse = new InUseReader(
      [ecsSource({ region, taskDefinitionRevisions: 5 }, client), lambdaSource({ region }, client)],
      { refreshMs: 0, timeoutMs: 60_000 },
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
        'manifest shared by an old sha index and the newest release. An emulated ECS service runs ' +
        `kayron's oldest release (${running.ecsRelease.tags[0]}) and a Lambda alias alloy's oldest build ` +
        `(${running.lambdaBuild.tags[0]}). The seed deployment runs on it: ` +
        `${plural(handlers.length, 'handler')}, keep 10, drop at most 5 per run, with ECS and Lambda read for what is in use.\n`,
    );

    const colorful = process.stdout.isTTY === true;
    const planPass = inUse.forOnePass();
    const planned = await runPass(driver, handlers, { mode: 'plan', logger, inUse: planPass });
    write(renderReports(planned, { color: colorful, registry, inUse: await planPass.current() }));
    const applyPass = inUse.forOnePass();
    const applied = await runPass(driver, handlers, { mode: 'apply', logger, inUse: applyPass });
    write(renderReports(applied, { color: colorful, registry, inUse: await applyPass.current() }));

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
    const inUseKept = [running.ecsRelease, running.lambdaBuild].every((image) =>
      image.digests.every((digest) => emulator.state.hasImage(image.repository, digest)),
    );
    const succeeded = applied.every((report) => report.success);
    const passed = broken === 0 && sharedKept && inUseKept && succeeded;
    write(
      passed
        ? color.green(
            `✔ every one of the ${indexes} remaining indexes is intact, the platform manifest kayron's newest release shares with a deleted sha image is still there, and so are kayron ${running.ecsRelease.tags[0]} (run by ECS) and alloy ${running.lambdaBuild.tags[0]} (run by Lambda), kept because they are in use.`,
          )
        : color.red('✘ the demo found a problem (see above).'),
    );
    return passed ? 0 : 1;
  } finally {
    await emulator.stop();
  }
}
