import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { handlersOf } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { parseDuration } from '../../src/duration.js';
import { problemsOf } from '../support/config.js';

const issueExample = `
registry:
  type: ecr                  # ecr | oci (oci comes in a later issue)
  region: us-west-2          # optional; else the AWS environment
schedule:
  every: 1h                  # cooldown after each run of a handler
  jitter: 0.01               # ± fraction of \`every\`
rules:
  - repositories: [alloy, kayron, server, specta, splits-lite]
    tags: sha                # sha | tag | a list of prefixes such as [v, release-]
    keep: 10
    drop: 5
  - repositories: [alloy, kayron, server, specta, splits-lite]
    tags: tag
    keep: 10
    drop: 5
`;

describe('config', () => {
  it('the built-in default is the seed deployment: 10 handlers, keep 10, drop 5, 1h ± 1 %', async () => {
    const config = await loadConfig('builtin:seed');
    const handlers = handlersOf(config);
    expect(handlers.map((handler) => handler.name)).toEqual([
      'alloy:sha',
      'kayron:sha',
      'server:sha',
      'specta:sha',
      'splits-lite:sha',
      'alloy:v',
      'kayron:v',
      'server:v',
      'specta:v',
      'splits-lite:v',
    ]);
    expect(handlers.every((handler) => handler.rule.keep === 10 && handler.rule.drop === 5)).toBe(true);
    expect(handlers[0]?.rule).toMatchObject({ prefixes: [], commitHashes: true });
    expect(handlers[5]?.rule.prefixes).toEqual(['v']);
    expect(config.schedule).toEqual({ everyMs: 3_600_000, jitter: 0.01, timeoutMs: 900_000 });
    expect(config.registry).toEqual({ type: 'ecr', concurrency: 8, requestTimeout: '30s' });
  });

  it('accepts the form given in the foundation issue, and a file on disk', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'janitor-config-'));
    const path = join(directory, 'janitor.yaml');
    await writeFile(path, issueExample);
    const config = await loadConfig(path);
    expect(config.registry).toEqual({
      type: 'ecr',
      region: 'us-west-2',
      concurrency: 8,
      requestTimeout: '30s',
    });
    expect(handlersOf(config)).toHaveLength(10);
  });

  it('accepts an OCI registry with its URL, concurrency and where its credentials come from', () => {
    const config = parseConfig(
      `registry:\n  type: oci\n  url: https://registry.example.com\n  auth: { usernameEnv: REGISTRY_USER, passwordEnv: REGISTRY_PASSWORD }\nrules:\n  - {repositories: [web], tags: tag, keep: 3, drop: 1}\n`,
      'x',
    );
    expect(config.registry).toEqual({
      type: 'oci',
      url: 'https://registry.example.com',
      concurrency: 8,
      requestTimeout: '30s',
      auth: { usernameEnv: 'REGISTRY_USER', passwordEnv: 'REGISTRY_PASSWORD' },
    });
  });

  it('accepts GitHub Container Registry with its owner, defaults for the rest, and orphan rules there', () => {
    const config = parseConfig(
      'registry: {type: ghcr, owner: acme}\nrules:\n  - {repositories: [web], tags: tag, keep: 3, drop: 1}\n' +
        '  - {repositories: [web], untagged: {olderThan: 1d}}\n',
      'x',
    );
    expect(config.registry).toEqual({
      type: 'ghcr',
      owner: 'acme',
      tokenEnv: 'GITHUB_TOKEN',
      apiUrl: 'https://api.github.com',
      registryUrl: 'https://ghcr.io',
      concurrency: 8,
      requestTimeout: '30s',
      deletesPerMinute: 150,
    });
    expect(handlersOf(config).map((handler) => handler.name)).toEqual(['web:v', 'web:untagged']);
  });

  it('accepts GitHub Enterprise Server: its API and registry URLs, and a token in a variable of its own', () => {
    const config = parseConfig(
      'registry:\n  type: ghcr\n  owner: platform\n  tokenEnv: GHES_PACKAGES_TOKEN\n' +
        '  apiUrl: https://github.example.com/api/v3\n  registryUrl: https://containers.github.example.com\n' +
        '  deletesPerMinute: 60\nrules:\n  - {repositories: [web], tags: tag, keep: 3, drop: 1}\n',
      'x',
    );
    expect(config.registry).toMatchObject({
      tokenEnv: 'GHES_PACKAGES_TOKEN',
      apiUrl: 'https://github.example.com/api/v3',
      registryUrl: 'https://containers.github.example.com',
      deletesPerMinute: 60,
    });
  });

  it('accepts an orphan rule and a circuit breaker setting', () => {
    const config = parseConfig(
      'registry: {type: ecr}\nrules:\n  - {repositories: [web], tags: tag, keep: 3, drop: 1, maxDeleteShare: off}\n' +
        '  - {repositories: [web], untagged: {olderThan: 1d}}\n',
      'x',
    );
    const [tags, orphans] = handlersOf(config);
    expect(tags?.rule.maxDeleteShare).toBeUndefined();
    expect(orphans).toMatchObject({
      name: 'web:untagged',
      rule: { untaggedOlderThanMs: 86_400_000, drop: 100, maxDeleteShare: 0.5 },
    });
  });

  it('accepts a list of prefixes and names the handler after them', () => {
    const config = parseConfig(
      'registry: {type: ecr}\nrules:\n  - {repositories: [web], tags: [v, release-], keep: 3, drop: 1}\n',
      'x',
    );
    expect(handlersOf(config)[0]).toMatchObject({
      name: 'web:v,release-',
      rule: { prefixes: ['v', 'release-'] },
    });
  });

  const rejected: Array<{ name: string; text: string; expected: string }> = [
    { name: 'not YAML', text: 'rules: [unclosed', expected: 'is not valid YAML' },
    {
      name: 'keep below 1',
      text: issueExample.replace('keep: 10', 'keep: 0'),
      expected: 'rules[0].keep: must be at least 1',
    },
    {
      name: 'negative drop',
      text: issueExample.replace('drop: 5', 'drop: -1'),
      expected: 'rules[0].drop: cannot be negative',
    },
    {
      name: 'fractional keep',
      text: issueExample.replace('keep: 10', 'keep: 2.5'),
      expected: 'rules[0].keep',
    },
    {
      name: 'no repositories',
      text: issueExample.replace('[alloy, kayron, server, specta, splits-lite]', '[]'),
      expected: 'rules[0].repositories: must name at least one repository',
    },
    {
      name: 'malformed duration',
      text: issueExample.replace('every: 1h', 'every: soon'),
      expected: 'schedule.every: must be a duration from 1s to 24d',
    },
    {
      name: 'zero duration',
      text: issueExample.replace('every: 1h', 'every: 0s'),
      expected: 'schedule.every',
    },
    {
      name: 'a cooldown below 1s',
      text: issueExample.replace('every: 1h', 'every: 500ms'),
      expected: 'from 1s to 24d',
    },
    {
      name: 'a cooldown beyond a timer',
      text: issueExample.replace('every: 1h', 'every: 30d'),
      expected: 'from 1s to 24d',
    },
    {
      name: 'jitter above 1',
      text: issueExample.replace('jitter: 0.01', 'jitter: 2'),
      expected: 'schedule.jitter',
    },
    {
      name: 'an OCI registry without a URL',
      text: issueExample.replace('type: ecr', 'type: oci').replace('region: us-west-2', 'concurrency: 4'),
      expected: 'registry.url',
    },
    {
      name: 'an OCI registry URL that is not http(s)',
      text: issueExample
        .replace('type: ecr', 'type: oci')
        .replace('region: us-west-2', 'url: ftp://example.com'),
      expected: 'registry.url: must be an https:// URL',
    },
    {
      name: 'unknown tag set',
      text: issueExample.replace('tags: sha', 'tags: hash'),
      expected: 'rules[0].tags',
    },
    {
      name: 'empty prefix',
      text: issueExample.replace('tags: sha', 'tags: [""]'),
      expected: 'rules[0].tags[0]: a prefix cannot be empty',
    },
    {
      name: 'no rules',
      text: 'registry: {type: ecr}\nrules: []\n',
      expected: 'rules: must define at least one rule',
    },
    {
      name: 'a regular expression that does not compile',
      text: 'registry: {type: ecr}\nrules:\n  - {repositories: [web], tags: {regex: "v(1"}, keep: 1, drop: 1}\n',
      expected: 'rules[0].tags.regex: is not a valid regular expression',
    },
    {
      name: 'a tag matcher that matches nothing',
      text: 'registry: {type: ecr}\nrules:\n  - {repositories: [web], tags: {exclude: ["x"]}, keep: 1, drop: 1}\n',
      expected: 'rules[0].tags: matches no tag',
    },
    {
      name: 'a tag matcher that excludes everything',
      text: 'registry: {type: ecr}\nrules:\n  - {repositories: [web], tags: {prefixes: [v], exclude: ["*"]}, keep: 1, drop: 1}\n',
      expected: 'rules[0].tags.exclude: excludes every tag',
    },
    {
      name: 'keepPulledWithin on an OCI registry',
      text: 'registry: {type: oci, url: "https://r.example.com"}\nrules:\n  - {repositories: [web], tags: tag, keep: 1, drop: 1, keepPulledWithin: 30d}\n',
      expected: 'rules[0].keepPulledWithin: OCI registries do not record when an image was last pulled',
    },
    {
      name: 'an orphan rule that also names tags',
      text: 'registry: {type: ecr}\nrules:\n  - {repositories: [web], tags: sha, untagged: {olderThan: 1d}}\n',
      expected: 'rules[0].tags: cannot be combined with untagged',
    },
    {
      name: 'a tag rule without keep',
      text: 'registry: {type: ecr}\nrules:\n  - {repositories: [web], tags: sha, drop: 1}\n',
      expected: 'rules[0].keep: is required',
    },
    {
      name: 'an orphan rule on an OCI registry',
      text: 'registry: {type: oci, url: "https://r.example.com"}\nrules:\n  - {repositories: [web], untagged: {olderThan: 1d}}\n',
      expected: 'rules[0].untagged: OCI registries do not list untagged manifests',
    },
    {
      name: 'a GitHub registry without an owner',
      text: 'registry: {type: ghcr}\nrules:\n  - {repositories: [web], tags: tag, keep: 1, drop: 1}\n',
      expected: 'registry.owner',
    },
    {
      name: 'a GitHub owner that cannot be a GitHub name',
      text: 'registry: {type: ghcr, owner: "acme/web"}\nrules:\n  - {repositories: [web], tags: tag, keep: 1, drop: 1}\n',
      expected: 'registry.owner: must be a GitHub user or organisation name',
    },
    {
      name: 'deletes faster than GitHub’s secondary limit allows',
      text: 'registry: {type: ghcr, owner: acme, deletesPerMinute: 300}\nrules:\n  - {repositories: [web], tags: tag, keep: 1, drop: 1}\n',
      expected: 'registry.deletesPerMinute: GitHub’s secondary limit allows at most 180 deletes a minute',
    },
    {
      name: 'keepPulledWithin on GitHub',
      text: 'registry: {type: ghcr, owner: acme}\nrules:\n  - {repositories: [web], tags: tag, keep: 1, drop: 1, keepPulledWithin: 30d}\n',
      expected: 'rules[0].keepPulledWithin: GitHub does not record when an image was last pulled',
    },
    {
      name: 'a circuit breaker share above 1',
      text: issueExample.replace('drop: 5', 'drop: 5\n    maxDeleteShare: 2'),
      expected: 'rules[0].maxDeleteShare: must be a share above 0 and at most 1',
    },
    {
      name: 'two rules making the same handler',
      text: `${issueExample}  - {repositories: [kayron], tags: [v], keep: 3, drop: 1}\n`,
      expected: 'handler kayron:v is also defined by rules[1]',
    },
  ];
  for (const row of rejected) {
    it(`rejects ${row.name}, naming the field`, () => {
      expect(problemsOf(row.text).join('\n')).toContain(row.expected);
    });
  }

  it('reports every problem at once, with the file name', () => {
    const text = issueExample
      .replace('keep: 10', 'keep: 0')
      .replace('drop: 5', 'drop: -2')
      .replace('every: 1h', 'every: x');
    let error: unknown;
    try {
      parseConfig(text, 'janitor.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as ConfigError).message).toContain('janitor.yaml');
  });

  it('names a missing file', async () => {
    await expect(loadConfig('/nonexistent/janitor.yaml')).rejects.toThrow(
      /janitor\.yaml[\s\S]*cannot be read/,
    );
  });

  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['1d', 86_400_000],
    ['250ms', 250],
    ['1 h', undefined],
    ['h', undefined],
    ['-1h', undefined],
    ['1w', undefined],
  ])('parseDuration(%s) = %s', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });
});
