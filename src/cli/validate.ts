import { handlersOf } from '../config/config.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';

export async function runValidate(options: { config?: string }): Promise<number> {
  try {
    const config = await loadConfig(options.config);
    const handlers = handlersOf(config);
    process.stdout.write(
      `${options.config ?? 'built-in default'} is valid: ${handlers.length} handlers (${handlers.map((handler) => handler.name).join(', ')})\n`,
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
