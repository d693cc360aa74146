import { Document, isScalar, visit } from 'yaml';
import { z } from 'zod';
import { isRecord } from './record.js';

/**
 * The config's error map: every problem the schema does not word itself, said as a person would
 * ("must be a whole number, not 2.5"), from the issue and the schema that raised it, so a field
 * added to the schema is worded without anything written for it. Messages the schema gives win.
 */
export function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return wrongType(issue);
    case 'invalid_value':
      return `must be ${alternatives(issue.values.map(quoted))}, not ${received(issue.input)}`;
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_union':
      return wrongAlternative(issue);
    case 'invalid_format':
      return issue.format === 'regex' ? `does not match the pattern ${issue.pattern}` : undefined;
    default:
      return undefined;
  }
}

function wrongType(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidType>): string {
  const path = issue.path ?? [];
  const schema = issue.inst as z.core.$ZodType | undefined;
  const expected =
    schema === undefined ? expectedWords(issue.expected) : alternatives(describeSchema(schema));
  const yaml = exampleOf(schema, path.at(-1));
  const example = yaml === undefined ? '' : `, e.g.\n${yaml}`;
  if (issue.input === undefined) {
    if (path.length === 1) {
      const kind = issue.expected === 'object' ? 'section' : issue.expected === 'array' ? 'list' : 'value';
      return `a config needs a \`${String(path[0])}:\` ${kind}${example}`;
    }
    return `is required: ${expected}${example}`;
  }
  if (issue.input === null) return `is empty: it must be ${expected}${example}`;
  if (issue.expected === 'int' && typeof issue.input === 'number')
    return `must be a whole number, not ${issue.input}`;
  if (issue.expected === 'array' && typeof issue.input === 'string')
    return `must be a list, such as [${issue.input}], not ${received(issue.input)}`;
  return `must be ${expected}, not ${received(issue.input)}${example}`;
}

function expectedWords(expected: string): string {
  const words: Record<string, string> = {
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: '`true` or `false`',
    array: 'a list',
    object: 'a mapping of keys to values',
  };
  return words[expected] ?? expected;
}

/** The input as a person reads it in the file. */
export function received(input: unknown): string {
  if (input === undefined || input === null) return 'nothing';
  if (typeof input === 'string') return `the text ${JSON.stringify(input)}`;
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return String(input);
}

function tooSmall(issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooSmall>): string | undefined {
  const minimum = Number(issue.minimum);
  if (issue.origin === 'string')
    return minimum === 1 ? 'cannot be empty' : `must be at least ${minimum} characters long`;
  if (issue.origin === 'array')
    return minimum === 1 ? 'cannot be an empty list' : `must list at least ${minimum} entries`;
  if (issue.origin === 'number' || issue.origin === 'int')
    return `must be ${issue.inclusive ? 'at least' : 'above'} ${minimum}, not ${received(issue.input)}`;
  return undefined;
}

function tooBig(issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooBig>): string | undefined {
  const maximum = Number(issue.maximum);
  if (issue.origin === 'string') return `must be at most ${maximum} characters long`;
  if (issue.origin === 'array') return `must list at most ${maximum} entries`;
  if (issue.origin === 'number' || issue.origin === 'int')
    return `must be ${issue.inclusive ? 'at most' : 'below'} ${maximum}, not ${received(issue.input)}`;
  return undefined;
}

/** A discriminated union lists its kinds (the registry types); a plain union describes its options. */
function wrongAlternative(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidUnion>): string {
  if ('discriminator' in issue && typeof issue.discriminator === 'string') {
    const kinds = alternatives(((issue.options as unknown[]) ?? []).map(quoted));
    const given = isRecord(issue.input) ? issue.input[issue.discriminator] : undefined;
    return given === undefined ? `is required: ${kinds}` : `must be ${kinds}, not ${received(given)}`;
  }
  const options = (issue.inst as z.core.$ZodUnion | undefined)?._zod.def.options ?? [];
  return `must be ${alternatives(options.flatMap(describeSchema))}, not ${received(issue.input)}`;
}

/** What a schema accepts, in words, one entry per alternative: `sha`, `tag`, a list… */
function describeSchema(schema: z.core.$ZodType): string[] {
  const definition = schema._zod.def as z.core.$ZodTypeDef & {
    innerType?: z.core.$ZodType;
    options?: readonly z.core.$ZodType[];
    shape?: Record<string, unknown>;
    entries?: Record<string, unknown>;
    values?: readonly unknown[];
    format?: string;
    discriminator?: string;
  };
  if (definition.innerType !== undefined) return describeSchema(definition.innerType);
  if (definition.discriminator !== undefined) {
    const kinds = (definition.options ?? []).flatMap((option) => [
      ...(option._zod.propValues?.[definition.discriminator as string] ?? []),
    ]);
    return [`a mapping with \`${definition.discriminator}:\` ${alternatives(kinds.map(quoted))}`];
  }
  if (definition.options !== undefined) return definition.options.flatMap(describeSchema);
  if (definition.type === 'enum') return Object.values(definition.entries ?? {}).map(quoted);
  if (definition.type === 'literal') return (definition.values ?? []).map(quoted);
  if (definition.type === 'boolean') return ['`true`', '`false`'];
  if (definition.type === 'object') {
    const keys = Object.keys(definition.shape ?? {});
    return [keys.length > 4 ? 'a mapping' : `a mapping of ${alternatives(keys.map(quoted), 'and')}`];
  }
  if (definition.type === 'number' && definition.format?.includes('int')) return ['a whole number'];
  return [expectedWords(definition.type)];
}

function quoted(value: unknown): string {
  return `\`${String(value)}\``;
}

export function alternatives(words: readonly string[], conjunction = 'or'): string {
  if (words.length <= 1) return words[0] ?? 'nothing';
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}

/** The schema's first example of a field, as the YAML to write (`examples` in its metadata). */
export function exampleOf(
  schema: z.core.$ZodType | undefined,
  key: PropertyKey | undefined,
): string | undefined {
  const examples = schema === undefined ? undefined : z.globalRegistry.get(schema)?.examples;
  if (!Array.isArray(examples) || examples.length === 0) return undefined;
  // An item of a list is shown as one (`- repositories: …`), a field with its key.
  return yamlOf(
    typeof key === 'number' ? [examples[0]] : typeof key === 'string' ? { [key]: examples[0] } : examples[0],
  );
}

/** YAML as a person writes it: lists of names on one line (`repositories: [kayron]`). */
export function yamlOf(value: unknown): string {
  const document = new Document(value);
  visit(document, {
    Seq(_key, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return document.toString({ flowCollectionPadding: false }).trimEnd();
}

/** An error map for a field whose kind is best said in its own words ("a duration such as 1h"). */
export function saidAs(words: string): (issue: z.core.$ZodRawIssue) => string | undefined {
  return (issue) => {
    if (issue.code !== 'invalid_type' && issue.code !== 'invalid_union') return undefined;
    return issue.input === undefined
      ? `is required: ${words}`
      : `must be ${words}, not ${received(issue.input)}`;
  };
}
