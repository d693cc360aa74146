import { z } from 'zod';
import { configSchema } from './schema.js';

/**
 * The JSON Schema of the config file, generated from the very schema the validator uses, for
 * editor completion (`# yaml-language-server: $schema=…`). Checks that JSON Schema cannot say —
 * durations, regular expressions that compile, overlapping handlers — are the validator's alone.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://github.com/registry-janitor/registry-janitor/schema/janitor-config.schema.json',
    title: 'registry-janitor configuration',
  };
}
