import { describe, expect, it } from 'vitest';
import { RequestLimiter } from '../../src/registry/limiter.js';

describe('RequestLimiter', () => {
  it('never runs more than its limit at once, even when tasks end and start in the same tick', async () => {
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
      await Promise.all(Array.from({ length: 200 }, (_, index) => limiter.run(() => task(index % 3))));
      expect(most, `limit ${limit}`).toBe(limit);
    }
  });
});
