import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { parseConfig } from '../../src/config/load.js';

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Every ```yaml block of the README: whole configs as they are, rule snippets inside a config. */
async function readmeExamples(): Promise<{ text: string; config: unknown }[]> {
  const readme = await read('README.md');
  return [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => {
    const text = match[1] as string;
    const document = parse(text);
    const config = Array.isArray(document) ? { registry: { type: 'ecr' }, rules: document } : document;
    return { text, config };
  });
}

describe('the committed JSON Schema', () => {
  it('is the one generated from the validator’s schema (regenerate: janitor schema > schema/janitor-config.schema.json)', async () => {
    expect(JSON.parse(await read('schema/janitor-config.schema.json'))).toEqual(configJsonSchema());
  });

  it('accepts every configuration example of the README, as the validator itself does', async () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(
      JSON.parse(await read('schema/janitor-config.schema.json')),
    );
    const examples = (await readmeExamples()).filter(
      (example) => typeof example.config === 'object' && example.config !== null && 'rules' in example.config,
    );
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const example of examples) {
      expect(validate(example.config), `${example.text}\n${JSON.stringify(validate.errors)}`).toBe(true);
      expect(() => parseConfig(JSON.stringify(example.config), 'README example'), example.text).not.toThrow();
    }
  });

  it('rejects what it can express: an unknown key, a keep below 1', () => {
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    expect(
      validate({
        registry: { type: 'ecr' },
        rules: [{ repositories: ['a'], tags: 'sha', keep: 10, drop: 5, kep: 1 }],
      }),
    ).toBe(false);
    expect(
      validate({
        registry: { type: 'ecr' },
        rules: [{ repositories: ['a'], tags: 'sha', keep: 0, drop: 5 }],
      }),
    ).toBe(false);
  });
});
