/**
 * Collects items per key for a time window: the first item of a key opens the window, at its end the key's items
 * are flushed together. Used for sender notices (key = sender, one minute) and admin digests (one key,
 * notify.digestEvery). close() flushes what is waiting. Flush errors are the flusher's job (it must not throw).
 */
export class Batcher<T> {
  private readonly open = new Map<string, { items: T[]; timer: NodeJS.Timeout }>();
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly windowMs: number,
    private readonly flusher: (key: string, items: T[]) => Promise<void> | void,
  ) {}

  add(key: string, item: T): void {
    if (this.windowMs <= 0) {
      this.run(key, [item]);
      return;
    }
    const batch = this.open.get(key);
    if (batch) {
      batch.items.push(item);
      return;
    }
    const timer = setTimeout(() => this.flush(key), this.windowMs);
    timer.unref();
    this.open.set(key, { items: [item], timer });
  }

  /** Keys with a window open. */
  get pending(): number {
    return this.open.size;
  }

  private flush(key: string): void {
    const batch = this.open.get(key);
    if (!batch) return;
    this.open.delete(key);
    clearTimeout(batch.timer);
    this.run(key, batch.items);
  }

  private run(key: string, items: T[]): void {
    const p = Promise.resolve()
      .then(() => this.flusher(key, items))
      .catch(() => undefined)
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Flushes every open window now and waits for the sends. */
  async close(): Promise<void> {
    for (const key of [...this.open.keys()]) this.flush(key);
    await Promise.all([...this.inflight]);
  }
}
