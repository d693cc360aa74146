import { describe, expect, it } from 'vitest';
import { matchCandidates } from '../../src/core/match.js';
import { selectForRemoval } from '../../src/core/select.js';
import type { Image } from '../../src/core/types.js';
import { shaImages, shaRule, single } from '../support/inventory.js';

function removedTags(images: Image[], keep = 10, drop = 5): string[] {
  const { candidates } = matchCandidates(images, shaRule);
  return selectForRemoval(candidates, { keep, drop }).remove.map((candidate) => candidate.tag);
}

describe('selectForRemoval: min(drop, max(0, n − keep)) of the oldest', () => {
  const table: Array<{ name: string; count: number; expected: string[] }> = [
    { name: 'empty', count: 0, expected: [] },
    { name: 'fewer than keep', count: 4, expected: [] },
    { name: 'exactly keep', count: 10, expected: [] },
    { name: 'keep + 1 removes the single oldest', count: 11, expected: ['a000'] },
    { name: 'keep + drop removes drop', count: 15, expected: ['a000', 'a001', 'a002', 'a003', 'a004'] },
    {
      name: 'more than keep + drop still removes only drop',
      count: 40,
      expected: ['a000', 'a001', 'a002', 'a003', 'a004'],
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      expect(removedTags(shaImages(row.count))).toEqual(row.expected);
    });
  }

  it('sorts by push time, not by listing order', () => {
    const images = shaImages(12).reverse();
    expect(removedTags(images)).toEqual(['a000', 'a001']);
  });

  it('drop 0 removes nothing', () => {
    expect(removedTags(shaImages(30), 10, 0)).toEqual([]);
  });

  it('breaks ties on push time by tag, whatever the input order', () => {
    const tied = [single('b2', 1), single('b1', 1), single('b3', 1)];
    const newer = Array.from({ length: 10 }, (_, index) => single(`c${index}`, 10 + index));
    expect(removedTags([...tied, ...newer], 10, 2)).toEqual(['b1', 'b2']);
    expect(removedTags([...newer, ...[...tied].reverse()], 10, 2)).toEqual(['b1', 'b2']);
  });

  it('never mutates its input', () => {
    const { candidates } = matchCandidates(shaImages(15).reverse(), shaRule);
    const before = candidates.map((candidate) => candidate.tag);
    selectForRemoval(candidates, { keep: 10, drop: 5 });
    expect(candidates.map((candidate) => candidate.tag)).toEqual(before);
  });

  it('gives every candidate a decision with its reason', () => {
    const { candidates } = matchCandidates(shaImages(17), shaRule);
    const { decisions } = selectForRemoval(candidates, { keep: 10, drop: 5 });
    const reasons = decisions.map((decision) => (decision.fate === 'skip' ? 'skip' : decision.reason));
    expect(reasons.filter((reason) => reason === 'older-than-newest')).toHaveLength(5);
    expect(reasons.filter((reason) => reason === 'beyond-drop-limit')).toHaveLength(2);
    expect(reasons.filter((reason) => reason === 'newest')).toHaveLength(10);
  });
});
