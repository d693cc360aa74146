import type { z } from 'zod';
import type { ConfigProblem } from './errors.js';
import { pathText } from './places.js';
import { configSchema } from './schema.js';
import { alternatives } from './wording.js';

/**
 * One problem per unknown key, at its full path, with the key the person most likely meant: the
 * closest of the keys the schema allows at that place, else the place in the schema where that key
 * belongs (`keep` written at the top of the file belongs in a rule), else the keys allowed there.
 */
export function unknownKeyProblems(issue: z.core.$ZodIssueUnrecognizedKeys, input: unknown): ConfigProblem[] {
  const place = placeAt(issue.path, input);
  const allowed = place === undefined ? [] : Object.keys(place.shape);
  return issue.keys.map((key) => {
    const path = pathText([...issue.path, key]);
    const closest = closestKey(key, allowed);
    if (closest !== undefined) return { path, message: `unknown key: did you mean \`${closest}\`?` };
    const elsewhere = keyPlaces()
      .filter((candidate) => candidate.key === key && candidate.label !== place?.label)
      .map((candidate) => describePlace(candidate.label));
    if (elsewhere.length > 0)
      return { path, message: `unknown key here: \`${key}\` belongs ${alternatives(elsewhere)}` };
    return {
      path,
      message: `unknown key: the keys here are ${alternatives(
        allowed.map((known) => `\`${known}\``),
        'and',
      )}`,
    };
  });
}

/** The closest allowed key within a few edits (a third of its length, case aside), if any. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (
      distance <= Math.max(1, Math.floor(key.length / 3)) &&
      (best === undefined || distance < best.distance)
    )
      best = { key: candidate, distance };
  }
  return best?.key;
}

/** Levenshtein distance, a swap of two neighbours counting as one edit (`kepe` → `keep`). */
export function editDistance(from: string, to: string): number {
  const rows = Array.from({ length: from.length + 1 }, (_, row) =>
    Array.from({ length: to.length + 1 }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  const at = (row: number, column: number) => rows[row]?.[column] ?? Number.POSITIVE_INFINITY;
  for (let row = 1; row <= from.length; row += 1) {
    for (let column = 1; column <= to.length; column += 1) {
      const cost = from[row - 1] === to[column - 1] ? 0 : 1;
      let distance = Math.min(
        at(row - 1, column) + 1,
        at(row, column - 1) + 1,
        at(row - 1, column - 1) + cost,
      );
      if (row > 1 && column > 1 && from[row - 1] === to[column - 2] && from[row - 2] === to[column - 1])
        distance = Math.min(distance, at(row - 2, column - 2) + 1);
      (rows[row] as number[])[column] = distance;
    }
  }
  return at(from.length, to.length);
}

interface Place {
  readonly shape: Readonly<Record<string, z.core.$ZodType>>;
  /** Where in the schema, as `rules[]`, `registry (type: oci)`; empty at the top of the file. */
  readonly label: string;
}

type Definition = z.core.$ZodTypeDef & {
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
  discriminator?: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
};

/** The mapping schema at `path` of the input, the option of a union chosen as the input's. */
function placeAt(path: readonly PropertyKey[], input: unknown): Place | undefined {
  let schema: z.core.$ZodType | undefined = configSchema;
  let value = input;
  let label = '';
  for (const segment of path) {
    const [inner, innerLabel] = resolve(schema, value, label);
    const definition = inner?._zod.def as Definition | undefined;
    schema = typeof segment === 'number' ? definition?.element : definition?.shape?.[String(segment)];
    label =
      typeof segment === 'number'
        ? `${innerLabel}[]`
        : innerLabel
          ? `${innerLabel}.${String(segment)}`
          : String(segment);
    value = (value as Record<PropertyKey, unknown> | undefined)?.[segment];
  }
  const [inner, innerLabel] = resolve(schema, value, label);
  const shape = (inner?._zod.def as Definition | undefined)?.shape;
  return shape === undefined ? undefined : { shape, label: innerLabel };
}

/** Through optional, default and pipe to the schema that parses `value`: for a union, its option. */
function resolve(
  schema: z.core.$ZodType | undefined,
  value: unknown,
  label: string,
): [z.core.$ZodType | undefined, string] {
  const definition = schema?._zod.def as Definition | undefined;
  if (definition === undefined) return [undefined, label];
  const inner = definition.innerType ?? definition.in;
  if (inner !== undefined) return resolve(inner, value, label);
  if (definition.options === undefined) return [schema, label];
  const discriminator = definition.discriminator;
  const kind = Array.isArray(value)
    ? 'array'
    : typeof value === 'object' && value !== null
      ? 'object'
      : undefined;
  const option = definition.options.find((candidate) =>
    discriminator === undefined
      ? candidate._zod.def.type === kind
      : candidate._zod.propValues?.[discriminator]?.has(
          (value as Record<string, never> | undefined)?.[discriminator],
        ),
  );
  if (option === undefined) return [undefined, label];
  return resolve(
    option,
    value,
    discriminator === undefined ? label : optionLabel(label, option, discriminator),
  );
}

function optionLabel(label: string, option: z.core.$ZodType, discriminator: string): string {
  const [kind] = option._zod.propValues?.[discriminator] ?? [];
  return `${label} (${discriminator}: ${String(kind)})`;
}

let places: { key: string; label: string }[] | undefined;

/** Every key of the schema with the place it belongs, computed once. */
function keyPlaces(): { key: string; label: string }[] {
  places ??= [...keysOf(configSchema, '')];
  return places;
}

function* keysOf(schema: z.core.$ZodType, label: string): Generator<{ key: string; label: string }> {
  const definition = schema._zod.def as Definition;
  const inner = definition.innerType ?? definition.in;
  if (inner !== undefined) return yield* keysOf(inner, label);
  if (definition.element !== undefined) return yield* keysOf(definition.element, `${label}[]`);
  for (const option of definition.options ?? [])
    yield* keysOf(
      option,
      definition.discriminator === undefined ? label : optionLabel(label, option, definition.discriminator),
    );
  for (const [key, field] of Object.entries(definition.shape ?? {})) {
    yield { key, label };
    yield* keysOf(field, label ? `${label}.${key}` : key);
  }
}

/** `rules[]` → in each item of `rules:`; `registry (type: ecr)` → under `registry:` with `type: ecr`. */
function describePlace(label: string): string {
  if (label === '') return 'at the top of the file';
  if (label.endsWith('[]')) return `in each item of \`${label.slice(0, -2)}:\``;
  const option = /^(.*) \((\w+): (.*)\)$/.exec(label);
  if (option !== null) return `under \`${option[1]}:\` with \`${option[2]}: ${option[3]}\``;
  return `under \`${label}:\``;
}
