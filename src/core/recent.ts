/**
 * Bounded memos of recent keys: two generations; when the newer one is full the older one is dropped whole.
 * Evicting the oldest entry one at a time (delete the first key of a Set or Map) is not O(1) on V8: the
 * iteration from the start walks over every deleted slot until the table is rebuilt, so a memo that stays full
 * turns quadratic (seen as 22× the cost for 16× the message size).
 *
 * They hold what they are given for hours, so string keys and values are stored as detached copies (see
 * `detachedCopy`): a word sliced from a message must not keep the message alive.
 */
export class RecentSet<K> {
  private current = new Set<K>();
  private older = new Set<K>();

  /** Keeps at least the last `generation` keys and at most twice as many. */
  constructor(private readonly generation: number) {}

  has(key: K): boolean {
    return this.current.has(key) || this.older.has(key);
  }

  add(key: K): void {
    if (this.current.size >= this.generation) {
      this.older = this.current;
      this.current = new Set();
    }
    this.current.add(detached(key));
  }

  clear(): void {
    this.current.clear();
    this.older.clear();
  }
}

export class RecentMap<K, V> {
  private current = new Map<K, V>();
  private older = new Map<K, V>();

  /** Keeps at least the last `generation` entries and at most twice as many. */
  constructor(private readonly generation: number) {}

  get(key: K): V | undefined {
    return this.current.has(key) ? this.current.get(key) : this.older.get(key);
  }

  set(key: K, value: V): void {
    if (this.current.size >= this.generation) {
      this.older = this.current;
      this.current = new Map();
    }
    this.current.set(detached(key), detached(value));
  }
}

/**
 * A copy of `s` that does not keep a larger string alive: V8 may represent a slice of a long string (a header
 * block, a whole message) as a view into it, and a memo key held for hours would then hold that text too.
 */
export function detachedCopy(s: string): string {
  return (' ' + s).slice(1);
}

function detached<T>(v: T): T {
  return typeof v === 'string' ? (detachedCopy(v) as T) : v;
}
