import { releaseTagPrefixes, shaPrefixes } from '../core/match.js';
import type { HandlerSpec, Rule } from '../core/types.js';
import { parseDuration } from './duration.js';
import { ConfigError } from './errors.js';
import type { ConfigFile } from './schema.js';

export type RegistryConfig = ConfigFile['registry'];

export interface Config {
  readonly registry: RegistryConfig;
  readonly schedule: { readonly everyMs: number; readonly jitter: number; readonly timeoutMs: number };
  readonly rules: readonly (Rule & { readonly repositories: readonly string[]; readonly active: boolean })[];
}

/** The seed's deployment: five repositories, the `sha` and `tag` prefix sets, keep 10, drop 5, 1h ± 1 %. */
export const seedRepositories = ['alloy', 'kayron', 'server', 'specta', 'splits-lite'] as const;

export const defaultConfigFile: ConfigFile = {
  registry: { type: 'ecr' },
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

/** Turns a validated file into the config the tool runs on, with names and prefixes resolved. */
export function resolveConfig(file: ConfigFile, source: string): Config {
  const rules = file.rules.map((rule) => {
    const maxDeleteShare = rule.maxDeleteShare === 'off' ? {} : { maxDeleteShare: rule.maxDeleteShare };
    const common = { repositories: rule.repositories, active: rule.active, ...maxDeleteShare };
    if (rule.untagged !== undefined) {
      const untaggedOlderThanMs = parseDuration(rule.untagged.olderThan) as number;
      // Orphans are garbage: many may go in one run, but not without bound.
      return {
        ...common,
        name: rule.name ?? 'untagged',
        prefixes: [],
        keep: 0,
        drop: rule.drop ?? 100,
        untaggedOlderThanMs,
      };
    }
    const tags = rule.tags ?? [];
    const prefixes = tags === 'sha' ? shaPrefixes : tags === 'tag' ? releaseTagPrefixes : tags;
    const name = rule.name ?? (tags === 'sha' ? 'sha' : prefixes.join(','));
    return { ...common, name, prefixes, keep: rule.keep ?? 1, drop: rule.drop ?? 0 };
  });
  const seen = new Map<string, number>();
  const problems: { path: string; message: string }[] = [];
  rules.forEach((rule, index) => {
    for (const repository of rule.repositories) {
      const handler = `${repository}:${rule.name}`;
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
  problems.push(...overlappingRules(rules));
  if (file.registry.type === 'oci') {
    file.rules.forEach((rule, index) => {
      if (rule.untagged !== undefined) {
        problems.push({
          path: `rules[${index}].untagged`,
          message:
            'OCI registries do not list untagged manifests, so orphans cannot be found there; use the registry’s garbage collection (distribution: garbage-collect --delete-untagged)',
        });
      }
    });
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return {
    registry: file.registry,
    schedule: {
      everyMs: parseDuration(file.schedule.every) as number,
      jitter: file.schedule.jitter,
      timeoutMs: parseDuration(file.schedule.timeout) as number,
    },
    rules,
  };
}

/**
 * Two rules over one repository whose prefixes can match the same tag would each keep their own
 * newest K and could delete the other's: refused until rules learn to defer to each other.
 */
function overlappingRules(
  rules: readonly { prefixes: readonly string[]; repositories: readonly string[] }[],
) {
  const problems: { path: string; message: string }[] = [];
  rules.forEach((rule, index) => {
    rules.slice(0, index).forEach((earlier, earlierIndex) => {
      const shared = rule.repositories.filter((repository) => earlier.repositories.includes(repository));
      const overlap = rule.prefixes.find((prefix) =>
        earlier.prefixes.some((other) => prefix.startsWith(other) || other.startsWith(prefix)),
      );
      if (shared.length > 0 && overlap !== undefined) {
        problems.push({
          path: `rules[${index}].tags`,
          message: `tags starting with "${overlap}" in ${shared.join(', ')} would match both this rule and rules[${earlierIndex}]; each tag may belong to one rule only`,
        });
      }
    });
  });
  return problems;
}

/** One handler per repository × rule, in the order of the config. */
export function handlersOf(config: Config): HandlerSpec[] {
  return config.rules.flatMap((rule) =>
    rule.repositories.map((repository) => ({
      name: `${repository}:${rule.name}`,
      repository,
      rule: {
        name: rule.name,
        prefixes: rule.prefixes,
        keep: rule.keep,
        drop: rule.drop,
        ...(rule.maxDeleteShare !== undefined && { maxDeleteShare: rule.maxDeleteShare }),
        ...(rule.untaggedOlderThanMs !== undefined && { untaggedOlderThanMs: rule.untaggedOlderThanMs }),
      },
      active: rule.active,
    })),
  );
}
