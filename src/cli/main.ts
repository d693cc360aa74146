import { Command, CommanderError, Option } from 'commander';
import { configJsonSchema } from '../config/json-schema.js';
import { defaultMetricsAddress } from '../daemon/server.js';
import { runCheck } from './check.js';
import { runDaemon } from './daemon.js';
import { runDemo } from './demo.js';
import { runEmulator } from './emulator.js';
import { runOnce } from './once.js';
import { runValidate } from './validate.js';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses the command line and runs a command; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('janitor')
    .description('Keeps container registries lean without ever breaking an image that stays.')
    .version('0.1.0')
    .showHelpAfterError('(run janitor --help for usage)')
    .exitOverride();
  const configOption = () =>
    new Option(
      '-c, --config <file>',
      'YAML config (else $JANITOR_CONFIG, else ./janitor.yaml); builtin:seed names the seed deployment',
    );
  // One-off commands keep stdout for their report; the daemon's output is its log.
  const logOption = (where: 'stderr' | 'stdout' = 'stderr') =>
    new Option('--log-level <level>', `structured logs on ${where} at this level`)
      .choices(logLevels)
      .default('warn');
  const timeoutOption = () =>
    new Option(
      '--timeout <duration>',
      'the longest the whole run may take, such as 30m (default: the config’s schedule.timeout, 15m)',
    );

  const narrowing = (command: Command) =>
    command
      .option('--repository <glob...>', 'only these repositories (names or globs)')
      .option('--rule <name...>', 'only these rules, by name (sha, v, untagged…)')
      .addOption(timeoutOption());
  narrowing(
    program
      .command('plan')
      .description('show what one pass would delete and keep, and why; deletes nothing')
      .addOption(configOption())
      .option('--json', 'print one JSON document instead of tables')
      .addOption(logOption()),
  ).action(async (options) => {
    exitCode = await runOnce('plan', options);
  });
  narrowing(
    program
      .command('apply')
      .description('run one pass over every handler and delete what the plan says')
      .addOption(configOption())
      .option('--json', 'print one JSON document instead of tables')
      .option('--audit-log <file>', 'append one JSON line per deleted digest to this file')
      .addOption(logOption()),
  ).action(async (options) => {
    exitCode = await runOnce('apply', options);
  });
  program
    .command('daemon')
    .description('run every handler on its own jittered schedule, with Prometheus metrics and a health check')
    .addOption(configOption())
    .option(
      '--metrics-addr <host:port>',
      'where /metrics and the health probes (/livez, /readyz, /healthz) listen',
      defaultMetricsAddress,
    )
    .option(
      '--shutdown-timeout <duration>',
      'on SIGTERM/SIGINT, the longest to wait for runs in flight',
      '10s',
    )
    .addOption(logOption('stdout').default('info'))
    .action(async (options) => {
      // Exit explicitly: a run aborted at the end of the grace period may still hold sockets open.
      process.exit(await runDaemon(options));
    });
  program
    .command('check')
    .description(
      'read the registry and report broken indexes, referrers of missing images and orphans; deletes nothing',
    )
    .addOption(configOption())
    .option('--json', 'print one JSON document instead of a table')
    .option('--repository <glob...>', 'only these repositories (names or globs)')
    .addOption(timeoutOption())
    .addOption(logOption())
    .action(async (options) => {
      exitCode = await runCheck(options);
    });
  program
    .command('validate')
    .description('check a config file and print every problem with its path')
    .addOption(configOption())
    .action(async (options) => {
      exitCode = await runValidate(options);
    });
  program
    .command('schema')
    .description('print the JSON Schema of the config file (for editor completion)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
  program
    .command('demo')
    .description(
      'plan and apply the seed deployment against an in-process ECR emulator (no AWS account needed)',
    )
    .addOption(logOption())
    .action(async (options) => {
      exitCode = await runDemo(options);
    });

  program
    .command('emulator')
    .description('serve the ECR emulator (for trying the tool without AWS; not for production)')
    .option('--listen <host:port>', 'where to listen', '127.0.0.1:4566')
    .option('--seed <fleet>', 'demo (the demo fleet) or none', 'demo')
    .action(async (options) => {
      exitCode = await runEmulator(options);
    });

  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return exitCode;
}
