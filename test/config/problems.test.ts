import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';

/** Every problem exactly as `janitor validate` prints it, under the `cannot run with F:` line. */
function printed(text: string): string {
  try {
    parseConfig(text, 'janitor.yaml');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const [heading, ...problems] = error.message.split('\n');
    expect(heading).toBe('cannot run with janitor.yaml:');
    return problems.join('\n');
  }
  return 'valid';
}

const smallestConfig = `      registry:
        type: ecr
        region: us-west-2
      rules:
        - repositories: [kayron]
          tags: sha
          keep: 10
          drop: 5`;

const rule = (fields: string) => `registry: {type: ecr}\nrules:\n  - {${fields}}\n`;

/** Issue #12, items 13 and 14: what a person gets wrong, and the words they read. */
const cases: Array<{ name: string; text: string; printed: string }> = [
  {
    name: 'an empty file',
    text: '',
    printed: `  - the file is empty: a config needs a \`registry:\` section and a \`rules:\` list, e.g.\n${smallestConfig}`,
  },
  {
    name: 'a file of comments only',
    text: '# janitor config\n',
    printed: `  - the file is empty: a config needs a \`registry:\` section and a \`rules:\` list, e.g.\n${smallestConfig}`,
  },
  {
    name: 'a top-level list of rules (a README rule snippet pasted alone)',
    text: '- repositories: [kayron]\n  tags: sha\n  keep: 10\n  drop: 5\n',
    printed: `  - the file is a list: rules go under \`rules:\`, and a config needs a \`registry:\` section beside them, e.g.\n${smallestConfig}`,
  },
  {
    name: 'a scalar instead of a config',
    text: 'kayron\n',
    printed: `  - the file is the text "kayron", not a config: a config needs a \`registry:\` section and a \`rules:\` list, e.g.\n${smallestConfig}`,
  },
  {
    name: 'rules without a registry section',
    text: 'rules:\n  - {repositories: [kayron], tags: sha, keep: 10, drop: 5}\n',
    printed:
      '  - registry: a config needs a `registry:` section, e.g.\n      registry:\n        type: ecr\n        region: us-west-2',
  },
  {
    name: 'a registry without rules',
    text: 'registry: {type: ecr}\n',
    printed:
      '  - rules: a config needs a `rules:` list, e.g.\n      rules:\n        - repositories: [kayron]\n          tags: sha\n          keep: 10\n          drop: 5',
  },
  {
    name: 'one rule written at the top of the file',
    text: 'registry: {type: ecr}\nrepositories: [kayron]\ntags: sha\nkeep: 10\ndrop: 5\n',
    printed: [
      '  - rules: a config needs a `rules:` list, e.g.\n      rules:\n        - repositories: [kayron]\n          tags: sha\n          keep: 10\n          drop: 5',
      '  - line 2, repositories: unknown key here: `repositories` belongs in each item of `rules:`',
      '  - line 3, tags: unknown key here: `tags` belongs in each item of `rules:`',
      '  - line 4, keep: unknown key here: `keep` belongs in each item of `rules:`',
      '  - line 5, drop: unknown key here: `drop` belongs in each item of `rules:`',
    ].join('\n'),
  },
  {
    name: 'keep: 2.5',
    text: rule('repositories: [kayron], tags: sha, keep: 2.5, drop: 5'),
    printed: '  - line 3, rules[0].keep: must be a whole number, not 2.5',
  },
  {
    name: 'numbers, lists and durations of the wrong kind',
    text: 'registry: {type: ecr}\nschedule: {every: 5}\nrules:\n  - {repositories: kayron, tags: sha, keep: ten, drop: true}\n',
    printed: [
      '  - line 2, schedule.every: must be a duration from 1s to 24d, such as 90s, 30m, 1h or 1d, not 5',
      '  - line 4, rules[0].repositories: must be a list, such as [kayron], not the text "kayron"',
      '  - line 4, rules[0].keep: must be a whole number, not the text "ten"',
      '  - line 4, rules[0].drop: must be a whole number, not true',
    ].join('\n'),
  },
  {
    name: 'a registry written as a word',
    text: 'registry: ecr\nrules:\n  - {repositories: [kayron], tags: sha, keep: 10, drop: 5}\n',
    printed:
      '  - line 1, registry: must be a mapping with `type:` `ecr`, `oci` or `ghcr`, not the text "ecr", e.g.\n      registry:\n        type: ecr\n        region: us-west-2',
  },
  {
    name: 'an empty rules key',
    text: 'registry: {type: ecr}\nrules:\n',
    printed:
      '  - line 2, rules: is empty: it must be a list, e.g.\n      rules:\n        - repositories: [kayron]\n          tags: sha\n          keep: 10\n          drop: 5',
  },
  {
    name: 'a rule written as a word',
    text: 'registry: {type: ecr}\nrules:\n  - kayron\n',
    printed:
      '  - line 3, rules[0]: must be a mapping, not the text "kayron", e.g.\n      - repositories: [kayron]\n        tags: sha\n        keep: 10\n        drop: 5',
  },
  {
    name: 'tags of no known form',
    text: rule('repositories: [kayron], tags: 5, keep: 10, drop: 5'),
    printed:
      '  - line 3, rules[0].tags: must be `sha` (commit hashes), `tag` (releases: v…), a list of prefixes such as [v, release-], or a mapping of prefixes, globs, regex and exclude, not 5',
  },
  {
    name: 'a tag mapping with a mistyped field: the problems inside the mapping',
    text: rule('repositories: [kayron], tags: {prefixes: v, exclude: ["*"]}, keep: 10, drop: 5'),
    printed: [
      '  - line 3, rules[0].tags.prefixes: must be a list, such as [v], not the text "v"',
      '  - line 3, rules[0].tags.exclude: excludes every tag, so the rule would match nothing',
    ].join('\n'),
  },
  {
    name: 'a value of a field that takes text or a boolean',
    text: 'registry: {type: oci, url: "https://r.example.com", auth: {dockerConfig: 5}}\nrules:\n  - {repositories: [web], tags: sha, keep: 1, drop: 1}\n',
    printed: '  - line 1, registry.auth.dockerConfig: must be text, `true` or `false`, not 5',
  },
  {
    name: 'a number out of range',
    text: 'registry: {type: ecr, concurrency: 0}\nrules:\n  - {repositories: [web], tags: sha, keep: 1, drop: 1}\n',
    printed: '  - line 1, registry.concurrency: must be at least 1, not 0',
  },
  {
    name: 'an unknown registry type',
    text: 'registry: {type: gcr}\nrules:\n  - {repositories: [web], tags: sha, keep: 1, drop: 1}\n',
    printed: '  - line 1, registry.type: must be `ecr`, `oci` or `ghcr`, not the text "gcr"',
  },
  {
    name: 'a registry without a type',
    text: 'registry: {region: us-west-2}\nrules:\n  - {repositories: [web], tags: sha, keep: 1, drop: 1}\n',
    printed: '  - line 1, registry.type: is required: `ecr`, `oci` or `ghcr`',
  },
  {
    name: 'a misspelt rule key',
    text: 'registry: {type: ecr}\nrules:\n  - repositories: [web]\n    tags: sha\n    keep: 1\n    dorp: 1\n',
    printed: [
      '  - line 3, rules[0].drop: is required',
      '  - line 6, rules[0].dorp: unknown key: did you mean `drop`?',
    ].join('\n'),
  },
  {
    name: 'misspelt keys in the schedule, a tag mapping and an orphan rule, and a section name',
    text:
      'registry: {type: ecr}\nschedule: {jiter: 0.1}\nrule:\n  - {repositories: [web], tags: sha, keep: 1, drop: 1}\n' +
      'rules:\n  - {repositories: [web], tags: {prefixes: [v], exlude: [v0.*]}, keep: 1, drop: 1}\n' +
      '  - {repositories: [web], untagged: {olderthan: 1d}}\n',
    printed: [
      '  - line 2, schedule.jiter: unknown key: did you mean `jitter`?',
      '  - line 3, rule: unknown key: did you mean `rules`?',
      '  - line 6, rules[0].tags.exlude: unknown key: did you mean `exclude`?',
      '  - line 7, rules[1].untagged.olderThan: is required: a duration of at least 1s, such as 12h, 14d or 90d',
      '  - line 7, rules[1].untagged.olderthan: unknown key: did you mean `olderThan`?',
    ].join('\n'),
  },
  {
    name: 'an unknown key near no known key',
    text: 'registry: {type: ecr}\nretention: 3\nrules:\n  - {repositories: [web], tags: sha, keep: 1, drop: 1}\n',
    printed:
      '  - line 2, retention: unknown key: the keys here are `registry`, `schedule`, `rules` and `inUse`',
  },
  {
    name: 'a key of another registry type',
    text: 'registry:\n  type: oci\n  url: https://r.example.com\n  region: us-west-2\nrules:\n  - {repositories: [web], tags: sha, keep: 1, drop: 1}\n',
    printed:
      '  - line 4, registry.region: unknown key here: `region` belongs under `registry:` with `type: ecr`',
  },
  {
    name: 'keys written one level too high',
    text: 'registry: {type: oci, url: "https://r.example.com", username: bot}\nrules:\n  - {repositories: [web], untagged: {olderThan: 1d}, prefixes: [v]}\n',
    printed: [
      '  - line 1, registry.username: unknown key here: `username` belongs under `registry.auth:` with `type: oci`',
      '  - line 3, rules[0].untagged: OCI registries do not list untagged manifests, so orphans cannot be found there; use the registry’s garbage collection (distribution: garbage-collect --delete-untagged)',
      '  - line 3, rules[0].prefixes: unknown key here: `prefixes` belongs under `rules[].tags:`',
    ].join('\n'),
  },
  {
    name: 'a rule name with a space',
    text: rule('name: my rule, repositories: [web], tags: sha, keep: 1, drop: 1'),
    printed:
      '  - line 3, rules[0].name: may hold letters, digits, `.`, `_`, `,` and `-` only: it names handlers such as kayron:sha',
  },
  {
    name: 'an unknown key, then a mistyped field, a missing one and a wrong one: all of them',
    text: rule('repositories: [web], kep: 2, keep: ten, drop: -1'),
    printed: [
      '  - line 3, rules[0].tags: is required (sha, tag or a list of prefixes), or `untagged` for an orphan rule',
      '  - line 3, rules[0].kep: unknown key: did you mean `keep`?',
      '  - line 3, rules[0].keep: must be a whole number, not the text "ten"',
      '  - line 3, rules[0].drop: cannot be negative',
    ].join('\n'),
  },
  {
    name: 'a duplicate handler beside other problems, in the order of the file',
    text:
      'registry:\n  type: oci\n  url: https://r.example.com\nschedule:\n  every: soon\nrules:\n' +
      '  - repositories: [web]\n    tags: sha\n    keep: 10\n    drop: 5\n    keepPulledWithin: 30d\n' +
      '  - repositories: [web]\n    tags: sha\n    keep: 3\n    drop: -1\n',
    printed: [
      '  - line 5, schedule.every: must be a duration from 1s to 24d, such as 90s, 30m, 1h or 1d, not the text "soon"',
      '  - line 11, rules[0].keepPulledWithin: OCI registries do not record when an image was last pulled; this works on ECR only',
      '  - line 12, rules[1]: handler web:sha is also defined by rules[0]; give one of the rules a distinct `name`',
      '  - line 15, rules[1].drop: cannot be negative',
    ].join('\n'),
  },
];

describe('config problems, in words, all at once, in the order of the file', () => {
  for (const row of cases) {
    it(row.name, () => {
      expect(printed(row.text)).toBe(row.printed);
    });
  }

  it('says what to do with each rule snippet of the README pasted alone', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const snippets = [...readme.matchAll(/```yaml\n(- [\s\S]*?)```/g)].map((match) => match[1] as string);
    expect(snippets.length).toBeGreaterThan(2);
    for (const snippet of snippets)
      expect(printed(snippet)).toBe(
        `  - the file is a list: rules go under \`rules:\`, and a config needs a \`registry:\` section beside them, e.g.\n${smallestConfig}`,
      );
  });
});
