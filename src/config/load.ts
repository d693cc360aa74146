import { access, readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { type Config, defaultConfigFile, problemsOfParts, resolveConfig } from './config.js';
import { documentShapeProblem } from './document-shape.js';
import { ConfigError } from './errors.js';
import { placed } from './places.js';
import { configSchema } from './schema.js';
import { schemaProblems } from './schema-problems.js';
import { describeIssue } from './wording.js';

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

/**
 * Parses and validates a config, reporting every problem at once in the order of the file: the
 * schema's, and those across rules (duplicate handlers, what the registry type does not support)
 * over every part that is valid by itself, so that fixing one problem never reveals another.
 */
export function parseConfig(text: string, source: string): Config {
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      document.errors.map((error) => ({
        path: '',
        message: `is not valid YAML: ${error.message.split('\n')[0]}`,
      })),
    );
  }
  const input: unknown = document.toJS();
  const shape = documentShapeProblem(input);
  if (shape !== undefined) throw new ConfigError(source, [shape]);
  const result = configSchema.safeParse(input, { error: describeIssue });
  const problems = [...schemaProblems(result.error?.issues ?? [], input), ...problemsOfParts(input)];
  if (!result.success || problems.length > 0)
    throw new ConfigError(source, placed(problems, document, lines));
  return resolveConfig(result.data, source);
}
