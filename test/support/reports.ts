import type { ExecutionReport } from '../../src/cleanup/execute.js';
import type { HandlerReport } from '../../src/cleanup/handler.js';
import { buildPlan } from '../../src/core/plan.js';
import type { HandlerSpec, Image, Manifest, Plan } from '../../src/core/types.js';
import { MediaType } from '../../src/core/types.js';
import { child, day, digestOf, index, single } from './inventory.js';

/** Tags are user data: these must read as text in every report, never as markup. */
export const scriptTag = 'v1.1.0<script>alert("x")</script>';
export const pipeTag = 'v1.2.0|*bold*|[link](http://example.com)';

const releaseRule = { name: 'v', prefixes: ['v'], keep: 2, drop: 5, protect: ['v0.9*'] };

/**
 * A repository planned by the real planner, with everything a report must show: an index with a
 * signature (a referrer), a platform manifest a newer index still needs, a protected tag, an image
 * with two tags, another rule's tag, and tags that look like markup.
 */
export function webPlan(): Plan {
  const sharedPlatform = child('amd64-shared', 40_000_000);
  const oldRelease = index('v1.0.0', 1, [child('amd64-1', 30_000_000), child('arm64-1', 20_000_000)]);
  const signature: Image = {
    digest: digestOf('signature-1'),
    tags: [],
    pushedAt: day(1),
    sizeBytes: 1_000,
    mediaType: MediaType.ociManifest,
    subjectDigest: oldRelease.image.digest,
  };
  const second = index('v2.0.0', 4, [sharedPlatform, child('arm64-2', 20_000_000)]);
  const third = index('v3.0.0', 5, [sharedPlatform, child('arm64-3', 20_000_000)]);
  const images: Image[] = [
    single('v0.9.0', 0, 10_000_000),
    { ...single('v0.5.0', 0), tags: ['v0.5.0', 'stable'] },
    single('nightly', 0),
    oldRelease.image,
    child('amd64-1', 30_000_000),
    child('arm64-1', 20_000_000),
    signature,
    single(scriptTag, 2, 5_000_000),
    single(pipeTag, 3, 6_000_000),
    second.image,
    sharedPlatform,
    child('arm64-2', 20_000_000),
    third.image,
    child('arm64-3', 20_000_000),
    single('v3.1.0', 6, 7_000_000),
  ];
  const manifests = [oldRelease.manifest, second.manifest, third.manifest];
  const handler: HandlerSpec = { name: 'web:v', repository: 'web', rule: releaseRule };
  return buildPlan({ handler, images, manifests: byDigest(manifests), now: day(30) });
}

/** A repository whose index cannot be read: the plan is blocked and deletes nothing. */
export function blockedPlan(): Plan {
  const broken = index('v1', 1, []);
  const images = [broken.image, single('v2', 2), single('v3', 3)];
  const manifests: Manifest[] = [
    { kind: 'unreadable', digest: broken.image.digest, reason: 'HTTP 500 <from the registry>' },
  ];
  const handler: HandlerSpec = { name: 'api:v', repository: 'api', rule: { ...releaseRule, keep: 1 } };
  return buildPlan({ handler, images, manifests: byDigest(manifests), now: day(30) });
}

/** A plan run, an apply run with one failure, as `runPass` reports them. */
export function sampleReports(mode: 'plan' | 'apply'): HandlerReport[] {
  const web = webPlan();
  const blocked = blockedPlan();
  const digests = web.waves.flat().map((deletion) => deletion.digest);
  // The index of v2.0.0 fails, so the executor holds back its platform manifest.
  const failing = digestOf('index-v2.0.0');
  const heldBack = digestOf('arm64-2');
  const execution: ExecutionReport = {
    deleted: digests.filter((digest) => digest !== failing && digest !== heldBack),
    alreadyGone: [],
    failed: [{ digest: failing, code: 'InvalidParameterException', reason: 'refused <for a test>' }],
    keptBecauseParentRemained: [heldBack],
    keptBecauseStillReferenced: [],
    notAttempted: [],
  };
  return [
    {
      handler: 'web:v',
      repository: 'web',
      mode,
      plan: web,
      ...(mode === 'apply' && { execution }),
      success: mode === 'plan',
      durationMs: 12,
    },
    { handler: 'api:v', repository: 'api', mode, plan: blocked, success: false, durationMs: 3 },
    {
      handler: 'db:v',
      repository: 'db',
      mode,
      error: 'AccessDeniedException: not allowed to call ecr:DescribeImages on <db>',
      success: false,
      durationMs: 1,
    },
  ];
}

function byDigest(manifests: readonly Manifest[]): Map<string, Manifest> {
  return new Map(manifests.map((manifest) => [manifest.digest, manifest]));
}

/**
 * A plan of `images` tagged images over two rules of one repository, built by the real planner:
 * four fifths multi-arch indexes (two platforms each) under `sha`, one fifth single releases
 * under `v`; each rule keeps its newest 10 and deletes at most `drop` a run.
 */
export function largeReports(images: number, drop = 1_000): HandlerReport[] {
  const indexes = Math.floor((images * 4) / 5);
  const inventory: Image[] = [];
  const manifests: Manifest[] = [];
  for (let position = 0; position < indexes; position += 1) {
    const tag = position.toString(16).padStart(8, '0');
    const platforms = [child(`${tag}/amd64`, 30_000_000), child(`${tag}/arm64`, 28_000_000)];
    const built = index(tag, position / 100, platforms);
    inventory.push(built.image, ...platforms);
    manifests.push(built.manifest);
  }
  for (let position = 0; position < images - indexes; position += 1)
    inventory.push(single(`v1.${position}.0`, position / 100, 50_000_000));
  const rules = [
    { name: 'sha', prefixes: '0123456789abcdef'.split(''), keep: 10, drop },
    { name: 'v', prefixes: ['v'], keep: 10, drop },
  ];
  return rules.map((rule) => {
    const handler: HandlerSpec = { name: `big:${rule.name}`, repository: 'big', rule };
    const plan = buildPlan({ handler, images: inventory, manifests: byDigest(manifests), now: day(1_000) });
    return { handler: handler.name, repository: 'big', mode: 'plan', plan, success: true, durationMs: 1 };
  });
}
