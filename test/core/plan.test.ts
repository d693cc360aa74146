import { describe, expect, it } from 'vitest';
import { buildPlan, manifestsNeeded } from '../../src/core/plan.js';
import { type HandlerSpec, type Image, type Manifest, MediaType } from '../../src/core/types.js';
import { child, digestOf, index, shaImages, shaRule, single } from '../support/inventory.js';

const handler: HandlerSpec = { name: 'kayron:sha', repository: 'kayron', rule: shaRule };

/** Ten newer single images, so that whatever is pushed on days < 100 is beyond keep. */
const newest = Array.from({ length: 10 }, (_, position) => single(`f${position}`, 100 + position));

function plan(images: Image[], manifests: Manifest[] = [], rule = shaRule) {
  return buildPlan({
    handler: { ...handler, rule },
    images,
    manifests: new Map(manifests.map((manifest) => [manifest.digest, manifest])),
  });
}

function deleted(result: ReturnType<typeof plan>): string[] {
  return result.waves
    .flat()
    .map((deletion) => deletion.digest)
    .sort();
}

describe('buildPlan: digest groups and what stays', () => {
  it('empty repository: nothing to do', () => {
    const result = plan([]);
    expect(result).toMatchObject({
      candidateCount: 0,
      groups: [],
      waves: [],
      blockers: [],
      bytesReclaimed: 0,
    });
  });

  it('a single image is its own digest group', () => {
    const old = single('a1', 1, 500);
    const result = plan([old, ...newest]);
    expect(deleted(result)).toEqual([old.digest]);
    expect(result.groups).toHaveLength(1);
    expect(result.bytesReclaimed).toBe(500);
  });

  for (const [name, mediaType] of [
    ['an OCI index', MediaType.ociIndex],
    ['a Docker manifest list', MediaType.dockerManifestList],
  ] as const) {
    it(`${name} goes with all its children`, () => {
      const amd = child('amd', 300);
      const arm = child('arm', 200);
      const old = index('a1', 1, [amd, arm], mediaType);
      const result = plan([old.image, amd, arm, ...newest], [old.manifest]);
      expect(deleted(result)).toEqual([old.image.digest, amd.digest, arm.digest].sort());
      // An index's own reported size is its largest child: only the children count.
      expect(result.bytesReclaimed).toBe(500);
    });
  }

  it('attestation manifests go with their index', () => {
    const amd = child('amd');
    const attestation = child('amd-attestation', 10);
    const old = index('a1', 1, [amd, attestation]);
    const result = plan([old.image, amd, attestation, ...newest], [old.manifest]);
    expect(deleted(result)).toContain(attestation.digest);
  });

  it('keeps a platform manifest shared by a dropped and a kept index, and says why', () => {
    const shared = child('shared', 700);
    const armOld = child('arm-old', 100);
    const armNew = child('arm-new', 100);
    const dropped = index('a1', 1, [shared, armOld]);
    const kept = index('f9x', 200, [shared, armNew]);
    const result = plan(
      [dropped.image, kept.image, shared, armOld, armNew, ...newest.slice(1)],
      [dropped.manifest, kept.manifest],
    );
    expect(deleted(result)).toEqual([dropped.image.digest, armOld.digest].sort());
    const member = result.groups[0]?.members.find((each) => each.digest === shared.digest);
    expect(member?.fate).toBe('keep');
    expect(member?.keptBecause).toContain('f9x');
    expect(result.bytesReclaimed).toBe(100);
  });

  it('keeps a child that an untagged index which stays still references', () => {
    const amd = child('amd');
    const dropped = index('a1', 1, [amd]);
    const orphanIndexDigest = digestOf('orphan-index');
    const orphan: Image = { digest: orphanIndexDigest, tags: [], mediaType: MediaType.ociIndex };
    const result = plan(
      [dropped.image, amd, orphan, ...newest],
      [
        dropped.manifest,
        { kind: 'index', digest: orphanIndexDigest, mediaType: MediaType.ociIndex, children: [amd.digest] },
      ],
    );
    expect(deleted(result)).toEqual([dropped.image.digest]);
  });

  it('reads an index whose reported media type carries parameters, and protects its children', () => {
    const shared = child('shared');
    const dropped = index('a1', 1, [shared]);
    const kept = index('f9x', 200, [shared]);
    const keptImage = { ...kept.image, mediaType: `${MediaType.ociIndex}; charset=utf-8` };
    const images = [dropped.image, keptImage, shared, ...newest.slice(1)];
    expect(manifestsNeeded(handler, images)).toContain(keptImage.digest);
    expect(deleted(plan(images, [dropped.manifest, kept.manifest]))).toEqual([dropped.image.digest]);
  });

  it('keeps a child that is itself a tagged image', () => {
    const tagged = single('v1.0', 5);
    const dropped = index('a1', 1, [tagged]);
    const result = plan([dropped.image, tagged, ...newest], [dropped.manifest]);
    expect(deleted(result)).toEqual([dropped.image.digest]);
  });

  it('deletes a child shared by two dropped indexes once, after both parents', () => {
    const shared = child('shared', 50);
    const first = index('a1', 1, [shared]);
    const second = index('a2', 2, [shared]);
    const result = plan([first.image, second.image, shared, ...newest], [first.manifest, second.manifest]);
    expect(result.waves).toHaveLength(2);
    expect(result.waves[1]).toEqual([
      { digest: shared.digest, parents: [first.image.digest, second.image.digest].sort() },
    ]);
    expect(result.bytesReclaimed).toBe(50);
  });

  it('orders a nested index: outer index, then inner index, then platform manifests', () => {
    const amd = child('amd');
    const innerDigest = digestOf('inner');
    const inner: Image = { digest: innerDigest, tags: [], mediaType: MediaType.ociIndex };
    const outer = index('a1', 1, [inner]);
    const result = plan(
      [outer.image, inner, amd, ...newest],
      [
        outer.manifest,
        { kind: 'index', digest: innerDigest, mediaType: MediaType.ociIndex, children: [amd.digest] },
      ],
    );
    expect(result.waves.map((wave) => wave.map((deletion) => deletion.digest))).toEqual([
      [outer.image.digest],
      [innerDigest],
      [amd.digest],
    ]);
  });

  it('blocks the run, naming the tag and type, when a selected image has an unknown media type', () => {
    const odd: Image = { ...single('a1', 1), mediaType: 'application/vnd.example.bundle.v1+json' };
    const result = plan(
      [odd, ...newest],
      [{ kind: 'unsupported', digest: odd.digest, mediaType: 'application/vnd.example.bundle.v1+json' }],
    );
    expect(result.waves).toEqual([]);
    expect(result.blockers[0]?.kind).toBe('unsupported-media-type');
    expect(result.blockers[0]?.message).toContain('kayron:a1');
    expect(result.blockers[0]?.message).toContain('application/vnd.example.bundle.v1+json');
  });

  it('passes over a schema1 image with its reason and cleans the rest of the repository', () => {
    const legacy: Image = {
      ...single('a0', 0),
      mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
    };
    const result = plan([legacy, single('a1', 1), ...newest]);
    expect(result.blockers).toEqual([]);
    expect(result.groups.map((group) => group.tag)).toEqual(['a1']);
    const decision = result.decisions.find((each) => each.image.digest === legacy.digest);
    expect(decision).toMatchObject({ fate: 'skip', reason: 'legacy-media-type' });
    expect(decision?.explanation).toContain('schema1');
  });

  it('reads a manifest of a type it does not know rather than take it for a leaf', () => {
    const odd: Image = {
      digest: digestOf('odd'),
      tags: ['v9'],
      mediaType: 'application/vnd.example.index.v2+json',
    };
    const dropped = single('a1', 1);
    expect(manifestsNeeded(handler, [odd, dropped, ...newest])).toEqual([odd.digest]);
    const result = plan([odd, dropped, ...newest]);
    expect(result.waves).toEqual([]);
    expect(result.blockers.map((blocker) => blocker.message).join()).toContain(
      'application/vnd.example.index.v2+json',
    );
  });

  it('fails closed when any index of the repository cannot be read', () => {
    const amd = child('amd');
    const dropped = index('a1', 1, [amd]);
    const stayingDigest = digestOf('unreadable-index');
    const staying: Image = { digest: stayingDigest, tags: ['v9'], mediaType: MediaType.ociIndex };
    const result = plan(
      [dropped.image, amd, staying, ...newest],
      [dropped.manifest, { kind: 'unreadable', digest: stayingDigest, reason: 'ImageNotFound' }],
    );
    expect(result.waves).toEqual([]);
    expect(result.blockers.map((blocker) => blocker.message).join()).toContain(stayingDigest);
    expect(result.blockers.map((blocker) => blocker.kind)).toEqual(['unreadable-manifest']);
  });

  it('fails closed when an index manifest was not fetched at all', () => {
    const amd = child('amd');
    const dropped = index('a1', 1, [amd]);
    expect(plan([dropped.image, amd, ...newest]).blockers).toHaveLength(1);
  });

  it('never deletes more than drop groups nor any of the newest keep', () => {
    const result = plan(shaImages(40));
    expect(result.groups.map((group) => group.tag)).toEqual(['a000', 'a001', 'a002', 'a003', 'a004']);
  });
});

describe('buildPlan: referrers (signatures, SBOMs, attestations)', () => {
  const signatureOf = (subject: Image, name: string): Image => ({
    ...child(name, 5),
    subjectDigest: subject.digest,
  });

  it('deletes an image’s referrers with it, referrers first', () => {
    const old = single('a1', 1);
    const signature = signatureOf(old, 'signature');
    const sbom = signatureOf(old, 'sbom');
    const result = plan([old, signature, sbom, ...newest]);
    expect(result.waves.map((wave) => wave.map((deletion) => deletion.digest).sort())).toEqual([
      [signature.digest, sbom.digest].sort(),
      [old.digest],
    ]);
    expect(result.groups[0]?.members.filter((member) => member.role === 'referrer')).toHaveLength(2);
  });

  it('keeps the referrers of a kept image', () => {
    const old = single('a1', 1);
    const kept = newest[5] as Image;
    const result = plan([old, signatureOf(kept, 'kept-signature'), ...newest]);
    expect(deleted(result)).toEqual([old.digest]);
  });

  it('follows cosign’s tag scheme: sha256-<hex>.sig goes with its subject, and stays with a kept one', () => {
    const old = single('a1', 1);
    const oldSignature: Image = { ...single('old-sig', 0), tags: [`${old.digest.replace(':', '-')}.sig`] };
    const kept = newest[3] as Image;
    const keptAttestation: Image = {
      ...single('kept-att', 0),
      tags: [`${kept.digest.replace(':', '-')}.att`],
    };
    const result = plan([old, oldSignature, keptAttestation, ...newest]);
    expect(deleted(result)).toEqual([old.digest, oldSignature.digest].sort());
  });

  it('follows an OCI 1.1 subject found in a manifest, and a signature of a platform manifest', () => {
    const amd = child('amd');
    const dropped = index('a1', 1, [amd]);
    const platformSignature = child('platform-signature');
    const result = plan(
      [dropped.image, amd, platformSignature, ...newest],
      [
        dropped.manifest,
        {
          kind: 'image',
          digest: platformSignature.digest,
          mediaType: MediaType.ociManifest,
          subject: amd.digest,
        },
      ],
    );
    expect(deleted(result)).toEqual([dropped.image.digest, amd.digest, platformSignature.digest].sort());
    // The index and the signature go before the platform manifest both point at.
    expect(result.waves.map((wave) => wave.map((deletion) => deletion.digest).sort())).toEqual([
      [dropped.image.digest, platformSignature.digest].sort(),
      [amd.digest],
    ]);
  });

  it('keeps a referrer the rule keeps, and the image it points at with it', () => {
    const old = single('a1', 1);
    const taggedReferrer: Image = { ...single('f9', 300), subjectDigest: old.digest };
    const result = plan([old, taggedReferrer, ...newest.slice(1)]);
    expect(deleted(result)).toEqual([]);
    expect(result.groups[0]?.members[0]).toMatchObject({
      fate: 'keep',
      keptBecause: expect.stringContaining('f9'),
    });
  });

  it('keeps a tagged referrer another rule keeps, or one with tags of its own, and its subject', () => {
    const old = single('a1', 1);
    const sbom: Image = { ...single('sbom-1', 0), subjectDigest: old.digest };
    const alsoTagged: Image = { ...single('prod', 0), tags: ['prod', 'release'], subjectDigest: old.digest };
    expect(deleted(plan([old, sbom, ...newest]))).toEqual([]);
    expect(deleted(plan([old, alsoTagged, ...newest]))).toEqual([]);
  });
});

describe('manifestsNeeded', () => {
  it('asks for nothing when the rule selects nothing', () => {
    const amd = child('amd');
    const staying = index('a1', 1, [amd]);
    expect(manifestsNeeded(handler, [staying.image, amd])).toEqual([]);
  });

  it('asks for every index and every image of unknown type in the repository', () => {
    const amd = child('amd');
    const dropped = index('a1', 1, [amd]);
    const unknown: Image = { digest: digestOf('unknown'), tags: [] };
    const needed = manifestsNeeded(handler, [dropped.image, amd, unknown, ...newest]);
    expect(needed.sort()).toEqual([dropped.image.digest, unknown.digest].sort());
  });
});
