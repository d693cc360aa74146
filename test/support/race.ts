import type { RegistryDriver } from '../../src/registry/driver.js';

type Moment = { readonly after: 'listImages' } | { readonly before: 'currentTags' };

/**
 * The real driver, with `change` made to the registry once, at a chosen moment of a run: right
 * after its listing was answered (a tag pushed between listing and deletion, the race a cleanup
 * must not lose), or right before the pre-delete check. Every call still goes to the registry;
 * only the moment of the change is chosen by the test.
 */
export function changingTheRegistry(
  driver: RegistryDriver,
  moment: Moment,
  change: () => Promise<void>,
): RegistryDriver {
  let changed = false;
  const once = async () => {
    if (changed) return;
    changed = true;
    await change();
  };
  const method = 'after' in moment ? moment.after : moment.before;
  return new Proxy(driver, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if ('before' in moment) await once();
        const result = await value.apply(target, args);
        if ('after' in moment) await once();
        return result;
      };
    },
  });
}
