import type { SeededFleet, SeededImage } from './fleet.js';
import type { Workloads } from './workloads.js';

/** The images the demo's workloads run, which the seed's rules alone would delete. */
export interface DemoWorkloads {
  /** kayron's oldest release, run by the ECS service prod/kayron. */
  readonly ecsRelease: SeededImage;
  /** alloy's oldest sha build, run by the `live` alias of the Lambda function alloy-worker. */
  readonly lambdaBuild: SeededImage;
}

/**
 * What runs on the demo fleet: an ECS service pinned to kayron's oldest release (older than the
 * newest ten, so `kayron:v` would delete it), and a Lambda alias on alloy's oldest sha build (the
 * first `alloy:sha` would drop), its $LATEST on the newest build. Image references are written as
 * ECS and Lambda write them: by tag, and by the digest Lambda resolved.
 */
export function seedDemoWorkloads(
  workloads: Workloads,
  fleet: SeededFleet,
  registryHost: string,
): DemoWorkloads {
  const oldest = (repository: string, prefix: RegExp) =>
    fleet.images
      .filter((image) => image.repository === repository && image.tags.some((tag) => prefix.test(tag)))
      .sort((left, right) => left.pushedAt.getTime() - right.pushedAt.getTime());
  const releases = oldest('kayron', /^v/);
  const builds = oldest('alloy', /^[0-9a-f]{12}$/).filter((image) => image.tags.length === 1);
  const ecsRelease = releases[0] as SeededImage;
  const lambdaBuild = builds[0] as SeededImage;
  const newestBuild = builds.at(-1) as SeededImage;

  const ecs = workloads.ecsOf();
  const release = ecs.registerTaskDefinition('kayron', [
    { name: 'kayron', image: `${registryHost}/kayron:${ecsRelease.tags[0]}` },
  ]);
  ecs.createService('prod', 'kayron', release);
  ecs.runTask('prod', release, { group: 'service:kayron', digests: { kayron: ecsRelease.digest } });

  const lambda = workloads.lambdaOf();
  lambda.createFunction('alloy-worker', {
    image: `${registryHost}/alloy:${lambdaBuild.tags[0]}`,
    digest: lambdaBuild.digest,
  });
  const version = lambda.publishVersion('alloy-worker');
  lambda.createAlias('alloy-worker', 'live', version);
  lambda.updateImage('alloy-worker', `${registryHost}/alloy:${newestBuild.tags[0]}`, newestBuild.digest);
  return { ecsRelease, lambdaBuild };
}
