import { findDanglingUses } from '../cleanup/dangling-uses.js';
import type { InUseSnapshot } from '../inuse/snapshot.js';
import type { RegistryDriver } from '../registry/driver.js';
import type { palette } from './format.js';
import { describeInUse, inUseToJson } from './in-use-summary.js';

/**
 * The in-use part of `janitor check`: references to this registry that name nothing are found
 * broken (a workload that can no longer pull); sources that could not be read, or references that
 * could not be looked up, leave the verdict unknown.
 */
export async function checkInUse(snapshot: InUseSnapshot, driver: RegistryDriver) {
  let found: Awaited<ReturnType<typeof findDanglingUses>> | { error: string };
  try {
    found = await findDanglingUses(snapshot, driver);
  } catch (error) {
    found = { error: error instanceof Error ? error.message : String(error) };
  }
  const problems = [
    ...snapshot.failures.map((failure) => `could not read ${failure.source}: ${failure.error}`),
    ...('error' in found ? [`could not look up the references: ${found.error}`] : []),
    ...('unknownHosts' in found && found.unknownHosts
      ? ['cannot tell which references name this registry (set registry.registryId)']
      : []),
  ];
  const dangling = 'dangling' in found ? found.dangling : [];
  const verdict: 'healthy' | 'broken' | 'unknown' =
    dangling.length > 0 ? 'broken' : problems.length > 0 ? 'unknown' : 'healthy';
  return {
    verdict,
    json: { ...inUseToJson(snapshot), problems, dangling, malformed: snapshot.malformed },
    render: (color: ReturnType<typeof palette>) => {
      const lines = [
        describeInUse(snapshot, color),
        ...problems.map((problem) => color.yellow(`in use: ${problem}`)),
        ...dangling.map((each) => color.red(`cannot pull ${each.use}: ${each.problem}`)),
        ...snapshot.malformed.map((each) =>
          color.yellow(`not an image reference: "${each.image}" (${each.usedBy}): ${each.error}`),
        ),
      ];
      if (verdict === 'healthy')
        lines.push(color.green('✔ every in-use reference to this registry names an image it holds'));
      return `${lines.join('\n')}\n`;
    },
  };
}

/** Broken wins over unknown, and unknown over healthy. */
export function worstVerdict(
  ...verdicts: readonly ('healthy' | 'broken' | 'unknown')[]
): 'healthy' | 'broken' | 'unknown' {
  if (verdicts.includes('broken')) return 'broken';
  return verdicts.includes('unknown') ? 'unknown' : 'healthy';
}
