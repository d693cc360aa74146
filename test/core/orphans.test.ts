import { describe, expect, it } from 'vitest';
import { buildPlan, manifestsNeeded } from '../../src/core/plan.js';
import { type HandlerSpec, type Image, type Manifest, MediaType, type Rule } from '../../src/core/types.js';
import { child, day, digestOf, index, single } from '../support/inventory.js';

const orphanRule: Rule = {
  name: 'untagged',
  prefixes: [],
  keep: 0,
  drop: 100,
  untaggedOlderThanMs: 86_400_000,
};
const handler: HandlerSpec = { name: 'kayron:untagged', repository: 'kayron', rule: orphanRule };
const now = day(30);

function untagged(name: string, pushedDay: number, mediaType: string = MediaType.ociManifest): Image {
  return { digest: digestOf(name), tags: [], pushedAt: day(pushedDay), sizeBytes: 10, mediaType };
}

function plan(images: Image[], manifests: Manifest[] = [], rule = orphanRule) {
  return buildPlan({
    handler: { ...handler, rule },
    images,
    manifests: new Map(manifests.map((manifest) => [manifest.digest, manifest])),
    now,
  });
}

const deleted = (result: ReturnType<typeof plan>) =>
  result.waves
    .flat()
    .map((deletion) => deletion.digest)
    .sort();

describe('orphan rule: untagged manifests no tag reaches, older than the grace period', () => {
  it('deletes an old untagged manifest nothing references', () => {
    const orphan = untagged('orphan', 1);
    expect(deleted(plan([orphan, single('v1', 1)]))).toEqual([orphan.digest]);
  });

  it('keeps an orphan younger than the grace period: a push may be in progress', () => {
    expect(deleted(plan([untagged('fresh', 30), single('v1', 1)]))).toEqual([]);
  });

  it('keeps untagged children of a tagged index, however old', () => {
    const amd = child('amd');
    const tagged = index('v1', 1, [amd]);
    expect(deleted(plan([tagged.image, amd], [tagged.manifest]))).toEqual([]);
  });

  it('takes an orphan index with its children, index first, as one image', () => {
    const amd = untagged('amd', 1);
    const orphanIndex = untagged('orphan-index', 1, MediaType.ociIndex);
    const result = plan(
      [orphanIndex, amd],
      [{ kind: 'index', digest: orphanIndex.digest, mediaType: MediaType.ociIndex, children: [amd.digest] }],
    );
    expect(result.groups).toHaveLength(1);
    expect(result.waves.map((wave) => wave.map((deletion) => deletion.digest))).toEqual([
      [orphanIndex.digest],
      [amd.digest],
    ]);
  });

  it('keeps an old child that a young untagged index still references', () => {
    const amd = untagged('amd', 1);
    const youngIndex = untagged('young-index', 30, MediaType.ociIndex);
    const result = plan(
      [youngIndex, amd],
      [{ kind: 'index', digest: youngIndex.digest, mediaType: MediaType.ociIndex, children: [amd.digest] }],
    );
    expect(deleted(result)).toEqual([]);
  });

  it('deletes a referrer whose subject is gone, and keeps one whose subject stays', () => {
    const subject = single('v1', 1);
    const dangling = { ...untagged('dangling-signature', 1), subjectDigest: digestOf('gone') };
    const attached = { ...untagged('attached-signature', 1), subjectDigest: subject.digest };
    expect(deleted(plan([subject, dangling, attached]))).toEqual([dangling.digest]);
  });

  it('caps a run at drop orphans, oldest first', () => {
    const orphans = [5, 3, 4, 1, 2].map((pushedDay) => untagged(`orphan-${pushedDay}`, pushedDay));
    const result = plan(orphans, [], { ...orphanRule, drop: 2 });
    expect(result.candidateCount).toBe(5);
    expect(deleted(result)).toEqual([digestOf('orphan-1'), digestOf('orphan-2')].sort());
  });

  it('fails closed when an index cannot be read', () => {
    const orphan = untagged('orphan', 1);
    const unreadable = untagged('unreadable-index', 1, MediaType.ociIndex);
    const result = plan(
      [orphan, unreadable],
      [{ kind: 'unreadable', digest: unreadable.digest, reason: 'test' }],
    );
    expect(result.waves).toEqual([]);
    expect(result.blockers.map((blocker) => blocker.message).join()).toContain('cannot be read');
  });

  it('reads every index only when some untagged manifest is old enough to be an orphan', () => {
    const tagged = index('v1', 1, [child('amd')]);
    expect(manifestsNeeded(handler, [tagged.image, untagged('fresh', 30)], now)).toEqual([]);
    expect(manifestsNeeded(handler, [tagged.image, untagged('old', 1)], now)).toEqual([tagged.image.digest]);
  });
});

describe('circuit breaker', () => {
  it('refuses a tag rule run that would delete more than maxDeleteShare of the tagged images', () => {
    const images = Array.from({ length: 6 }, (_, position) => single(`a${position}`, position));
    const rule = { name: 'sha', prefixes: ['a'], keep: 1, drop: 5, maxDeleteShare: 0.5 };
    const result = buildPlan({
      handler: { name: 'kayron:sha', repository: 'kayron', rule },
      images,
      manifests: new Map(),
    });
    expect(result.waves).toEqual([]);
    expect(result.blockers[0]?.kind).toBe('circuit-breaker');
    expect(result.blockers[0]?.message).toMatch(
      /circuit breaker: this run would delete 5 of the 6 tagged images of kayron \(83.3 %\)/,
    );
  });

  it('lets a run at the limit through, and is off when maxDeleteShare is unset', () => {
    const images = Array.from({ length: 4 }, (_, position) => single(`a${position}`, position));
    const atLimit = { name: 'sha', prefixes: ['a'], keep: 2, drop: 5, maxDeleteShare: 0.5 };
    const off = { name: 'sha', prefixes: ['a'], keep: 1, drop: 5 };
    const planWith = (rule: typeof off) =>
      buildPlan({
        handler: { name: 'kayron:sha', repository: 'kayron', rule },
        images,
        manifests: new Map(),
      });
    expect(planWith(atLimit).groups).toHaveLength(2);
    expect(planWith(off).groups).toHaveLength(3);
  });

  it('counts manifests for an orphan rule, so a listing that lost its tags cannot empty a repository', () => {
    const orphans = [1, 2, 3].map((pushedDay) => untagged(`orphan-${pushedDay}`, pushedDay));
    const result = plan([...orphans, single('v1', 1)], [], { ...orphanRule, maxDeleteShare: 0.5 });
    expect(result.blockers[0]?.kind).toBe('circuit-breaker');
    expect(result.blockers[0]?.message).toContain('would delete 3 of the 4 manifests');
  });

  it('never takes an untagged schema 1 manifest for an orphan: a human decides', () => {
    const legacy = untagged('legacy', 0, 'application/vnd.docker.distribution.manifest.v1+prettyjws');
    const result = plan([legacy, untagged('plain', 0)]);
    expect(deleted(result)).toEqual([digestOf('plain')]);
  });
});
