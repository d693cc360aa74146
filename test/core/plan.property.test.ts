import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReferenceGraph } from '../../src/core/graph.js';
import { matchCandidates } from '../../src/core/match.js';
import { buildPlan } from '../../src/core/plan.js';
import { compareOldestFirst } from '../../src/core/select.js';
import { type Image, type Manifest, MediaType, type Rule } from '../../src/core/types.js';
import { day, digestOf } from '../support/inventory.js';

/** `value` one time in `1 + nilWeight`, null otherwise. */
function sometimes<T>(value: fc.Arbitrary<T>, nilWeight: number): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: nilWeight }, { arbitrary: value, weight: 1 });
}

/**
 * Random repositories: tagged images (single manifests or indexes), untagged platform manifests
 * shared between indexes, nested indexes, untagged indexes, images with two tags or no push time,
 * ties on push time — and a random rule. Every invariant of ARCHITECTURE §4 must hold.
 */
const repositoryArbitrary = fc
  .record({
    // Few leaves for many indexes, so that indexes often share platform manifests.
    leaves: fc.integer({ min: 0, max: 6 }),
    images: fc.array(
      fc.record({
        tag: fc.constantFrom('a', 'b', 'v', 'v', 'x'),
        // fc.option's `freq` makes nil 1 in freq; these weights make the rarer cases rare.
        secondTag: sometimes(fc.constantFrom('latest', 'stable'), 6),
        pushedDay: fc.option(fc.integer({ min: 0, max: 20 }), { freq: 12 }),
        childPicks: fc.option(fc.array(fc.nat(), { maxLength: 4 }), { freq: 2 }),
        tagged: fc.constantFrom(true, true, true, false),
        /**
         * Makes this image a referrer (a signature, an SBOM) of an earlier image: by `subject`
         * (untagged, or with a tag of its own), by cosign's tag, or as the entry of an OCI 1.1
         * referrers tag schema index (`sha256-<hex>`) pushed with it.
         */
        subjectPick: sometimes(
          fc.record({ pick: fc.nat(), how: fc.constantFrom('subject', 'tagged', 'cosign', 'fallback') }),
          2,
        ),
      }),
      { minLength: 4, maxLength: 24 },
    ),
    keep: fc.integer({ min: 1, max: 4 }),
    drop: fc.integer({ min: 0, max: 6 }),
    everything: fc.boolean(),
  })
  .map(({ leaves, images: specs, keep, drop, everything }) => {
    const images: Image[] = [];
    const manifests: Manifest[] = [];
    const leafDigests = Array.from({ length: leaves }, (_, index) => digestOf(`leaf-${index}`));
    for (const digest of leafDigests)
      images.push({ digest, tags: [], sizeBytes: 10, mediaType: MediaType.ociManifest });
    const indexDigests: string[] = [];
    specs.forEach((spec, position) => {
      const digest = digestOf(`image-${position}`);
      let tags = spec.tagged ? [`${spec.tag}${position}`, ...(spec.secondTag ? [spec.secondTag] : [])] : [];
      const isIndex = spec.childPicks !== null;
      // Signatures may be of anything earlier (even of other signatures); SBOMs with tags of their
      // own and fallback indexes are about images a rule may select.
      const plain = (image: Image) =>
        image.tags.length > 0 && image.subjectDigest === undefined && !image.tags[0]?.startsWith('sha256-');
      const about = ['tagged', 'fallback'].includes(spec.subjectPick?.how ?? '')
        ? images.filter(plain)
        : images.slice(leafDigests.length);
      const subject =
        spec.subjectPick && about.length > 0 ? about[spec.subjectPick.pick % about.length] : undefined;
      const how = subject ? spec.subjectPick?.how : undefined;
      if (subject && how === 'cosign') tags = [`${subject.digest.replace(':', '-')}.sig`];
      if (subject && (how === 'subject' || how === 'fallback')) tags = [];
      if (subject && how === 'tagged') tags = [`sbom${position}`];
      images.push({
        digest,
        tags,
        ...(spec.pushedDay !== null && { pushedAt: day(spec.pushedDay) }),
        sizeBytes: 100,
        mediaType: isIndex ? MediaType.ociIndex : MediaType.ociManifest,
        ...(subject && how !== 'cosign' && { subjectDigest: subject.digest }),
      });
      if (subject && how === 'fallback') {
        // The referrers tag schema: an index tagged `sha256-<hex>` whose entries are the referrers.
        const fallback = digestOf(`fallback-${position}`);
        const fallbackTag = subject.digest.replace(':', '-');
        const known = manifests.find((manifest) =>
          images.some((image) => image.digest === manifest.digest && image.tags.includes(fallbackTag)),
        );
        if (known?.kind === 'index') {
          (known.children as string[]).push(digest);
        } else {
          images.push({ digest: fallback, tags: [fallbackTag], sizeBytes: 0, mediaType: MediaType.ociIndex });
          manifests.push({
            kind: 'index',
            digest: fallback,
            mediaType: MediaType.ociIndex,
            children: [digest],
          });
        }
      }
      if (isIndex) {
        // Children: shared leaves, and now and then an earlier index (a nested index).
        const pool = [...leafDigests, ...indexDigests];
        const children = [
          ...new Set((spec.childPicks ?? []).map((pick) => pool[pick % Math.max(1, pool.length)])),
        ].filter((child): child is string => child !== undefined);
        manifests.push({ kind: 'index', digest, mediaType: MediaType.ociIndex, children });
        indexDigests.push(digest);
      }
    });
    // Now and then a rule that matches every tag, referrer schemes included, as `globs: ['*']` would.
    const rule = everything
      ? { name: 'r', prefixes: [], globs: ['*'], keep, drop }
      : { name: 'r', prefixes: ['a', 'b', 'v'], keep, drop };
    return { images, manifests, rule };
  });

function planFor(images: Image[], manifests: Manifest[], rule: Rule) {
  return buildPlan({
    handler: { name: `repo:${rule.name}`, repository: 'repo', rule },
    images,
    manifests: new Map(manifests.map((manifest) => [manifest.digest, manifest])),
  });
}

describe('planner properties (ARCHITECTURE §4)', () => {
  it('never deletes a newest-K candidate, more than D images, or anything a staying image reaches', () => {
    fc.assert(
      fc.property(repositoryArbitrary, ({ images, manifests, rule }) => {
        const plan = planFor(images, manifests, rule);
        const deleted = new Set(plan.waves.flat().map((deletion) => deletion.digest));
        const byDigest = new Map(manifests.map((manifest) => [manifest.digest, manifest]));
        const graph = new ReferenceGraph(images, byDigest);

        // §4.2: at most `drop` images (digest groups) per run.
        expect(plan.groups.length).toBeLessThanOrEqual(rule.drop);

        // §4.1: none of the newest `keep` candidates.
        const candidates = [...matchCandidates(images, rule).candidates].sort(compareOldestFirst);
        for (const candidate of candidates.slice(Math.max(0, candidates.length - rule.keep))) {
          expect(deleted.has(candidate.image.digest)).toBe(false);
        }

        // §4.3 and §4.4: nothing that belongs to an image that stays (its children, its referrers),
        // nor the image a staying referrer is about (a tagged SBOM, a fallback index that stays).
        const staying = images.filter((image) => !deleted.has(image.digest)).map((image) => image.digest);
        for (const digest of graph.reachableFrom(staying, { withSubjects: true }).keys())
          expect(deleted.has(digest)).toBe(false);

        // A tag of a referrer scheme is never a rule's own selection: such images go with their subject.
        for (const group of plan.groups) {
          const root = images.find((image) => image.digest === group.rootDigest);
          expect(root?.tags.some((tag) => tag.startsWith('sha256-'))).toBe(false);
        }

        // Only what the selected images reach is deleted.
        const roots = plan.groups.map((group) => group.rootDigest);
        const reach = graph.reachableFrom(roots);
        for (const digest of deleted) expect(reach.has(digest)).toBe(true);

        // A referrer goes with its subject, unless something else that stays still holds it.
        const holders = images
          .filter((image) => !deleted.has(image.digest))
          .filter((image) => !deleted.has(graph.subjectOf(image.digest) ?? ''))
          .map((image) => image.digest);
        const held = graph.reachableFrom(holders);
        for (const image of images) {
          const subject = graph.subjectOf(image.digest);
          // The rule's own kept candidates stay even so: §4.1 comes first.
          const keptByRule = plan.decisions.some(
            (decision) => decision.fate === 'keep' && decision.image.digest === image.digest,
          );
          if (subject !== undefined && deleted.has(subject) && !held.has(image.digest) && !keptByRule) {
            expect(deleted.has(image.digest)).toBe(true);
          }
        }

        // §4.5: whatever points at a manifest (an index naming it, a referrer of it) goes first.
        const waveOf = new Map(
          plan.waves.flatMap((wave, index) => wave.map((deletion) => [deletion.digest, index] as const)),
        );
        for (const deletion of plan.waves.flat()) {
          for (const parent of deletion.parents)
            expect(waveOf.get(parent)).toBeLessThan(waveOf.get(deletion.digest) ?? -1);
          for (const digest of deleted) {
            const points =
              graph.childrenOf(digest).includes(deletion.digest) ||
              graph.subjectOf(digest) === deletion.digest;
            if (points) expect(deletion.parents).toContain(digest);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never deletes what another rule over the repository keeps among its newest (§4.1, of any rule)', () => {
    const sibling = fc.record({
      prefixes: fc.subarray(['a', 'b', 'v'], { minLength: 1 }),
      keep: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(repositoryArbitrary, sibling, ({ images, manifests, rule }, other) => {
        const siblingRule = { name: 'other', prefixes: other.prefixes, keep: other.keep, drop: 5 };
        const plan = buildPlan({
          handler: {
            name: 'repo:r',
            repository: 'repo',
            rule,
            siblings: [{ name: 'repo:other', repository: 'repo', rule: siblingRule }],
          },
          images,
          manifests: new Map(manifests.map((manifest) => [manifest.digest, manifest])),
        });
        const deleted = new Set(plan.waves.flat().map((deletion) => deletion.digest));
        const theirs = [...matchCandidates(images, siblingRule).candidates].sort(compareOldestFirst);
        for (const candidate of theirs.slice(Math.max(0, theirs.length - siblingRule.keep))) {
          expect(deleted.has(candidate.image.digest)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  /** A repository and a random set of its digests in use (tagged, untagged, children, indexes). */
  const withInUse = repositoryArbitrary.chain((repository) =>
    fc.tuple(
      fc.constant(repository),
      fc.uniqueArray(fc.constantFrom(...repository.images.map((image) => image.digest)), { maxLength: 5 }),
    ),
  );

  /** Every image whose reach includes an in-use digest, and everything such an image reaches. */
  function touchedByInUse(images: Image[], manifests: Manifest[], inUse: readonly string[]): Set<string> {
    const graph = new ReferenceGraph(
      images,
      new Map(manifests.map((manifest) => [manifest.digest, manifest])),
    );
    const holders = images
      .map((image) => image.digest)
      .filter((digest) => {
        const reach = graph.reachableFrom([digest]);
        return inUse.some((used) => reach.has(used));
      });
    return new Set(graph.reachableFrom([...inUse, ...holders]).keys());
  }

  it('never deletes an in-use digest, what reaches it or what it reaches; in use does not use up drop', () => {
    fc.assert(
      fc.property(withInUse, ([{ images, manifests, rule }, used]) => {
        const inUse = new Map(used.map((digest) => [digest, `in use by test ${digest}`]));
        const plan = buildPlan({
          handler: { name: 'repo:r', repository: 'repo', rule },
          images,
          manifests: new Map(manifests.map((manifest) => [manifest.digest, manifest])),
          inUse,
        });
        const deleted = new Set(plan.waves.flat().map((deletion) => deletion.digest));
        const touched = touchedByInUse(images, manifests, used);
        for (const digest of touched) expect(deleted.has(digest)).toBe(false);

        // A keep condition: the newest `keep` are still the rule's newest, and a candidate kept
        // only because it is in use does not count against `drop` — the next oldest goes instead.
        const candidates = [...matchCandidates(images, rule).candidates].sort(compareOldestFirst);
        const older = candidates.slice(0, Math.max(0, candidates.length - rule.keep));
        const free = older.filter((candidate) => !touched.has(candidate.image.digest));
        expect(plan.groups.length).toBe(Math.min(rule.drop, free.length));
        for (const decision of plan.decisions) {
          if (decision.fate === 'keep' && decision.reason === 'in-use')
            expect(touched.has(decision.image.digest)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never takes an in-use digest, or anything it reaches or that reaches it, for an orphan', () => {
    fc.assert(
      fc.property(withInUse, ([{ images, manifests }, used]) => {
        const inUse = new Map(used.map((digest) => [digest, `in use by test ${digest}`]));
        const rule = { name: 'untagged', prefixes: [], keep: 0, drop: 100, untaggedOlderThanMs: 1 };
        const plan = buildPlan({
          handler: { name: 'repo:untagged', repository: 'repo', rule },
          images,
          manifests: new Map(manifests.map((manifest) => [manifest.digest, manifest])),
          now: day(400),
          inUse,
        });
        const deleted = new Set(plan.waves.flat().map((deletion) => deletion.digest));
        for (const digest of touchedByInUse(images, manifests, used)) expect(deleted.has(digest)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('decides the same whatever order the registry lists images in', () => {
    const withPermutation = repositoryArbitrary.chain((repository) =>
      fc.tuple(
        fc.constant(repository),
        fc.shuffledSubarray(repository.images, {
          minLength: repository.images.length,
          maxLength: repository.images.length,
        }),
      ),
    );
    fc.assert(
      fc.property(withPermutation, ([{ images, manifests, rule }, shuffled]) => {
        expect(planFor(shuffled, manifests, rule).waves).toEqual(planFor(images, manifests, rule).waves);
      }),
      { numRuns: 200 },
    );
  });

  it('deletes nothing when an index it may depend on is unreadable', () => {
    fc.assert(
      fc.property(repositoryArbitrary, ({ images, manifests, rule }) => {
        if (manifests.length === 0) return;
        const [first, ...rest] = manifests;
        const broken: Manifest = { kind: 'unreadable', digest: (first as Manifest).digest, reason: 'test' };
        const plan = planFor(images, [broken, ...rest], rule);
        expect(plan.waves).toEqual([]);
        const selectable = Math.min(
          rule.drop,
          Math.max(0, matchCandidates(images, rule).candidates.length - rule.keep),
        );
        if (selectable > 0)
          expect(plan.blockers.map((blocker) => blocker.message).join()).toContain('cannot be read');
      }),
      { numRuns: 200 },
    );
  });
});
