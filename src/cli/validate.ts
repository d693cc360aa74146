import { ConfigError } from '../config/errors.js';
import { loadConfigFor } from '../config/load.js';
import { plural } from '../plural.js';

export async function runValidate(options: { config?: string }): Promise<number> {
  try {
    const { config, source } = await loadConfigFor('change', options.config);
    const rules = config.rules.map(
      (configured) =>
        `${configured.rule.name} over ${configured.repositories.join(', ')}${configured.active ? '' : ' (inactive)'}`,
    );
    process.stdout.write(`${source} is valid: ${plural(rules.length, 'rule')} (${rules.join('; ')})\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
