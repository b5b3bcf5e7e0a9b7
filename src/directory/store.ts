/**
 * Where the directory index persists. The in-memory CompactIndex is always the one lookups read; a store
 * saves it and tells the directory when another process changed it.
 */
import type { Change } from './compact-index.js';
import type { CompactIndex } from './compact-index.js';

export interface LoadedSnapshot {
  index: CompactIndex;
  version: string;
  /** Key format the index was written with (key-format.ts); callers must not match against another one. */
  keyFormat: number;
}

export interface StoreListener {
  /** Another process published a full new index. */
  onSnapshot(loaded: LoadedSnapshot): void;
  /** Another process published an incremental change on top of `baseVersion`. */
  onChange?(change: Change, baseVersion: string, version: string): void;
  onError(err: unknown): void;
}

export interface DirectoryStore {
  readonly kind: 'embedded' | 'redis';
  /** Where it lives, for messages (a path, or the Redis prefix). */
  readonly location: string;
  /** Current persisted index, or null when none exists yet. */
  load(): Promise<LoadedSnapshot | null>;
  /**
   * Persists the result of a change. `next` is the complete new index; `change` the change that produced it
   * from the index at `baseVersion` (stores that replicate deltas may publish just the change).
   * Returns the new version.
   */
  commit(next: CompactIndex, change: Change, baseVersion: string): Promise<string>;
  /** Starts following changes made by other processes; resolves once caught up with changes already made. */
  follow(listener: StoreListener): Promise<void>;
  close(): Promise<void>;
  /**
   * Small bookkeeping values beside the index, shared like the index (e.g. the directory sync's high-water mark,
   * sync/state.ts). Never customer data.
   */
  readMeta(name: string): Promise<string | null>;
  writeMeta(name: string, value: string): Promise<void>;
}

export function newVersion(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
