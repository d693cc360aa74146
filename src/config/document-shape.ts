import type { ConfigProblem } from './errors.js';
import { configSchema } from './schema.js';
import { exampleOf, received } from './wording.js';

/**
 * What is wrong with a file that is not a mapping at all — empty, or a list of rules pasted from
 * the README without the config around it — said with the smallest config that runs, since the
 * schema alone could only say "expected object".
 */
export function documentShapeProblem(input: unknown): ConfigProblem | undefined {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return undefined;
  const smallest = ['registry', 'rules'] as const;
  const example = smallest.map((key) => exampleOf(configSchema.shape[key], key)).join('\n');
  const needs = 'a config needs a `registry:` section';
  const message =
    input === undefined || input === null
      ? `the file is empty: ${needs} and a \`rules:\` list`
      : Array.isArray(input)
        ? `the file is a list: rules go under \`rules:\`, and ${needs} beside them`
        : `the file is ${received(input)}, not a config: ${needs} and a \`rules:\` list`;
  return { path: '', message: `${message}, e.g.\n${example}` };
}
