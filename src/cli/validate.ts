import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';

export async function runValidate(options: { config?: string }): Promise<number> {
  try {
    const config = await loadConfig(options.config);
    const rules = config.rules.map(
      (configured) =>
        `${configured.rule.name} over ${configured.repositories.join(', ')}${configured.active ? '' : ' (inactive)'}`,
    );
    process.stdout.write(
      `${options.config ?? 'built-in default'} is valid: ${rules.length} rules (${rules.join('; ')})\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
