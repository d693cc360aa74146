import { describe, expect, it } from 'vitest';
import { matchCandidates } from '../../src/core/match.js';
import type { Image } from '../../src/core/types.js';
import { day, digestOf, releaseRule, shaRule, single } from '../support/inventory.js';

describe('matchCandidates (the seed: one tag, a push time, a matching prefix)', () => {
  const table: Array<{ name: string; image: Image; rule: typeof shaRule; expected: string }> = [
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
