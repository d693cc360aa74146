import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';
import { repositoryNameProblem } from '../../src/config/repository-name.js';

/** The OCI distribution spec's `<name>` (1.1, "Pulling manifests"), which ECR's API reference also gives. */
const ociName = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

function problemsFor(entry: string, registry = 'registry: {type: ecr}'): string[] {
  const text = `${registry}\nrules:\n  - repositories: [${JSON.stringify(entry)}]\n    excludeRepositories: [${JSON.stringify(entry)}]\n    tags: sha\n    keep: 1\n    drop: 1\n`;
  try {
    parseConfig(text, 'janitor.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
}

const separators = 'letters and digits are separated by one `.`, one or two `_`, or dashes';

/** Issue #12, item 15: names the registries refuse fail `validate`, saying what is wrong. */
const refused: Array<[entry: string, message: string]> = [
  ['a//b', '`a//b`: two slashes in a row'],
  ['x/', '`x/`: ends with a slash'],
  ['/x', '`/x`: starts with a slash'],
  ['-bad', '`-bad`: starts with `-`: a name starts with a lower-case letter or a digit'],
  ['bad.', '`bad.`: ends with `.`: a name ends with a lower-case letter or a digit'],
  ['a..b', `\`a..b\`: two dots in a row: ${separators}`],
  ['a___b', `\`a___b\`: three underscores in a row: ${separators}`],
  ['a.-b', `\`a.-b\`: \`.-\` in a row: ${separators}, not a mix`],
  [
    'team/-api',
    '`team/-api`: `-` right after a slash: each part of a name starts with a lower-case letter or a digit',
  ],
  [
    'team_/api',
    '`team_/api`: `_` right before a slash: each part of a name ends with a lower-case letter or a digit',
  ],
  ['Team/API', '`Team/API`: repository names are lower case (`team/api`)'],
  [
    'team api',
    '`team api`: " " cannot be in a repository name (lower-case letters, digits, `.`, `_`, `-` and `/`; in a glob also `*`, `?`, `[…]`, `{…}`)',
  ],
  ['', 'a repository name cannot be empty'],
  [
    'team-*/..x*',
    `\`team-*/..x*\`: \`.\` right after a slash: each part of a name starts with a lower-case letter or a digit; two dots in a row: ${separators}`,
  ],
  ['*..*', `\`*..*\`: two dots in a row: ${separators}`],
  ['-*', '`-*`: starts with `-`: a name starts with a lower-case letter or a digit'],
  ['a', '`a`: ECR repository names are 2 to 256 characters long, this one is 1'],
  [
    'a'.repeat(257),
    `\`${'a'.repeat(257)}\`: ECR repository names are 2 to 256 characters long, this one is 257`,
  ],
];

describe('repository names and globs, by the registries’ grammar', () => {
  for (const [entry, message] of refused) {
    it(`refuses ${JSON.stringify(entry.slice(0, 20))} in repositories and excludeRepositories`, () => {
      expect(problemsFor(entry)).toEqual([
        `rules[0].repositories[0]: ${message}`,
        `rules[0].excludeRepositories[0]: ${message}`,
      ]);
    });
  }

  it.each([
    'kayron',
    'splits-lite',
    'team/api',
    'a__b',
    'a--b',
    'a.b_c-d/e9',
    'ab',
    'team-*/*',
    'team-*',
    '**',
    '*/api',
    'api-v?',
    '{alloy,kayron}',
    'team/[ab]*',
  ])('takes %s', (entry) => {
    expect(problemsFor(entry)).toEqual([]);
  });

  it('takes a one-letter name on an OCI registry, whose spec sets no shortest length', () => {
    expect(problemsFor('a', 'registry: {type: oci, url: "https://r.example.com"}')).toEqual([]);
  });

  it('agrees with the OCI regular expression on every name without wildcards', () => {
    const character = fc.constantFrom(...'ab09._-/'.split(''));
    fc.assert(
      fc.property(fc.array(character, { minLength: 1, maxLength: 12 }), (characters) => {
        const name = characters.join('');
        expect(repositoryNameProblem(name) === undefined).toBe(ociName.test(name));
      }),
      { numRuns: 3_000 },
    );
  });
});
