import { describe, expect, it } from 'vitest';
import { matchCandidates } from '../../src/core/match.js';
import { type Image, MediaType, type Rule } from '../../src/core/types.js';
import { commitHashRule, day, digestOf, releaseRule, shaRule, single } from '../support/inventory.js';

describe('matchCandidates (the seed: one tag, a push time, a matching prefix)', () => {
  const table: Array<{ name: string; image: Image; rule: Rule; expected: string }> = [
    {
      name: 'sha tag matches the sha set',
      image: single('1cd6f00', 1),
      rule: shaRule,
      expected: 'candidate',
    },
    { name: 'hex letter prefix matches', image: single('fa11', 1), rule: shaRule, expected: 'candidate' },
    { name: 'release tag matches v', image: single('v0.2.2', 1), rule: releaseRule, expected: 'candidate' },
    {
      name: 'release tag is not a sha',
      image: single('v0.2.2', 1),
      rule: shaRule,
      expected: 'prefix-mismatch',
    },
    {
      name: 'upper-case hex is not the sha set',
      image: single('ABC123', 1),
      rule: shaRule,
      expected: 'prefix-mismatch',
    },
    {
      name: 'latest matches nothing',
      image: single('latest', 1),
      rule: releaseRule,
      expected: 'prefix-mismatch',
    },
    {
      name: 'several tags, one matching',
      image: { ...single('v1', 1), tags: ['v1', 'stable'] },
      rule: releaseRule,
      expected: 'several-tags',
    },
    {
      name: 'several tags, none matching',
      image: { ...single('x', 1), tags: ['stable', 'prod'] },
      rule: releaseRule,
      expected: 'prefix-mismatch',
    },
    {
      name: 'no push time',
      image: { digest: digestOf('nopush'), tags: ['v9'], mediaType: 'x' },
      rule: releaseRule,
      expected: 'no-push-time',
    },
    {
      name: 'invalid push time',
      image: { digest: digestOf('bad'), tags: ['v9'], pushedAt: new Date(Number.NaN) },
      rule: releaseRule,
      expected: 'no-push-time',
    },
  ];

  const hex40 = '1cd6f0a2b3c4d5e6f708192a3b4c5d6e7f801234';
  const referrer = `sha256-${'ab'.repeat(32)}`;
  const everything: Rule = { name: 'all', prefixes: [], globs: ['*'], keep: 1, drop: 5 };
  table.push(
    // `tags: sha` means commit hashes: hex digits only, 7 to 64 of them.
    { name: 'sha: a short commit', image: single('1cd6f00', 1), rule: commitHashRule, expected: 'candidate' },
    { name: 'sha: a full commit', image: single(hex40, 1), rule: commitHashRule, expected: 'candidate' },
    {
      name: 'sha: a sha256-length hash',
      image: single('ab'.repeat(32), 1),
      rule: commitHashRule,
      expected: 'candidate',
    },
    ...['dev', 'beta', 'edge', 'cache', 'deploy-prod', 'feature-login', 'abc12', 'a'.repeat(65)].map(
      (tag) => ({
        name: `sha: ${tag.length > 20 ? '65 hex digits' : tag} only starts like a commit`,
        image: single(tag, 1),
        rule: commitHashRule,
        expected: 'not-a-commit-hash',
      }),
    ),
    {
      name: 'sha: a release is no commit',
      image: single('v1.2.3', 1),
      rule: commitHashRule,
      expected: 'prefix-mismatch',
    },
    {
      name: 'sha: upper-case hex is not',
      image: single('ABCDEF12', 1),
      rule: commitHashRule,
      expected: 'prefix-mismatch',
    },
    // Referrers named by a tag scheme go and stay with their subject, whatever a rule matches.
    {
      name: 'a referrers fallback index',
      image: single(referrer, 1),
      rule: everything,
      expected: 'referrer-tag',
    },
    {
      name: 'a cosign signature',
      image: single(`${referrer}.sig`, 1),
      rule: everything,
      expected: 'referrer-tag',
    },
    {
      name: 'schema1 is never a candidate',
      image: {
        ...single('v1-legacy', 1),
        mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
      },
      rule: releaseRule,
      expected: 'legacy-media-type',
    },
    {
      name: 'an archived image is never a candidate',
      image: { ...single('v9-archived', 1), mediaType: MediaType.ociManifest, archived: true },
      rule: releaseRule,
      expected: 'archived',
    },
  );

  for (const row of table) {
    it(row.name, () => {
      const result = matchCandidates([row.image], row.rule);
      const outcome = result.candidates.length === 1 ? 'candidate' : result.skipped[0]?.reason;
      expect(outcome).toBe(row.expected);
      if (row.expected !== 'candidate') expect(result.skipped[0]?.explanation).toMatch(/\S/);
    });
  }

  it('counts untagged images without listing them as skipped', () => {
    const untagged: Image = { digest: digestOf('child'), tags: [], pushedAt: day(1) };
    const result = matchCandidates([untagged, single('v1', 2)], releaseRule);
    expect(result.untaggedCount).toBe(1);
    expect(result.skipped).toEqual([]);
    expect(result.candidates.map((candidate) => candidate.tag)).toEqual(['v1']);
  });
});
