import { access, readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Config, defaultConfigFile, resolveConfig } from './config.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { configSchema } from './schema.js';

/** The seed's deployment, by name: five repositories × sha and tag, keep 10, drop 5, 1h ± 1 %. */
export const builtinSeed = 'builtin:seed';
/** Looked for in the working directory when neither --config nor JANITOR_CONFIG names a config. */
export const defaultConfigPath = 'janitor.yaml';

/**
 * What a command needs of the config: `change` (apply, daemon, function) deletes, so it runs only
 * on a config someone named — never on repositories the credentials merely happen to reach;
 * `read` (plan, check) may show the seed's deployment when nothing is named, and says so.
 */
export type ConfigPurpose = 'change' | 'read';

export interface LoadedConfig {
  readonly config: Config;
  /** The file, or `builtin:seed`. */
  readonly source: string;
  /** True when nothing was named and a read-only command fell back to the seed's deployment. */
  readonly implicit: boolean;
}

/**
 * The config a command runs on: `--config`, else `JANITOR_CONFIG`, else `./janitor.yaml`, else —
 * for a read-only command — the seed's deployment, flagged `implicit` so the command can say so.
 */
export async function loadConfigFor(
  purpose: ConfigPurpose,
  flag: string | undefined,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<LoadedConfig> {
  const named = flag ?? (environment.JANITOR_CONFIG || undefined) ?? (await existingDefault());
  if (named !== undefined) return { config: await loadConfig(named), source: named, implicit: false };
  if (purpose === 'read')
    return { config: await loadConfig(builtinSeed), source: builtinSeed, implicit: true };
  throw new ConfigError('no config', [
    {
      path: '',
      message:
        `none was given: pass --config FILE, set JANITOR_CONFIG=FILE, or put ${defaultConfigPath} in the ` +
        'working directory (`janitor schema` prints its format). apply, daemon and the function never ' +
        'run without one, so that nothing is deleted from repositories nobody named; ' +
        '`--config builtin:seed` runs the seed deployment (alloy, kayron, server, specta and splits-lite, ' +
        'keep 10, drop 5) on purpose',
    },
  ]);
}

async function existingDefault(): Promise<string | undefined> {
  try {
    await access(defaultConfigPath);
    return defaultConfigPath;
  } catch {
    return undefined;
  }
}

/** Reads, parses and validates a config file, or the seed's deployment by its name `builtin:seed`. */
export async function loadConfig(path: string): Promise<Config> {
  if (path === builtinSeed) return resolveConfig(defaultConfigFile, builtinSeed);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [{ path: '', message: `cannot be read: ${(error as Error).message}` }]);
  }
  return parseConfig(text, path);
}

export function parseConfig(text: string, source: string): Config {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      document.errors.map((error) => ({
        path: '',
        message: `is not valid YAML: ${error.message.split('\n')[0]}`,
      })),
    );
  }
  const result = configSchema.safeParse(document.toJS());
  if (!result.success) throw new ConfigError(source, result.error.issues.map(toProblem));
  return resolveConfig(result.data, source);
}

function toProblem(issue: z.core.$ZodIssue): ConfigProblem {
  const path = issue.path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
  if (issue.code === 'unrecognized_keys') {
    return {
      path,
      message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`,
    };
  }
  return { path: path || '(top level)', message: issue.message };
}
