import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketFor, costOf, defaultPointsPerMinute } from '../../src/registry/ghcr/points.js';

describe('the budget of GitHub secondary-limit points', () => {
  it('never lets 60 seconds spend more than the minute’s points, and always fits a DELETE', () => {
    fc.assert(
      fc.property(fc.integer({ min: 65, max: 100_000 }), (pointsPerMinute) => {
        const { burst, perSecond } = bucketFor(pointsPerMinute);
        expect(burst + 60 * perSecond).toBeLessThanOrEqual(pointsPerMinute);
        expect(burst).toBeGreaterThanOrEqual(costOf('DELETE'));
      }),
    );
  });

  it('keeps the default under GitHub’s 900, with reads at 1 point and writes at 5', () => {
    const { burst, perSecond } = bucketFor(defaultPointsPerMinute);
    expect({ burst, perSecond, minute: burst + 60 * perSecond }).toEqual({
      burst: 97,
      perSecond: 13,
      minute: 877,
    });
    expect([costOf('GET'), costOf('HEAD'), costOf('DELETE'), costOf('POST')]).toEqual([1, 1, 5, 5]);
  });
});
