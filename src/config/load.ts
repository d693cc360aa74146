import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Config, defaultConfigFile, resolveConfig } from './config.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { configSchema } from './schema.js';

/** Reads, parses and validates a config file, or returns the seed's deployment when none is given. */
export async function loadConfig(path: string | undefined): Promise<Config> {
  if (path === undefined) return resolveConfig(defaultConfigFile, 'built-in default');
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
