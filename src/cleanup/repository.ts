import { blockedPlan, planRepository } from '../core/plan.js';
import { changesSince, planWithout, type Retagged, stayingAfter, wavesWithout } from '../core/retag.js';
import { selectRepository } from '../core/selection.js';
import type { Blocker, Deletion, Digest, HandlerSpec, Image, Manifest, Plan } from '../core/types.js';
import { logFailure } from '../log.js';
import { plural } from '../plural.js';
import type { CallOptions, RegistryDriver } from '../registry/driver.js';
import { executePlan } from './execute.js';
import type { HandlerReport, HandlerRun } from './handler.js';
import { inUseOfRepository, sourceBlockers } from './in-use.js';
import { type InUseOf, type InventoryScope, takeInventory } from './inventory.js';
import { executionFor } from './outcome.js';
import { auditKept, logPlan, tellDeleted, tellFailed } from './telling.js';

/**
 * One run over one repository, for the rules `specs` (all of one repository), as the seed's
 * Ensure — one listing and one plan for all of them:
 *
 *   in use    ← what the in-use sources say runs             (read once per pass; any failure blocks)
 *   images    ← every manifest of the repository            (one paginated listing, + referrers API)
 *   selection ← every rule's candidates; the oldest min(drop, n − keep), minus what any rule keeps
 *               or a workload uses                          (pure)
 *   manifests ← every index of the repository                (batched, cached by digest)
 *   plans     ← digest groups of everything selected, minus what a staying image references
 *   recheck   ← what the registry says now of the doomed digests: a changed one stays
 *   apply     ← batch-delete, parents of every rule first; report each per-digest failure, per rule
 *
 * The other rules of the repository (siblings not run now) delete nothing, but what they keep stays.
 */
export async function runRepository(
  driver: RegistryDriver,
  specs: readonly HandlerSpec[],
  run: HandlerRun,
): Promise<HandlerReport[]> {
  const started = performance.now();
  const repository = (specs[0] as HandlerSpec).repository;
  const names = new Set(specs.map((spec) => spec.name));
  const others = [
    ...new Map(specs.flatMap((spec) => spec.siblings ?? []).map((other) => [other.name, other])),
  ]
    .map(([, other]) => other)
    .filter((other) => !names.has(other.name));
  const scope: InventoryScope = { repository, running: specs, others };
  const report = (
    spec: HandlerSpec,
    fields: Omit<HandlerReport, 'handler' | 'repository' | 'mode' | 'durationMs'>,
  ) => ({
    handler: spec.name,
    repository,
    mode: run.mode,
    ...fields,
    durationMs: performance.now() - started,
  });
  let plans: Plan[] | undefined;
  try {
    const call: CallOptions = run.abortSignal ? { signal: run.abortSignal } : {};
    const snapshot = await run.inUse?.current();
    if (snapshot && snapshot.failures.length > 0) {
      const blocked = specs.map((spec) => blockedPlan(spec, sourceBlockers(snapshot)));
      announce(run, specs, blocked);
      return specs.map((spec, index) => report(spec, { plan: blocked[index] as Plan, success: false }));
    }
    const inUseBlockers: Blocker[] = [];
    const inUseOf: InUseOf | undefined = snapshot
      ? async (images) => {
          const found = await inUseOfRepository(snapshot, driver, repository, images);
          if ('inUse' in found) return found.inUse;
          inUseBlockers.push(found.blocker);
          return new Map();
        }
      : undefined;
    // One clock for the whole run: ages judged while reading must agree with those of the plans.
    const now = new Date();
    const { images, manifests, inUse } = await takeInventory(driver, scope, call, now, inUseOf);
    const planned = planRepository(
      selectRepository({ ...scope, images, manifests, now, inUse, ...(run.skips && { skips: run.skips }) }),
      images,
      manifests,
    );
    plans = planned.plans.map((plan) =>
      inUseBlockers.length > 0
        ? { ...plan, groups: [], waves: [], bytesReclaimed: 0, blockers: inUseBlockers }
        : plan,
    );
    announce(run, specs, plans);
    const audit = run.audit;
    if (run.mode === 'apply' && audit) {
      specs.forEach((spec, index) => {
        auditKept(audit, spec, plans?.[index] as Plan);
      });
    }
    const waves = inUseBlockers.length > 0 ? [] : planned.waves;
    if (run.mode === 'plan' || waves.length === 0)
      return specs.map((spec, index) => {
        const plan = plans?.[index] as Plan;
        return report(spec, { plan, success: plan.blockers.length === 0 });
      });

    // The retag race: what changed since the listing, and all it needs, stays.
    const rechecked = await recheck(driver, repository, images, manifests, waves, call);
    plans = plans.map((plan) => planWithout(plan, rechecked.staying));
    for (const { digest, tags, change } of rechecked.changes)
      run.logger.warn({ repository, digest, tags }, `${change}: it stays, with all it needs`);
    const remaining = wavesWithout(waves, rechecked.staying);
    const retaggedFor = (plan: Plan) => {
      const own = new Set(plan.groups.flatMap((group) => group.members.map((member) => member.digest)));
      const mine = rechecked.changes.filter(
        (entry) => own.has(entry.digest) || planned.owners.get(entry.digest) === plan.handler,
      );
      return mine.length > 0 ? { retagged: mine } : {};
    };
    if (remaining.length === 0)
      return specs.map((spec, index) => {
        const plan = plans?.[index] as Plan;
        return report(spec, { plan, ...retaggedFor(plan), success: plan.blockers.length === 0 });
      });

    const execution = await execute(driver, run, specs, plans, planned.owners, repository, remaining);
    return specs.map((spec, index) => {
      const plan = plans?.[index] as Plan;
      if (plan.blockers.length > 0) return report(spec, { plan, success: false });
      const own = executionFor(execution, planned.owners, spec.name);
      // A run stopped before it finished is not a success, even though all it did went well.
      // Children held back behind a parent that stays are the consequence of that parent's fate,
      // which is counted on its own.
      const complete = own.failed.length === 0 && own.notAttempted.length === 0;
      return report(spec, { plan, execution: own, ...retaggedFor(plan), success: complete });
    });
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    // Aborted by a deadline, say so first: "Request aborted" alone names no cause.
    const reason = run.abortSignal?.aborted
      ? (run.abortSignal.reason as Error | undefined)?.message
      : undefined;
    const message = reason ? `${reason}: ${cause}` : cause;
    logFailure(run.logger.child({ repository }), 'error', error, 'repository run failed');
    return specs.map((spec, index) =>
      report(spec, { ...(plans?.[index] && { plan: plans[index] }), error: message, success: false }),
    );
  }
}

/** Each plan to the log and to whoever watches the run (the daemon's metrics). */
function announce(run: HandlerRun, specs: readonly HandlerSpec[], plans: readonly Plan[]): void {
  specs.forEach((spec, index) => {
    const plan = plans[index] as Plan;
    logPlan(run.logger.child({ handler: spec.name }), plan);
    run.progress?.({ kind: 'planned', repository: spec.repository, blockers: plan.blockers });
  });
}

/**
 * What the registry says now of the doomed digests, and what must stay because of it: changed
 * ones, manifests tagged since the listing and all they reach. A new manifest that cannot be read
 * might name anything: then nothing goes this run.
 */
async function recheck(
  driver: RegistryDriver,
  repository: string,
  images: readonly Image[],
  manifests: ReadonlyMap<Digest, Manifest>,
  waves: readonly (readonly Deletion[])[],
  call: CallOptions,
): Promise<{ changes: Retagged[]; staying: Map<Digest, string> }> {
  const doomed = waves.flat().map((deletion) => deletion.digest);
  const state = await driver.currentState(repository, doomed, call);
  const { changed, appeared } = changesSince(images, doomed, state);
  const changes = [...changed, ...appeared];
  if (appeared.length === 0) return { changes, staying: stayingAfter(images, manifests, changes) };
  const read = await driver.getManifests(
    repository,
    appeared.map((entry) => entry.digest),
    call,
  );
  const unreadable = appeared.find((entry) => read.get(entry.digest)?.kind === 'unreadable');
  if (unreadable !== undefined) {
    const why = `the repository changed during the run: ${unreadable.digest} was ${unreadable.change} and cannot be read, so what it names is unknown`;
    return { changes, staying: new Map(doomed.map((digest) => [digest, why])) };
  }
  const extended = [...images, ...appeared.map((entry) => ({ digest: entry.digest, tags: entry.tags }))];
  return { changes, staying: stayingAfter(extended, new Map([...manifests, ...read]), changes) };
}

/** All the rules' deletions at once, each confirmed deletion told for the rule it is deleted for. */
async function execute(
  driver: RegistryDriver,
  run: HandlerRun,
  specs: readonly HandlerSpec[],
  plans: readonly Plan[],
  owners: ReadonlyMap<Digest, string>,
  repository: string,
  waves: readonly (readonly Deletion[])[],
) {
  const logger = run.logger.child({ repository });
  const digestCount = waves.reduce((total, wave) => total + wave.length, 0);
  const images = plans.reduce((total, plan) => total + plan.groups.length, 0);
  logger.info({ images, digests: digestCount }, `cleaning up ${plural(images, 'image')}`);
  const byName = new Map(specs.map((spec, index) => [spec.name, { spec, plan: plans[index] as Plan }]));
  const told = new Map([...byName].map(([name, { spec, plan }]) => [name, tellDeleted(run, spec, plan)]));
  const failed = run.progress
    ? new Map([...byName].map(([name, { spec }]) => [name, tellFailed(run.progress as never, spec)]))
    : undefined;
  const execution = await executePlan(
    driver,
    { repository, waves },
    {
      logger,
      ...(run.signal && { signal: run.signal }),
      ...(run.abortSignal && { abortSignal: run.abortSignal }),
      ...(run.sleep && { sleep: run.sleep }),
      ...((run.audit || run.progress) && {
        onDeleted: (digest: Digest) => told.get(owners.get(digest) ?? '')?.(digest),
      }),
      ...(failed && {
        onFailed: (failure: { digest: Digest; code: string; reason: string }) =>
          failed.get(owners.get(failure.digest) ?? '')?.(failure),
      }),
    },
  );
  logger.info(
    {
      deleted: execution.deleted.length,
      alreadyGone: execution.alreadyGone.length,
      failed: execution.failed.length,
    },
    'cleanup finished',
  );
  return execution;
}
