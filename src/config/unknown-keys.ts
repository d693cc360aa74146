import type { z } from 'zod';
import type { ConfigProblem } from './errors.js';
import { pathText } from './places.js';
import { isRecord } from './record.js';
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
    const others = keyPlaces().filter(
      (candidate) =>
        candidate.key === key && !(candidate.path === place?.path && candidate.kind === place?.kind),
    );
    // The same place in another kind (a key of `type: ecr` under an OCI registry) is the likeliest.
    const samePlace = others.filter((candidate) => candidate.path === place?.path);
    const elsewhere = (samePlace.length > 0 ? samePlace : others).map(describePlace);
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

/** A place in the schema: its path (`rules[]`, `registry.auth`; empty at the top) and, inside one kind of a union, which (`type: ecr`). */
interface Where {
  readonly path: string;
  readonly kind?: string;
}

interface Place extends Where {
  readonly shape: Readonly<Record<string, z.core.$ZodType>>;
}

type Definition = z.core.$ZodTypeDef & {
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
  discriminator?: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
};

function inside(where: Where, segment: PropertyKey): Where {
  if (typeof segment === 'number') return { ...where, path: `${where.path}[]` };
  return { ...where, path: where.path ? `${where.path}.${String(segment)}` : String(segment) };
}

function ofKind(where: Where, option: z.core.$ZodType, discriminator: string): Where {
  const [kind] = option._zod.propValues?.[discriminator] ?? [];
  return { ...where, kind: `${discriminator}: ${String(kind)}` };
}

/** The mapping schema at `path` of the input, the option of a union chosen as the input's. */
function placeAt(path: readonly PropertyKey[], input: unknown): Place | undefined {
  let schema: z.core.$ZodType | undefined = configSchema;
  let value = input;
  let where: Where = { path: '' };
  for (const segment of path) {
    const [inner, innerWhere] = resolve(schema, value, where);
    const definition = inner?._zod.def as Definition | undefined;
    schema = typeof segment === 'number' ? definition?.element : definition?.shape?.[String(segment)];
    where = inside(innerWhere, segment);
    value = (value as Record<PropertyKey, unknown> | undefined)?.[segment];
  }
  const [inner, innerWhere] = resolve(schema, value, where);
  const shape = (inner?._zod.def as Definition | undefined)?.shape;
  return shape === undefined ? undefined : { ...innerWhere, shape };
}

/** Through optional, default and pipe to the schema that parses `value`: for a union, its option. */
function resolve(
  schema: z.core.$ZodType | undefined,
  value: unknown,
  where: Where,
): [z.core.$ZodType | undefined, Where] {
  const definition = schema?._zod.def as Definition | undefined;
  if (definition === undefined) return [undefined, where];
  const inner = definition.innerType ?? definition.in;
  if (inner !== undefined) return resolve(inner, value, where);
  if (definition.options === undefined) return [schema, where];
  const discriminator = definition.discriminator;
  const form = Array.isArray(value) ? 'array' : isRecord(value) ? 'object' : undefined;
  const option = definition.options.find((candidate) =>
    discriminator === undefined
      ? candidate._zod.def.type === form
      : candidate._zod.propValues?.[discriminator]?.has(
          isRecord(value) ? (value[discriminator] as never) : undefined,
        ),
  );
  if (option === undefined) return [undefined, where];
  return resolve(option, value, discriminator === undefined ? where : ofKind(where, option, discriminator));
}

let places: (Where & { key: string })[] | undefined;

/** Every key of the schema with the place it belongs, computed once. */
function keyPlaces(): (Where & { key: string })[] {
  places ??= [...keysOf(configSchema, { path: '' })];
  return places;
}

function* keysOf(schema: z.core.$ZodType, where: Where): Generator<Where & { key: string }> {
  const definition = schema._zod.def as Definition;
  const inner = definition.innerType ?? definition.in;
  if (inner !== undefined) return yield* keysOf(inner, where);
  if (definition.element !== undefined) return yield* keysOf(definition.element, inside(where, 0));
  for (const option of definition.options ?? [])
    yield* keysOf(
      option,
      definition.discriminator === undefined ? where : ofKind(where, option, definition.discriminator),
    );
  for (const [key, field] of Object.entries(definition.shape ?? {})) {
    yield { ...where, key };
    yield* keysOf(field, inside(where, key));
  }
}

/** `rules[]` → in each item of `rules:`; `registry` of `type: ecr` → under `registry:` with `type: ecr`. */
function describePlace(where: Where): string {
  const kind = where.kind === undefined ? '' : ` with \`${where.kind}\``;
  if (where.path === '') return `at the top of the file${kind}`;
  if (where.path.endsWith('[]')) return `in each item of \`${where.path.slice(0, -2)}:\`${kind}`;
  return `under \`${where.path}:\`${kind}`;
}
