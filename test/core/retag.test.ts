import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/core/plan.js';
import { changesSince, planWithout, stayingAfter, wavesWithout } from '../../src/core/retag.js';
import type { HandlerSpec, Image, Manifest } from '../../src/core/types.js';
import { child, digestOf, index, single } from '../support/inventory.js';

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
  const doomed = plan.waves.flat().map((deletion) => deletion.digest);
  return { old, oldAmd, other, otherAmd, shared, signature, images, byDigest, plan, doomed };
}

/** The plan after these changes: what stays, and the plan without it. */
function afterChanges(
  { images, byDigest, plan, doomed }: ReturnType<typeof scene>,
  now: Map<string, { tags: string[]; archived?: boolean }>,
  extra: { images?: Image[]; manifests?: Manifest[] } = {},
) {
  const { changed, appeared } = changesSince([...images], doomed, now);
  const all = [...images, ...(extra.images ?? [])];
  const manifests = new Map([
    ...byDigest,
    ...(extra.manifests ?? []).map((each) => [each.digest, each] as const),
  ]);
  const staying = stayingAfter(all, manifests, [...changed, ...appeared]);
  return {
    changed,
    appeared,
    staying,
    plan: planWithout(plan, staying),
    going: new Set(
      wavesWithout(plan.waves, staying)
        .flat()
        .map((deletion) => deletion.digest),
    ),
  };
}

describe('the check before deleting (the retag race)', () => {
  it('changes nothing when every doomed digest is as listed, or gone', () => {
    const world = scene();
    const now = new Map([[world.old.image.digest, { tags: ['v1'] }]]);
    const result = afterChanges(world, now);
    expect(result.changed).toEqual([]);
    expect(result.plan).toBe(world.plan);
    expect(result.going.size).toBe(world.doomed.length);
  });

  it('keeps an image tagged since the listing, with its children and referrers; the rest still goes', () => {
    const world = scene();
    const { old, oldAmd, other, otherAmd, shared, signature } = world;
    expect(world.doomed).toHaveLength(6);
    const result = afterChanges(world, new Map([[old.image.digest, { tags: ['v1', 'prod'] }]]));
    expect(result.changed).toEqual([
      { digest: old.image.digest, tags: ['v1', 'prod'], change: 'tagged prod after the listing' },
    ]);
    expect(result.going).toEqual(new Set([other.image.digest, otherAmd.digest]));
    for (const staying of [old.image, oldAmd, shared, signature])
      expect(result.going.has(staying.digest)).toBe(false);
    expect(result.plan.groups.map((group) => group.tag)).toEqual(['v2']);
    expect(result.plan.bytesReclaimed).toBe(100);
    const decision = result.plan.decisions.find((each) => each.image.digest === old.image.digest);
    expect(decision).toMatchObject({ fate: 'keep', reason: 'retagged' });
    expect(decision?.explanation).toContain('tagged prod after the listing');
  });

  it('keeps an image whose tag moved away (perhaps onto an index that names it)', () => {
    const world = scene();
    const result = afterChanges(world, new Map([[world.old.image.digest, { tags: [] }]]));
    expect(result.changed[0]?.change).toContain('lost the tag v1 after the listing');
    expect(result.going.has(world.old.image.digest)).toBe(false);
    expect(result.going.has(world.oldAmd.digest)).toBe(false);
  });

  it('keeps what a manifest tagged since the listing names, and what that reaches', () => {
    const world = scene();
    // A new index, tagged after the listing, that names the doomed old index's platform manifest.
    const wrapper = index('v1-rebuilt', 10, [world.oldAmd]);
    const now = new Map([[wrapper.image.digest, { tags: ['v1-rebuilt'] }]]);
    const result = afterChanges(world, now, {
      images: [{ digest: wrapper.image.digest, tags: ['v1-rebuilt'] }],
      manifests: [wrapper.manifest],
    });
    expect(result.appeared.map((entry) => entry.digest)).toEqual([wrapper.image.digest]);
    expect(result.going.has(world.oldAmd.digest)).toBe(false);
    // The old index itself names nothing the new one needs: it still goes.
    expect(result.going.has(world.old.image.digest)).toBe(true);
  });

  it('keeps a child tagged since the listing, while the index that named it may still go', () => {
    const world = scene();
    const result = afterChanges(world, new Map([[world.oldAmd.digest, { tags: ['pinned'] }]]));
    expect(result.going.has(world.oldAmd.digest)).toBe(false);
    expect(result.going.has(world.old.image.digest)).toBe(true);
    const member = result.plan.groups[0]?.members.find((each) => each.digest === world.oldAmd.digest);
    expect(member).toMatchObject({ fate: 'keep' });
    expect(member?.keptBecause).toContain('pinned');
  });

  it('keeps the image a referrer is about when the referrer gained a tag', () => {
    const world = scene();
    const result = afterChanges(world, new Map([[world.signature.digest, { tags: ['sbom-v1'] }]]));
    for (const staying of [world.signature, world.old.image, world.oldAmd])
      expect(result.going.has(staying.digest)).toBe(false);
  });

  it('keeps an image archived since the listing', () => {
    const world = scene();
    const result = afterChanges(
      world,
      new Map([[world.other.image.digest, { tags: ['v2'], archived: true }]]),
    );
    expect(result.changed[0]?.change).toBe('archived after the listing');
    expect(result.going.has(world.other.image.digest)).toBe(false);
    expect(result.going.has(world.otherAmd.digest)).toBe(false);
    expect(result.going.has(digestOf('old-amd'))).toBe(true);
  });
});
