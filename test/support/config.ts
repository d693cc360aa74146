import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';

/** Every problem a config text has, as `path: message`; none when it is valid. */
export function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'janitor.yaml');
  } catch (error) {
    if (error instanceof ConfigError)
      return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw error;
  }
  return [];
}
