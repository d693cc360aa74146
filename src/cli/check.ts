import picomatch from 'picomatch';
import type { LevelWithSilent } from 'pino';
import { discoverHandlers } from '../cleanup/discover.js';
import { checkIntegrity, verdictOf } from '../cleanup/integrity.js';
import { ConfigError } from '../config/errors.js';
import { loadConfigFor } from '../config/load.js';
import { parseDuration } from '../duration.js';
import { createInUseReader } from '../inuse/create.js';
import type { InUseSnapshot } from '../inuse/snapshot.js';
import { createLogger } from '../log.js';
import { createDriver } from '../registry/create.js';
import { mapWithConcurrency, type RegistryDriver } from '../registry/driver.js';
import { checkInUse, worstVerdict } from './check-in-use.js';
import { renderCheck } from './check-render.js';
import { startDeadline } from './deadline.js';
import { palette } from './format.js';
import { implicitSeedBanner } from './once.js';

export interface CheckOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly logLevel: string;
  readonly repository?: readonly string[];
  readonly timeout?: string;
}

/** Exit codes: what `check` found, which is not the same as what it could not look at. */
export const checkExitCodes = { healthy: 0, broken: 1, unknown: 3 } as const;

/**
 * `janitor check`: reads every repository of the config and reports broken indexes, referrers
 * whose subject is gone, and orphans with their bytes — and, with `inUse`, references to the
 * registry that name nothing; deletes nothing. Exits 1 when it found
 * something broken, 3 when it could not read everything (and found nothing broken), 0 when all
 * it read is whole.
 */
export async function runCheck(options: CheckOptions): Promise<number> {
  const logger = createLogger({ level: options.logLevel as LevelWithSilent, destination: 2 });
  const fail = (code: number, message: string): number => {
    process.stderr.write(`${message}\n`);
    if (options.json)
      process.stdout.write(`${JSON.stringify({ verdict: 'error', error: message }, null, 2)}\n`);
    return code;
  };
  let driver: RegistryDriver;
  let repositories: string[];
  let timeoutMs: number;
  let inUse: { current(): Promise<InUseSnapshot> } | undefined;
  try {
    const loaded = await loadConfigFor('read', options.config);
    if (loaded.implicit) process.stderr.write(implicitSeedBanner);
    timeoutMs =
      options.timeout === undefined
        ? loaded.config.schedule.timeoutMs
        : (parseDuration(options.timeout) ?? 0);
    if (timeoutMs < 1_000)
      return fail(2, `--timeout must be a duration such as 90s or 30m, got "${options.timeout}"`);
    driver = await createDriver(loaded.config, { onWarning: (message) => logger.warn(message) });
    const handlers = await discoverHandlers(loaded.config, driver);
    const wanted = options.repository?.length ? picomatch([...options.repository]) : () => true;
    repositories = [...new Set(handlers.map((handler) => handler.repository))].filter((name) => wanted(name));
    inUse = loaded.config.inUse && createInUseReader(loaded.config.inUse).forOnePass();
  } catch (error) {
    if (error instanceof ConfigError) return fail(2, error.message);
    return fail(
      checkExitCodes.unknown,
      `cannot list the registry's repositories: ${(error as Error).message}`,
    );
  }
  const deadline = startDeadline(timeoutMs, 'janitor check');
  const results = await mapWithConcurrency(repositories, 4, async (repository) => {
    try {
      return await checkIntegrity(driver, repository, { signal: deadline.aborting });
    } catch (error) {
      logger.debug({ err: error, repository }, 'could not check the repository');
      const cause = error instanceof Error ? error.message : String(error);
      const reason = deadline.aborting.aborted ? (deadline.aborting.reason as Error).message : undefined;
      return { repository, error: reason ? `${reason}: ${cause}` : cause };
    }
  }).finally(() => deadline.dispose());
  // After the repositories: ECR has said which account it is, so references can be matched.
  const inUseFound = inUse && (await checkInUse(await inUse.current(), driver));
  const verdict = worstVerdict(verdictOf(results), inUseFound?.verdict ?? 'healthy');
  const colorful = process.stdout.isTTY === true;
  process.stdout.write(
    options.json
      ? `${JSON.stringify(
          {
            verdict,
            healthy: verdict === 'healthy',
            repositories: results,
            ...(inUseFound && { inUse: inUseFound.json }),
          },
          null,
          2,
        )}\n`
      : `${renderCheck(results, verdictOf(results), colorful)}${inUseFound ? inUseFound.render(palette(colorful)) : ''}`,
  );
  return checkExitCodes[verdict];
}
