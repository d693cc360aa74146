import { describe, expect, it } from 'vitest';
import { handlersOf, resolveConfig } from '../../src/config/config.js';
import { parseConfig } from '../../src/config/load.js';
import { tagMatcher } from '../../src/core/match.js';
import { buildPlan } from '../../src/core/plan.js';
import type { HandlerSpec, Image, Rule } from '../../src/core/types.js';
import { day, single } from '../support/inventory.js';

const base: Rule = { name: 'r', prefixes: [], keep: 2, drop: 10 };

describe('tag matchers', () => {
  const table: Array<{ name: string; rule: Partial<Rule>; matching: string[]; notMatching: string[] }> = [
    {
      name: 'prefix set sha',
      rule: { prefixes: '0123456789abcdef'.split('') },
      matching: ['1cd6', 'fa11'],
      notMatching: ['v1', 'latest'],
    },
    {
      name: 'prefix list',
      rule: { prefixes: ['v', 'release-'] },
      matching: ['v1.2', 'release-7'],
      notMatching: ['rc-1'],
    },
    {
      name: 'glob',
      rule: { globs: ['release-*'] },
      matching: ['release-2026.11'],
      notMatching: ['pre-release-1'],
    },
    {
      name: 'regular expression',
      rule: { regexes: ['^v\\d+\\.\\d+\\.\\d+$'] },
      matching: ['v1.2.3', 'v10.0.0'],
      notMatching: ['v1.2.3-rc1', 'v1.2'],
    },
    {
      name: 'exclusions win over matches',
      rule: { prefixes: ['v'], exclude: ['*-rc*', 'v0.*'] },
      matching: ['v1.0.0'],
      notMatching: ['v1.0.0-rc1', 'v0.9.0'],
    },
    {
      name: 'any of several kinds',
      rule: { prefixes: ['sha-'], globs: ['nightly-*'] },
      matching: ['sha-1', 'nightly-3'],
      notMatching: ['v1'],
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const matches = tagMatcher({ ...base, ...row.rule });
      for (const tag of row.matching) expect(matches(tag), tag).toBe(true);
      for (const tag of row.notMatching) expect(matches(tag), tag).toBe(false);
    });
  }
});

const now = day(100);
function decide(images: Image[], rule: Partial<Rule>, siblings: HandlerSpec[] = []) {
  const handler: HandlerSpec = {
    name: 'web:r',
    repository: 'web',
    rule: { ...base, prefixes: ['v'], ...rule },
    siblings,
  };
  const plan = buildPlan({ handler, images, manifests: new Map(), now });
  return Object.fromEntries(
    plan.decisions.map((decision) => [
      decision.image.tags[0],
      decision.fate === 'skip' ? 'skip' : `${decision.fate}:${decision.reason}`,
    ]),
  );
}

describe('keep conditions add to the newest `keep`, never take from it', () => {
  const images = [
    single('v1', 10),
    single('v2', 20),
    single('v3', 95),
    single('v4', 97),
    single('v5', 98),
    single('v6', 99),
  ];

  it('without conditions: the oldest beyond keep go', () => {
    expect(decide(images, {})).toEqual({
      v1: 'delete:older-than-newest',
      v2: 'delete:older-than-newest',
      v3: 'delete:older-than-newest',
      v4: 'delete:older-than-newest',
      v5: 'keep:newest',
      v6: 'keep:newest',
    });
  });

  it('keepYoungerThan keeps what is younger, and the newest still count as the newest', () => {
    expect(decide(images, { keepYoungerThanMs: 7 * 86_400_000 })).toMatchObject({
      v2: 'delete:older-than-newest',
      v3: 'keep:young',
      v4: 'keep:young',
      v5: 'keep:newest',
    });
  });

  it('keepPulledWithin keeps what was pulled recently, whatever its age', () => {
    const pulled = images.map((image) =>
      image.tags[0] === 'v1' ? { ...image, lastPulledAt: day(97) } : image,
    );
    expect(decide(pulled, { keepPulledWithinMs: 30 * 86_400_000 })).toMatchObject({
      v1: 'keep:pulled',
      v2: 'delete:older-than-newest',
    });
  });

  it('protect keeps an image whose tag matches a protected pattern', () => {
    expect(decide(images, { protect: ['v2', 'v3*'] })).toMatchObject({
      v1: 'delete:older-than-newest',
      v2: 'keep:protected',
      v3: 'keep:protected',
      v4: 'delete:older-than-newest',
    });
  });

  it('held images do not use up the drop budget: the next oldest go instead, at most drop', () => {
    expect(decide(images, { drop: 2, keepPulledWithinMs: 86_400_000 * 30, protect: ['v1'] })).toMatchObject({
      v1: 'keep:protected',
      v2: 'delete:older-than-newest',
      v3: 'delete:older-than-newest',
      v4: 'keep:beyond-drop-limit',
    });
  });

  it('explains each reason in words', () => {
    const handler: HandlerSpec = {
      name: 'kayron:v',
      repository: 'kayron',
      rule: { ...base, prefixes: ['v'], keep: 2, keepYoungerThanMs: 14 * 86_400_000 },
    };
    const plan = buildPlan({ handler, images, manifests: new Map(), now });
    const explanations = Object.fromEntries(
      plan.decisions.map((decision) => [decision.image.tags[0], decision.explanation]),
    );
    expect(explanations.v1).toBe('older than the newest 2 of kayron:v');
    expect(explanations.v3).toBe('younger than 14 days (5 days old)');
    expect(explanations.v6).toBe('one of the newest 2 of kayron:v (#1)');
  });
});

describe('several rules over one repository: an image goes only if no rule that matches it keeps it', () => {
  const images = [
    single('v1.0.0', 1),
    single('v1.1.0', 2),
    single('v2.0.0', 3),
    single('v2.1.0', 4),
    single('v3.0.0', 5),
    single('v3.1.0', 6),
  ];

  it('a broad rule does not delete what a narrower rule keeps', () => {
    // "all releases: keep 2" and "majors (x.0.0): keep 3" over the same repository.
    const majors: HandlerSpec = {
      name: 'web:majors',
      repository: 'web',
      rule: { ...base, name: 'majors', globs: ['v*.0.0'], prefixes: [], keep: 3 },
    };
    expect(decide(images, { keep: 2 }, [majors])).toEqual({
      'v1.0.0': 'keep:kept-by-another-rule',
      'v1.1.0': 'delete:older-than-newest',
      'v2.0.0': 'keep:kept-by-another-rule',
      'v2.1.0': 'delete:older-than-newest',
      'v3.0.0': 'keep:newest',
      'v3.1.0': 'keep:newest',
    });
  });

  it('does not defer to an inactive rule, nor to what another rule would only delete later', () => {
    const inactive: HandlerSpec = {
      name: 'web:majors',
      repository: 'web',
      rule: { ...base, name: 'majors', globs: ['v*.0.0'], prefixes: [], keep: 3 },
      active: false,
    };
    const slow: HandlerSpec = {
      name: 'web:slow',
      repository: 'web',
      rule: { ...base, name: 'slow', prefixes: ['v'], keep: 1, drop: 0 },
    };
    expect(decide(images, { keep: 2 }, [inactive, slow])['v1.0.0']).toBe('delete:older-than-newest');
  });

  it('comes from the config: every rule of a repository knows the others', () => {
    const config = parseConfig(
      'registry: {type: ecr}\nrules:\n  - {repositories: [web], tags: {globs: ["v*"]}, keep: 2, drop: 5, name: all}\n' +
        '  - {repositories: [web, api], tags: {regex: "^v\\\\d+\\\\.0\\\\.0$"}, keep: 3, drop: 5, name: majors}\n',
      'x',
    );
    const handlers = handlersOf(config);
    expect(
      handlers.map((handler) => [handler.name, handler.siblings?.map((sibling) => sibling.name)]),
    ).toEqual([
      ['web:all', ['web:majors']],
      ['web:majors', ['web:all']],
      ['api:majors', []],
    ]);
  });
});

describe('repositories by name, glob, or all, with exclusions', () => {
  const config = resolveConfig(
    {
      registry: { type: 'ecr', concurrency: 8, requestTimeout: '30s' },
      schedule: { every: '1h', jitter: 0.01, timeout: '15m' },
      rules: [
        {
          repositories: ['team-*/*', 'tools'],
          excludeRepositories: ['team-legacy/*'],
          tags: 'tag',
          keep: 3,
          drop: 1,
          maxDeleteShare: 0.5,
          active: true,
        },
        {
          repositories: ['**'],
          excludeRepositories: ['tools'],
          untagged: { olderThan: '1d' },
          maxDeleteShare: 0.5,
          active: true,
        },
      ],
    },
    'x',
  );
  const discovered = ['team-a/api', 'team-a/web', 'team-legacy/old', 'tools', 'other/thing', 'team-b'];

  it('matches globs against the repositories the registry lists, and leaves the excluded out', () => {
    expect(handlersOf(config, discovered).map((handler) => handler.name)).toEqual([
      'team-a/api:v',
      'team-a/web:v',
      'tools:v',
      'team-a/api:untagged',
      'team-a/web:untagged',
      'team-legacy/old:untagged',
      'other/thing:untagged',
      'team-b:untagged',
    ]);
  });
});
