/**
 * The customer directory: a fast synchronous view for detection and policy, plus import/remove that build a new
 * index off to the side and swap it in atomically (lookups during an import see the old index).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { RecentSet } from '../core/recent.js';
import type { Strength } from '../core/types.js';
import { ChangeBatch, type SpillOptions } from './change-batch.js';
import { parseExtraMapping, type ExtraMapping } from './columns.js';
import { applyChange, CompactIndex, type Change } from './compact-index.js';
import { EmbeddedStore } from './embedded-store.js';
import { fileSource, importRows, type ImportFormat, type ImportReport, type RowSource } from './importer.js';
import { KEY_FORMAT, staleKeyFormatError } from './key-format.js';
import { KeyedHasher } from './keyed-hash.js';
import { normalizeRegion } from './normalize.js';
import { resolveSecret, secretCheck } from './secret.js';
import type { DirectoryStore, LoadedSnapshot } from './store.js';

/** What detection and policy read. Synchronous and fast. */
export interface DirectoryView {
  /** Customer ids holding this value (`normalized` as produced by normalize.ts for `kind`). */
  lookup(kind: string, normalized: string): readonly string[];
  /** The customers of `among` that hold this value (fast even for values shared by thousands, e.g. a city). */
  lookupAmong(kind: string, normalized: string, among: readonly string[]): string[];
  /** True when some customer holds this value (no id list is built). */
  has(kind: string, normalized: string): boolean;
  /** Kinds present in the directory (built-in and custom). */
  kinds(): ReadonlySet<string>;
  /** Phone regions (ISO-2, from the country column) seen in the directory. */
  regions(): readonly string[];
  /** Email domains used by at least 3 distinct customers (plaintext; not identifying). */
  emailDomains(): ReadonlySet<string>;
  strengthOf(kind: string): Strength;
  /**
   * For exact-token kinds (order_id, custom kinds): true when every stored value contains a digit, so the
   * detector only tries tokens that contain one.
   */
  requiresDigit(kind: string): boolean;
  /** The configured default phone region, if any. */
  defaultRegion(): string | undefined;
  /** Changes whenever the content changes (import, removal, a followed change): cross-message memos key on it. */
  generation(): number;
}

export interface DirectoryStats {
  store: 'embedded' | 'redis';
  version: string;
  customers: number;
  /** Distinct values per kind. */
  values: Record<string, number>;
  totalValues: number;
  regions: string[];
  emailDomains: number;
  /** Approximate bytes held by the in-memory index. */
  memoryBytes: number;
  updatedAt: string;
  /** Key format (key-format.ts) of the stored keys; empty directory: the current one. */
  keyFormat: number;
  /** True when the stored keys are of another key format: nothing matches until the directory is imported again. */
  reimportNeeded: boolean;
}

export interface ImportOptions {
  mode?: 'upsert' | 'replace';
  format?: ImportFormat;
}

export interface Directory extends DirectoryView {
  import(file: string, opts?: ImportOptions): Promise<ImportReport>;
  /**
   * Imports the rows of any source (a file, a query stream): the new index is built off to the side and swapped in
   * only once the source has been read to the end and persisted; a source that fails leaves the directory as it was.
   */
  importFrom(source: RowSource, opts?: { mode?: 'upsert' | 'replace' }): Promise<ImportReport>;
  /** Bookkeeping values kept in the store beside the index (DirectoryStore.readMeta). */
  readMeta(name: string): Promise<string | null>;
  writeMeta(name: string, value: string): Promise<void>;
  /** Removes customers; returns how many existed. */
  remove(customerIds: readonly string[]): Promise<number>;
  stats(): DirectoryStats;
  close(): Promise<void>;
}

export interface OpenDirectoryOptions {
  dataDir: string;
  /** Redis URL; empty/undefined = embedded store. */
  redis?: string;
  redisPrefix?: string;
  /** HMAC secret; required with Redis, generated into DATA_DIR/directory.key otherwise. */
  secret?: string;
  /** Extra column mappings `HEADER=KIND[:strong|weak]`. */
  columns?: readonly string[];
  /** ISO-2 region for national phone formats when a row has no country. */
  defaultRegion?: string;
  /** Follow changes made by other processes (default true). */
  follow?: boolean;
  /**
   * A store written with another key format (key-format.ts) holds keys this version would never match. By default
   * opening it fails (EPG_DIRECTORY_KEY_FORMAT). With `staleKeys: 'open'` (callers that import next, and `stats`)
   * it opens with no customer matching (stats still describe what is stored), and the first import replaces the
   * whole directory whatever its mode.
   */
  staleKeys?: 'fail' | 'open';
  /**
   * At most how many values that no customer holds are remembered across messages, so their keyed hash is skipped
   * (default 50,000; 0 = off). Only misses are kept (never customer data); cleared on every directory change.
   */
  missCache?: number;
  /**
   * Keyed hashes an import holds in memory before it writes a sorted run to DATA_DIR/directory (default 1,048,576,
   * ~13.6 MB; change-batch.ts). Lower only to test the spill.
   */
  importChunk?: number;
  logger?: Logger;
}

const NO_CUSTOMERS: readonly string[] = Object.freeze([]);
const DEFAULT_MISS_CACHE = 50_000;

class DirectoryImpl implements Directory {
  private index: CompactIndex;
  /**
   * `kind \0 value` of recent lookups that matched no customer. Text repeats across messages (most words are
   * not customer data), and a keyed hash costs ~0.5 µs; a hit here costs ~30 ns.
   */
  private readonly misses: RecentSet<string>;
  private gen = 0;
  private version: string;
  private updatedAt = new Date();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Key format of the stored index when it is not KEY_FORMAT (then `index` is empty and `staleIndex` holds it). */
  private staleFormat: number | undefined;
  private staleIndex: CompactIndex | undefined;

  constructor(
    private readonly store: DirectoryStore,
    private readonly hasher: KeyedHasher,
    private readonly extras: readonly ExtraMapping[],
    private readonly region: string | undefined,
    loaded: LoadedSnapshot | null,
    private readonly logger: Logger | undefined,
    private readonly missLimit: number,
    private readonly spill: SpillOptions,
  ) {
    this.index = loaded?.index ?? CompactIndex.empty();
    this.version = loaded?.version ?? '';
    if (loaded && loaded.keyFormat !== KEY_FORMAT) {
      this.staleFormat = loaded.keyFormat;
      this.staleIndex = loaded.index;
      this.index = CompactIndex.empty(); // never match against keys made by other rules
    }
    this.misses = new RecentSet(Math.max(1, Math.ceil(missLimit / 2)));
  }

  startFollowing(): Promise<void> {
    return this.store.follow({
      onSnapshot: (loaded) => {
        if (loaded.keyFormat !== KEY_FORMAT) {
          // e.g. an older postguard imported while this one runs: keep the current index rather than miss silently
          this.logger?.error(
            { keyFormat: loaded.keyFormat, needed: KEY_FORMAT, version: loaded.version },
            'directory change ignored: ' + staleKeyFormatError(this.store.location, loaded.keyFormat).message,
          );
          return;
        }
        this.swap(loaded.index, loaded.version);
        this.logger?.info({ version: loaded.version, customers: loaded.index.customers }, 'directory reloaded');
      },
      onChange: (change, baseVersion, version) => {
        if (this.staleFormat !== undefined) return; // only a full import of this version replaces stale keys
        if (baseVersion !== this.version) {
          this.logger?.warn({ baseVersion, version: this.version }, 'directory change for another version ignored');
          return;
        }
        this.swap(applyChange(this.index, change, this.hasher), version);
      },
      onError: (err) =>
        this.logger?.warn({ code: (err as { code?: string }).code }, 'directory follow error (index kept)'),
    });
  }

  private swap(index: CompactIndex, version: string): void {
    this.staleFormat = undefined;
    this.staleIndex = undefined;
    this.misses.clear(); // a miss may be a value now
    this.gen++;
    this.index = index;
    this.version = version;
    this.updatedAt = new Date();
  }

  generation(): number {
    return this.gen;
  }

  lookup(kind: string, normalized: string): readonly string[] {
    if (this.missLimit === 0) return this.index.lookup(this.hasher, kind, normalized);
    const key = kind + '\0' + normalized;
    if (this.misses.has(key)) return NO_CUSTOMERS;
    const found = this.index.lookup(this.hasher, kind, normalized);
    if (found.length === 0) this.misses.add(key);
    return found;
  }

  lookupAmong(kind: string, normalized: string, among: readonly string[]): string[] {
    if (this.missLimit > 0 && this.misses.has(kind + '\0' + normalized)) return [];
    return this.index.lookupAmong(this.hasher, kind, normalized, among);
  }

  has(kind: string, normalized: string): boolean {
    if (this.missLimit === 0) return this.index.has(this.hasher, kind, normalized);
    const key = kind + '\0' + normalized;
    if (this.misses.has(key)) return false;
    const found = this.index.has(this.hasher, kind, normalized);
    if (!found) this.misses.add(key);
    return found;
  }

  kinds(): ReadonlySet<string> {
    return this.index.kindSet;
  }

  regions(): readonly string[] {
    return this.index.regionList;
  }

  emailDomains(): ReadonlySet<string> {
    return this.index.emailDomainSet;
  }

  strengthOf(kind: string): Strength {
    return this.index.strengthOf(kind);
  }

  defaultRegion(): string | undefined {
    return this.region;
  }

  requiresDigit(kind: string): boolean {
    return !this.index.digitlessKinds.has(kind);
  }

  /** Mutations run one at a time. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new PostguardError(ErrorCodes.DIRECTORY, 'directory is closed'));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async commit(change: Change): Promise<CompactIndex> {
    const next = applyChange(this.index, change, this.hasher);
    const version = await this.store.commit(next, change, this.version);
    this.swap(next, version);
    return next;
  }

  import(file: string, opts: ImportOptions = {}): Promise<ImportReport> {
    return this.importFrom(fileSource(file, opts.format), opts.mode ? { mode: opts.mode } : {});
  }

  readMeta(name: string): Promise<string | null> {
    return this.store.readMeta(name);
  }

  writeMeta(name: string, value: string): Promise<void> {
    return this.store.writeMeta(name, value);
  }

  importFrom(source: RowSource, opts: { mode?: 'upsert' | 'replace' } = {}): Promise<ImportReport> {
    return this.serial(async () => {
      const started = performance.now();
      const stale = this.staleFormat;
      // Keys of another format would stay behind an upsert (and never match): the first import replaces them all.
      const mode = stale !== undefined ? 'replace' : (opts.mode ?? 'upsert');
      const { batch, report } = await importRows(source, this.hasher, {
        extras: this.extras,
        spill: this.spill,
        ...(this.region ? { defaultRegion: this.region } : {}),
      });
      let next: CompactIndex;
      try {
        next = await this.commit({ mode, batch });
      } finally {
        batch.dispose(); // the sorted runs, whether or not the change was committed
      }
      if (stale !== undefined && opts.mode !== 'replace') {
        this.logger?.info(
          { keyFormat: stale, now: KEY_FORMAT },
          `directory in ${this.store.location} had key format ${stale}: this import replaced it`,
        );
      }
      const full: ImportReport = {
        ...report,
        mode,
        totalCustomers: next.customers,
        durationMs: Math.round(performance.now() - started),
        version: this.version,
      };
      this.logger?.info(
        {
          mode,
          rows: full.rowsRead,
          customers: full.customers,
          totalCustomers: full.totalCustomers,
          skippedRows: full.skippedRows,
          invalidValues: full.invalidValues,
          addressesAsWritten: full.addressesAsWritten,
          durationMs: full.durationMs,
        },
        'directory imported',
      );
      return full;
    });
  }

  remove(customerIds: readonly string[]): Promise<number> {
    return this.serial(async () => {
      const existing = [...new Set(customerIds)].filter((id) => this.index.ordinalOf(id) >= 0);
      if (existing.length === 0) return 0;
      await this.commit({ mode: 'upsert', batch: new ChangeBatch(), removals: existing });
      this.logger?.info({ removed: existing.length }, 'directory customers removed');
      return existing.length;
    });
  }

  stats(): DirectoryStats {
    const index = this.staleIndex ?? this.index;
    const values = { ...index.valuesPerKind };
    return {
      store: this.store.kind,
      version: this.version,
      customers: index.customers,
      values,
      totalValues: Object.values(values).reduce((a, b) => a + b, 0),
      regions: [...index.regionList],
      emailDomains: index.emailDomainSet.size,
      memoryBytes: index.memoryBytes(),
      updatedAt: this.updatedAt.toISOString(),
      keyFormat: this.staleFormat ?? KEY_FORMAT,
      reimportNeeded: this.staleFormat !== undefined,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    await this.store.close();
  }
}

export async function openDirectory(opts: OpenDirectoryOptions): Promise<Directory> {
  const extras = (opts.columns ?? []).map(parseExtraMapping);
  let region: string | undefined;
  if (opts.defaultRegion) {
    region = normalizeRegion(opts.defaultRegion);
    if (!region) {
      throw new PostguardError(ErrorCodes.CONFIG_INVALID, 'default phone region must be an ISO 3166 alpha-2 code');
    }
  }
  const secret = await resolveSecret({
    dataDir: opts.dataDir,
    ...(opts.secret ? { secret: opts.secret } : {}),
    ...(opts.redis ? { redis: opts.redis } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const check = secretCheck(secret);
  const store: DirectoryStore = opts.redis
    ? await (
        await import('./redis-store.js')
      ).RedisStore.connect({
        url: opts.redis,
        prefix: opts.redisPrefix ?? 'postguard:',
        secretCheck: check,
        ...(opts.logger ? { logger: opts.logger } : {}),
      })
    : new EmbeddedStore(opts.dataDir, check);
  const hasher = new KeyedHasher(secret);
  let loaded: LoadedSnapshot | null;
  try {
    loaded = await store.load();
    if (loaded && loaded.keyFormat !== KEY_FORMAT && opts.staleKeys !== 'open') {
      throw staleKeyFormatError(store.location, loaded.keyFormat);
    }
  } catch (err) {
    await store.close();
    throw err;
  }
  const spill: SpillOptions = {
    dir: join(opts.dataDir, 'directory'),
    ...(opts.importChunk ? { chunk: opts.importChunk } : {}),
  };
  const dir = new DirectoryImpl(
    store,
    hasher,
    extras,
    region,
    loaded,
    opts.logger,
    Math.max(0, Math.floor(opts.missCache ?? DEFAULT_MISS_CACHE)),
    spill,
  );
  // A Redis store always follows: a writer must be at the current version for its changes to apply.
  if (opts.follow !== false || opts.redis) await dir.startFollowing();
  return dir;
}
