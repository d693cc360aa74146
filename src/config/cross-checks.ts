import type { ConfigProblem } from './errors.js';
import { isRecord } from './record.js';
import { repositoryNameProblem, repositoryPatternCharacters } from './repository-name.js';
import { type ConfigFile, ruleSchema } from './schema.js';

type RuleFile = ConfigFile['rules'][number];

/** The fields of a rule that are valid by themselves, and the names of those that are not. */
interface RuleParts {
  readonly index: number;
  readonly fields: Partial<RuleFile>;
  readonly invalid: ReadonlySet<string>;
}

/**
 * What no single field shows: two rules making one handler, what the registry type does not
 * support, names its registry does not take. Read from the raw file, field by field, so that these
 * are reported beside the schema's problems rather than once those are fixed: a rule whose `drop`
 * is wrong still makes its handlers. `handlerName` names a rule's handlers (`sha`, `v`, its name).
 */
export function problemsAcrossRules(
  input: unknown,
  handlerName: (rule: RuleFile) => string,
): ConfigProblem[] {
  const file = isRecord(input) ? input : {};
  const registryType =
    isRecord(file.registry) && typeof file.registry.type === 'string' ? file.registry.type : undefined;
  const rules = Array.isArray(file.rules) ? file.rules : [];
  const parts = rules.flatMap((raw, index) => (isRecord(raw) ? [partsOf(raw, index)] : []));
  return [
    ...duplicateHandlers(parts, handlerName),
    ...(registryType === 'oci' || registryType === 'ghcr' ? unsupportedByRegistry(registryType, parts) : []),
    ...(registryType === undefined ? [] : namesTheRegistryRefuses(registryType, rules)),
  ];
}

function partsOf(raw: Record<string, unknown>, index: number): RuleParts {
  const fields: Record<string, unknown> = {};
  const invalid = new Set<string>();
  for (const [key, field] of Object.entries(ruleSchema.shape)) {
    const parsed = field.safeParse(raw[key]);
    if (parsed.success) fields[key] = parsed.data;
    else invalid.add(key);
  }
  // A list with one bad name still makes handlers for its good ones.
  if (invalid.has('repositories') && Array.isArray(raw.repositories)) {
    const entry = ruleSchema.shape.repositories.element;
    fields.repositories = raw.repositories.filter((name) => entry.safeParse(name).success);
  }
  return { index, fields: fields as Partial<RuleFile>, invalid };
}

/** Two rules that would make the same handler on a repository both names: one must be renamed. */
function duplicateHandlers(
  rules: readonly RuleParts[],
  handlerName: (rule: RuleFile) => string,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  for (const { index, fields, invalid } of rules) {
    // The handlers' names are known when what names them is valid.
    if (fields.repositories === undefined || ['name', 'tags', 'untagged'].some((key) => invalid.has(key)))
      continue;
    const name = handlerName({ ...fields, repositories: fields.repositories } as RuleFile);
    for (const repository of fields.repositories) {
      const handler = `${repository}:${name}`;
      const earlier = seen.get(handler);
      if (earlier !== undefined && earlier !== index) {
        problems.push({
          path: `rules[${index}]`,
          message: `handler ${handler} is also defined by rules[${earlier}]; give one of the rules a distinct \`name\``,
        });
      }
      seen.set(handler, index);
    }
  }
  return problems;
}

/**
 * What a registry does not expose: a distribution-spec registry lists no untagged manifests, and
 * neither it nor GitHub records when an image was last pulled.
 */
function unsupportedByRegistry(type: 'oci' | 'ghcr', rules: readonly RuleParts[]): ConfigProblem[] {
  return rules.flatMap(({ index, fields: rule }) => [
    ...(rule.untagged !== undefined && type === 'oci'
      ? [
          {
            path: `rules[${index}].untagged`,
            message:
              'OCI registries do not list untagged manifests, so orphans cannot be found there; use the registry’s garbage collection (distribution: garbage-collect --delete-untagged)',
          },
        ]
      : []),
    ...(rule.keepPulledWithin !== undefined
      ? [
          {
            path: `rules[${index}].keepPulledWithin`,
            message: `${type === 'ghcr' ? 'GitHub does' : 'OCI registries do'} not record when an image was last pulled; this works on ECR only`,
          },
        ]
      : []),
  ]);
}

/**
 * Names the registry type's own limits refuse (ECR: 2 to 256 characters), among those the
 * grammar takes (the schema reports the others), each entry on its own.
 */
function namesTheRegistryRefuses(registryType: string, rules: readonly unknown[]): ConfigProblem[] {
  return rules.flatMap((rule, index) =>
    (['repositories', 'excludeRepositories'] as const).flatMap((field) => {
      const entries = isRecord(rule) && Array.isArray(rule[field]) ? (rule[field] as unknown[]) : [];
      return entries.flatMap((entry, position) => {
        if (typeof entry !== 'string' || !repositoryPatternCharacters.test(entry)) return [];
        if (repositoryNameProblem(entry) !== undefined) return [];
        const message = repositoryNameProblem(entry, registryType);
        return message === undefined ? [] : [{ path: `rules[${index}].${field}[${position}]`, message }];
      });
    }),
  );
}
