import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/core/plan.js';
import { type HandlerSpec, type Image, type Manifest, MediaType } from '../../src/core/types.js';
import { child, day, digestOf, index, shaRule, single } from '../support/inventory.js';

const handler: HandlerSpec = { name: 'kayron:sha', repository: 'kayron', rule: { ...shaRule, drop: 2 } };
const newest = Array.from({ length: 10 }, (_, position) => single(`f${position}`, 100 + position));

function plan(images: Image[], manifests: Manifest[], inUse: Record<string, string>, spec = handler) {
  return buildPlan({
    handler: spec,
    images,
    manifests: new Map(manifests.map((manifest) => [manifest.digest, manifest])),
    inUse: new Map(Object.entries(inUse)),
    now: day(400),
  });
}

/** An untagged index over `children` (a nested index, or one whose tag was moved away). */
function untaggedIndex(name: string, children: readonly Image[]): { image: Image; manifest: Manifest } {
  const manifest: Manifest = {
    kind: 'index',
    digest: digestOf(name),
    mediaType: MediaType.ociIndex,
    children: children.map((each) => each.digest),
  };
  return {
    image: { digest: manifest.digest, tags: [], pushedAt: day(0), mediaType: MediaType.ociIndex },
    manifest,
  };
}

function deleted(result: ReturnType<typeof plan>): string[] {
  return result.waves.flat().map((deletion) => deletion.digest);
}

describe('in use: a keep condition', () => {
  it('keeps an old image a workload runs, with the reason, and the next oldest goes instead', () => {
    const [a1, a2, a3] = [single('a1', 1), single('a2', 2), single('a3', 3)];
    const result = plan([a1, a2, a3, ...newest], [], {
      [a1.digest]: 'in use by ecs service prod/api (task definition api:42)',
    });
    expect(deleted(result).sort()).toEqual([a2.digest, a3.digest].sort());
    expect(result.decisions).toContainEqual(
      expect.objectContaining({
        fate: 'keep',
        tag: 'a1',
        reason: 'in-use',
        explanation: 'in use by ecs service prod/api (task definition api:42)',
      }),
    );
  });

  it('keeps the newest as the newest: in use adds to keep, it never takes from it', () => {
    const result = plan([...newest], [], { [(newest[9] as Image).digest]: 'in use by lambda billing:live' });
    expect(
      result.decisions.filter((decision) => decision.fate === 'keep' && decision.reason === 'newest'),
    ).toHaveLength(10);
  });

  it('a platform manifest in use keeps the index that names it, and its other children', () => {
    const amd = child('amd');
    const arm = child('arm');
    const old = index('a1', 1, [amd, arm]);
    const result = plan([old.image, amd, arm, ...newest], [old.manifest], {
      [amd.digest]: 'in use by kubernetes pod shop/web-1',
    });
    expect(deleted(result)).toEqual([]);
    const decision = result.decisions.find((each) => each.image.digest === old.image.digest);
    expect(decision).toMatchObject({ fate: 'keep', reason: 'in-use' });
    expect(decision?.explanation).toMatch(
      /^its manifest sha256:[0-9a-f]{12} is in use by kubernetes pod shop\/web-1$/,
    );
  });

  it('an index in use keeps every child, even one another selected index shares', () => {
    const shared = child('shared');
    const used = index('a1', 1, [shared]);
    const other = index('a2', 2, [shared, child('own')]);
    const result = plan(
      [used.image, other.image, shared, child('own'), ...newest],
      [used.manifest, other.manifest],
      { [used.image.digest]: 'in use by lambda billing ($LATEST)' },
    );
    expect(deleted(result).sort()).toEqual([other.image.digest, digestOf('own')].sort());
  });

  it('nested indexes: a child two levels down keeps both indexes above it', () => {
    const leaf = child('leaf');
    const { image: innerImage, manifest: inner } = untaggedIndex('inner', [leaf]);
    const outer = index('a1', 1, [innerImage]);
    const result = plan([outer.image, innerImage, leaf, ...newest], [outer.manifest, inner], {
      [leaf.digest]: 'in use by kubernetes cronjob batch/report',
    });
    expect(deleted(result)).toEqual([]);
  });

  it('an untagged digest in use is no orphan, and neither is an untagged index naming it', () => {
    const orphanRule: HandlerSpec = {
      name: 'kayron:untagged',
      repository: 'kayron',
      rule: { name: 'untagged', prefixes: [], keep: 0, drop: 100, untaggedOlderThanMs: 86_400_000 },
    };
    const pinned = child('pinned');
    const alone = child('alone');
    const { image: listImage, manifest: list } = untaggedIndex('list', [pinned]);
    const result = plan(
      [pinned, alone, listImage],
      [list],
      { [pinned.digest]: 'in use by kubernetes pod shop/web-1' },
      orphanRule,
    );
    expect(deleted(result)).toEqual([alone.digest]);
    expect(
      result.decisions.map((decision) => [decision.image.digest, decision.fate, decision.reason]),
    ).toEqual(
      expect.arrayContaining([
        [pinned.digest, 'keep', 'in-use'],
        [listImage.digest, 'keep', 'in-use'],
      ]),
    );
  });
});
