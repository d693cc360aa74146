import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/core/plan.js';
import { withoutRetagged } from '../../src/core/retag.js';
import type { HandlerSpec, Image, Manifest } from '../../src/core/types.js';
import { child, index, single } from '../support/inventory.js';

const handler: HandlerSpec = {
  name: 'repo:v',
  repository: 'repo',
  rule: { name: 'v', prefixes: ['v'], keep: 2, drop: 5 },
};

function scene() {
  const shared = child('shared');
  const oldAmd = child('old-amd');
  const old = index('v1', 1, [oldAmd, shared]);
  const otherAmd = child('other-amd');
  const other = index('v2', 2, [otherAmd, shared]);
  const signature: Image = { ...child('signature'), subjectDigest: old.image.digest };
  const images = [
    old.image,
    oldAmd,
    shared,
    other.image,
    otherAmd,
    signature,
    single('v8', 8),
    single('v9', 9),
  ];
  const manifests: Manifest[] = [old.manifest, other.manifest];
  const byDigest = new Map(manifests.map((manifest) => [manifest.digest, manifest]));
  const plan = buildPlan({ handler, images, manifests: byDigest });
  return { old, oldAmd, other, otherAmd, shared, signature, images, byDigest, plan };
}

describe('withoutRetagged (the retag race)', () => {
  it('changes nothing when no doomed digest gained a tag', () => {
    const { plan, images, byDigest, old } = scene();
    const tagsNow = new Map([[old.image.digest, ['v1']]]);
    expect(withoutRetagged(plan, images, byDigest, tagsNow)).toEqual({ plan, retagged: [] });
  });

  it('keeps an image tagged since the listing, with its children and referrers; the rest still goes', () => {
    const { plan, images, byDigest, old, oldAmd, other, otherAmd, shared, signature } = scene();
    expect(plan.waves.flat()).toHaveLength(6);
    const result = withoutRetagged(plan, images, byDigest, new Map([[old.image.digest, ['v1', 'prod']]]));
    expect(result.retagged).toEqual([{ digest: old.image.digest, tags: ['v1', 'prod'] }]);
    const going = new Set(result.plan.waves.flat().map((deletion) => deletion.digest));
    expect(going).toEqual(new Set([other.image.digest, otherAmd.digest]));
    for (const staying of [old.image, oldAmd, shared, signature])
      expect(going.has(staying.digest)).toBe(false);
    expect(result.plan.groups.map((group) => group.tag)).toEqual(['v2']);
    expect(result.plan.bytesReclaimed).toBe(100);
    const decision = result.plan.decisions.find((each) => each.image.digest === old.image.digest);
    expect(decision).toMatchObject({ fate: 'keep', reason: 'retagged' });
    expect(decision?.explanation).toContain('tagged v1, prod after the listing');
  });

  it('keeps a child tagged since the listing, while the index that named it may still go', () => {
    const { plan, images, byDigest, old, oldAmd } = scene();
    const result = withoutRetagged(plan, images, byDigest, new Map([[oldAmd.digest, ['pinned']]]));
    const going = new Set(result.plan.waves.flat().map((deletion) => deletion.digest));
    expect(going.has(oldAmd.digest)).toBe(false);
    expect(going.has(old.image.digest)).toBe(true);
    const member = result.plan.groups[0]?.members.find((each) => each.digest === oldAmd.digest);
    expect(member).toMatchObject({ fate: 'keep' });
    expect(member?.keptBecause).toContain('pinned');
  });

  it('keeps the image a referrer is about when the referrer gained a tag', () => {
    const { plan, images, byDigest, old, oldAmd, signature } = scene();
    const result = withoutRetagged(plan, images, byDigest, new Map([[signature.digest, ['sbom-v1']]]));
    const going = new Set(result.plan.waves.flat().map((deletion) => deletion.digest));
    for (const staying of [signature, old.image, oldAmd]) expect(going.has(staying.digest)).toBe(false);
  });
});
