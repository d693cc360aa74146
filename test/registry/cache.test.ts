import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/registry/cache.js';

describe('BoundedCache', () => {
  it('forgets the least recently used entry beyond its capacity', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('c', 3);
    expect(cache.has('b')).toBe(false);
    expect([cache.get('a'), cache.get('c'), cache.size]).toEqual([1, 3, 2]);
  });

  it('keeps entries whose value is undefined, told apart by has', () => {
    const cache = new BoundedCache<string, Date | undefined>(2);
    cache.set('unknown', undefined);
    expect(cache.has('unknown')).toBe(true);
    expect(cache.has('other')).toBe(false);
  });
});
