import picomatch from 'picomatch';
import { releaseTagPrefixes } from '../core/match.js';
import type { HandlerSpec, Rule } from '../core/types.js';
import { parseDuration } from '../duration.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import type { InUseFile } from './in-use-schema.js';
import type { ConfigFile } from './schema.js';

export type RegistryConfig = ConfigFile['registry'];

/** The `inUse` section with its durations resolved. */
export type InUseConfig = Omit<InUseFile, 'refresh' | 'timeout'> & {
  readonly refreshMs: number;
  readonly timeoutMs: number;
};

/** A rule as the tool runs it, and the repositories (names or globs) it applies to. */
export interface ConfiguredRule {
  readonly rule: Rule;
  readonly repositories: readonly string[];
  readonly excludeRepositories: readonly string[];
  readonly active: boolean;
}

export interface Config {
  readonly registry: RegistryConfig;
  readonly schedule: { readonly everyMs: number; readonly jitter: number; readonly timeoutMs: number };
  readonly rules: readonly ConfiguredRule[];
  /** Where images in use are read from; absent, nothing is known to be in use. */
  readonly inUse?: InUseConfig;
}

/** The seed's deployment: five repositories, the `sha` and `tag` prefix sets, keep 10, drop 5, 1h ± 1 %. */
export const seedRepositories = ['alloy', 'kayron', 'server', 'specta', 'splits-lite'] as const;

export const defaultConfigFile: ConfigFile = {
  registry: { type: 'ecr', concurrency: 8, requestTimeout: '30s' },
  schedule: { every: '1h', jitter: 0.01, timeout: '15m' },
  rules: [
    {
      repositories: [...seedRepositories],
      tags: 'sha',
      keep: 10,
      drop: 5,
      maxDeleteShare: 0.5,
      active: true,
    },
    {
      repositories: [...seedRepositories],
      tags: 'tag',
      keep: 10,
      drop: 5,
      maxDeleteShare: 0.5,
      active: true,
    },
  ],
};

/** Turns a validated file into the config the tool runs on, with names, matchers and ages resolved. */
export function resolveConfig(file: ConfigFile, source: string): Config {
  const rules = file.rules.map(resolveRule);
  const problems = [...duplicateHandlers(rules), ...unsupportedByRegistry(file)];
  if (problems.length > 0) throw new ConfigError(source, problems);
  return {
    registry: file.registry,
    schedule: {
      everyMs: parseDuration(file.schedule.every) as number,
      jitter: file.schedule.jitter,
      timeoutMs: parseDuration(file.schedule.timeout) as number,
    },
    rules,
    ...(file.inUse && { inUse: resolveInUse(file.inUse) }),
  };
}

function resolveInUse({ refresh, timeout, ...sources }: InUseFile): InUseConfig {
  return {
    ...sources,
    refreshMs: parseDuration(refresh) as number,
    timeoutMs: parseDuration(timeout) as number,
  };
}

function resolveRule(file: ConfigFile['rules'][number]): ConfiguredRule {
  const repositories = {
    repositories: file.repositories,
    excludeRepositories: file.excludeRepositories ?? [],
  };
  const common = {
    ...(file.maxDeleteShare !== 'off' && { maxDeleteShare: file.maxDeleteShare }),
    ...(file.keepYoungerThan !== undefined && {
      keepYoungerThanMs: parseDuration(file.keepYoungerThan) as number,
    }),
    ...(file.keepPulledWithin !== undefined && {
      keepPulledWithinMs: parseDuration(file.keepPulledWithin) as number,
    }),
    ...(file.protect !== undefined && { protect: file.protect }),
  };
  if (file.untagged !== undefined) {
    // Orphans are garbage: many may go in one run, but not without bound.
    const untaggedOlderThanMs = parseDuration(file.untagged.olderThan) as number;
    const rule: Rule = {
      ...common,
      name: file.name ?? 'untagged',
      prefixes: [],
      keep: 0,
      drop: file.drop ?? 100,
      untaggedOlderThanMs,
    };
    return { rule, ...repositories, active: file.active };
  }
  const tags = file.tags ?? [];
  const matcher =
    tags === 'sha'
      ? { prefixes: [], commitHashes: true }
      : tags === 'tag'
        ? { prefixes: releaseTagPrefixes }
        : Array.isArray(tags)
          ? { prefixes: tags }
          : {
              prefixes: tags.prefixes ?? [],
              ...(tags.globs && { globs: tags.globs }),
              ...(tags.regex !== undefined && { regexes: [tags.regex].flat() }),
              ...(tags.exclude && { exclude: tags.exclude }),
            };
  const name = file.name ?? (tags === 'sha' ? 'sha' : defaultName(matcher));
  const rule: Rule = { ...common, ...matcher, name, keep: file.keep ?? 1, drop: file.drop ?? 0 };
  return { rule, ...repositories, active: file.active };
}

/** `v`, `v,release-`; a rule with globs or regexes has to be named by its author. */
function defaultName(matcher: {
  prefixes: readonly string[];
  globs?: readonly string[];
  regexes?: readonly string[];
}): string {
  if ((matcher.globs?.length ?? 0) + (matcher.regexes?.length ?? 0) === 0) return matcher.prefixes.join(',');
  return 'tags';
}

/** Two rules that would make the same handler on a repository both names: one must be renamed. */
function duplicateHandlers(rules: readonly ConfiguredRule[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  rules.forEach((configured, index) => {
    for (const repository of configured.repositories) {
      const handler = `${repository}:${configured.rule.name}`;
      const earlier = seen.get(handler);
      if (earlier !== undefined && earlier !== index) {
        problems.push({
          path: `rules[${index}]`,
          message: `handler ${handler} is also defined by rules[${earlier}]; give one of the rules a distinct \`name\``,
        });
      }
      seen.set(handler, index);
    }
  });
  return problems;
}

/**
 * What a registry does not expose: a distribution-spec registry lists no untagged manifests, and
 * neither it nor GitHub records when an image was last pulled.
 */
function unsupportedByRegistry(file: ConfigFile): ConfigProblem[] {
  const type = file.registry.type;
  if (type === 'ecr') return [];
  return file.rules.flatMap((rule, index) => [
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

/** Whether the rules name repositories by pattern, so that the registry must be asked for its list. */
export function needsDiscovery(config: Config): boolean {
  return config.rules.some((configured) => configured.repositories.some(isPattern));
}

function isPattern(repository: string): boolean {
  return picomatch.scan(repository).isGlob;
}

/**
 * One handler per repository × rule, in the order of the config. Patterns are matched against
 * `discovered` (the registry's repositories); plain names stand as written. Each handler knows the
 * other rules of its repository, for precedence: an image goes only if no rule keeps it.
 */
export function handlersOf(config: Config, discovered: readonly string[] = []): HandlerSpec[] {
  const byRule = config.rules.map((configured) => {
    const excluded =
      configured.excludeRepositories.length > 0
        ? picomatch([...configured.excludeRepositories])
        : () => false;
    const names = configured.repositories.flatMap((entry) =>
      isPattern(entry) ? discovered.filter((repository) => picomatch.isMatch(repository, entry)) : [entry],
    );
    return [...new Set(names)]
      .filter((repository) => !excluded(repository))
      .map((repository) => ({
        name: `${repository}:${configured.rule.name}`,
        repository,
        rule: configured.rule,
        active: configured.active,
      }));
  });
  const handlers = byRule.flat();
  const names = new Set<string>();
  for (const handler of handlers) {
    if (names.has(handler.name)) {
      throw new ConfigError('the repositories the registry lists', [
        {
          path: 'rules',
          message: `two rules make the handler ${handler.name}: give one of them a distinct \`name\``,
        },
      ]);
    }
    names.add(handler.name);
  }
  return handlers.map((handler) => ({
    ...handler,
    siblings: handlers.filter((other) => other.repository === handler.repository && other !== handler),
  }));
}
