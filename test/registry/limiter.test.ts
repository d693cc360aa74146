import { describe, expect, it } from 'vitest';
import { RequestLimiter } from '../../src/registry/limiter.js';

describe('RequestLimiter', () => {
  it('never runs more than its limit at once, even when a finished task starts the next one at once', async () => {
    for (const limit of [1, 3]) {
      const limiter = new RequestLimiter(limit);
      let active = 0;
      let most = 0;
      const task = async (hops: number) => {
        active += 1;
        most = Math.max(most, active);
        for (let hop = 0; hop < hops; hop += 1) await Promise.resolve();
        active -= 1;
      };
      // Chains of sequential calls, like pages of a listing, competing with queued ones.
      const chain = async (length: number) => {
        for (let step = 0; step < length; step += 1) await limiter.run(() => task(1 + (step % 3)));
      };
      await Promise.all(Array.from({ length: 20 }, (_, index) => chain(1 + (index % 5))));
      expect(most, `limit ${limit}`).toBeLessThanOrEqual(limit);
      expect(most).toBeGreaterThan(0);
    }
  });
});
