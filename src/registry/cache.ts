/**
 * A map that forgets its least recently used entries beyond a capacity. Manifests are immutable,
 * so caching them by digest is always correct; bounding the cache keeps a daemon over a large fleet
 * within its memory, at the price of fetching again what it had to forget.
 */
export class BoundedCache<Key, Value> {
  private readonly entries = new Map<Key, Value>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: Key): Value | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Maps iterate in insertion order: moving the entry to the end marks it as recently used.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  has(key: Key): boolean {
    return this.entries.has(key);
  }

  forget(key: Key): void {
    this.entries.delete(key);
  }

  set(key: Key, value: Value): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}

/** Enough for the indexes of a few hundred busy repositories (roughly 50 MB of parsed manifests). */
export const defaultManifestCacheSize = 100_000;
