/**
 * A batch of hashed customer records (an import or a replicated change). Holds no plaintext values except the
 * customers' email domains (transient, never serialised: only domains used by ≥ 3 customers are kept).
 *
 * Memory: customer ids are one UTF-8 buffer (id-list.ts), regions a u16 per customer, entries four columns (13
 * bytes each). With a spill folder (an import's batch), at most `chunk` entries stay in memory: a full chunk is
 * sorted and written to a run file there (entry-runs.ts), so a batch of 10 M entries holds ~13 MB of them.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { Strength } from '../core/types.js';
import { removeRun, sortEntriesInPlace, writeRun } from './entry-runs.js';
import { IdList } from './id-list.js';

/** Growable Uint32 column. */
export class U32Column {
  data: Uint32Array;
  length = 0;
  constructor(initial = 1024) {
    this.data = new Uint32Array(initial);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(Math.max(1024, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Growable Uint8 column (kind indexes: an index holds at most 256 kinds). */
export class U8Column {
  data: Uint8Array;
  length = 0;
  constructor(initial = 1024) {
    this.data = new Uint8Array(initial);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint8Array(Math.max(1024, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }
}

/** Growable Uint16 column (region indexes per customer). */
class U16Column {
  data = new Uint16Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint16Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** Internal kind: the hash of a customer's email domain (counts customers per domain). */
export const DOMAIN_KIND = '#domain';
/** Internal kind: the first word of a full name (a cheap pre-check before trying 2–4 word windows). */
export const NAME_FIRST_KIND = '#name1';
/** Internal kind: the surname keys of a full name (name-words.ts surnameKeys), for `Dear Mr van der Berg`. */
export const NAME_LAST_KIND = '#name2';

/** Entries held in memory by a batch with a spill folder before a sorted run is written (13 bytes each: 13.6 MB). */
export const DEFAULT_SPILL_CHUNK = 1 << 20;

export interface SpillOptions {
  /** Folder for the sorted runs (created 0700 if missing); DATA_DIR/directory for an import. */
  dir: string;
  /** Entries held in memory before a sorted run is written (default DEFAULT_SPILL_CHUNK). */
  chunk?: number;
}

/** A sorted run written by this batch. */
export interface SpilledRun {
  path: string;
  entries: number;
  /** Customer indexes as they are after `finish` (else as they were when written: see `runCustomers`). */
  finished: boolean;
}

/** Run file names: `.sort-<pid>-<token>-<n>.run`; `ownTokens` holds this process's batches that have runs. */
const RUN_FILE = /^\.sort-(\d+)-([0-9a-f]+)-\d+\.run$/;
const ownTokens = new Set<string>();
const swept = new Set<string>();

/** True when process `pid` exists (EPERM: it exists, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes run files a crashed import left behind in `dir` (once per folder and process): files of a process that is
 * gone, or of an earlier process with this pid (a container restarted). Files of a live import are kept.
 */
function sweepStaleRuns(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = RUN_FILE.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (ownTokens.has(m[2]!) || (pid !== process.pid && alive(pid))) continue;
    try {
      removeRun(join(dir, name));
    } catch {
      // another sweeper, or not ours to remove: leave it
    }
  }
}

export class ChangeBatch {
  readonly kindNames: string[] = [];
  readonly strengths = new Map<string, Strength>();
  /** Entries in memory: customer index in this batch, kind index in kindNames, hash halves. */
  readonly entCustomer = new U32Column();
  readonly entKind = new U8Column();
  readonly entHi = new U32Column();
  readonly entLo = new U32Column();
  /** Email domains seen in this batch (plaintext, transient; see module comment). */
  readonly domains = new Set<string>();
  /** Exact-token kinds with at least one value without a digit (others are only tried on tokens with digits). */
  readonly digitless = new Set<string>();
  /** Region names; a customer's region is an index into it (0 = none). */
  readonly regionNames: string[] = [''];
  /**
   * Customer ids in first-seen order; distinct once `finish` ran (it runs before any reader: the importer's report,
   * applyChange, encodeDelta). Until then a customer whose rows are not adjacent appears more than once.
   */
  readonly idList = new IdList();
  private readonly regionCol = new U16Column();
  private readonly regionIndex = new Map<string, number>([['', 0]]);
  /** True when the ids are distinct (no customer added since the last `finish`). */
  private distinct = true;
  private readonly kindIndex = new Map<string, number>();
  private readonly spillDir: string | undefined;
  private readonly chunk: number;
  private readonly token = randomBytes(6).toString('hex');
  private readonly spilled: SpilledRun[] = [];
  private spilledEntries = 0;
  /** Customer index as written in the runs → index after `finish` merged customers (null: unchanged). */
  private runCustomerMap: Uint32Array | null = null;

  constructor(spill?: SpillOptions) {
    this.spillDir = spill?.dir;
    this.chunk = Math.max(1, Math.floor(spill?.chunk ?? DEFAULT_SPILL_CHUNK));
  }

  /** Distinct customers (after `finish`). */
  get customers(): number {
    return this.idList.length;
  }

  /** Customer ids as strings (for small batches: a replicated delta, tests; an import uses `idAt`). */
  get ids(): string[] {
    return this.idList.toArray();
  }

  /** ISO-2 region per customer ('' = none), as strings (small batches; see `ids`). */
  get regions(): string[] {
    const out = new Array<string>(this.idList.length);
    for (let i = 0; i < out.length; i++) out[i] = this.regionNames[this.regionCol.data[i]!]!;
    return out;
  }

  idAt(i: number): string {
    return this.idList.get(i);
  }

  /** JS string order of customers i and j's ids. */
  compareIds(i: number, j: number): number {
    return this.idList.compare(i, j);
  }

  /** Index into `regionNames` of customer i's region. */
  regionAt(i: number): number {
    return this.regionCol.data[i]!;
  }

  private region(name: string): number {
    let r = this.regionIndex.get(name);
    if (r === undefined) {
      r = this.regionNames.length;
      this.regionNames.push(name);
      this.regionIndex.set(name, r);
    }
    return r;
  }

  /**
   * Index of customer `id` in the batch, creating it. Consecutive rows of one customer share an index; a customer
   * seen again later gets another one until `finish` merges them (no id → index map: ~50 bytes per customer).
   */
  customer(id: string, region: string): number {
    if (this.runCustomerMap) {
      throw new PostguardError(ErrorCodes.DIRECTORY, 'customer added to a spilled change batch after finish()');
    }
    const r = region ? this.region(region) : 0;
    if (!this.idList.pushUnlessLast(id)) {
      const last = this.idList.length - 1;
      if (r && !this.regionCol.data[last]) this.regionCol.data[last] = r;
      return last;
    }
    this.regionCol.push(r);
    this.distinct = false;
    return this.idList.length - 1;
  }

  /**
   * Merges the indexes of a customer seen more than once (rows not adjacent): the first-seen index and the first
   * non-empty region win, entries are renumbered (those in run files when they are read: `runCustomers`).
   * Idempotent; cheap when the ids are already distinct.
   */
  finish(): void {
    if (this.distinct) return;
    this.distinct = true;
    const ids = this.idList;
    const n = ids.length;
    let ascending = true;
    for (let i = 1; i < n && ascending; i++) ascending = ids.compare(i - 1, i) < 0;
    if (ascending) return;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => ids.compare(a, b) || a - b);
    const regions = this.regionCol.data;
    // first[i]: the first-seen index of customer i's id
    const first = new Uint32Array(n);
    let dup = false;
    for (let x = 0; x < n;) {
      let y = x + 1;
      while (y < n && ids.equal(order[y]!, order[x]!)) y++;
      const f = order[x]!;
      for (let z = x; z < y; z++) {
        const i = order[z]!;
        first[i] = f;
        if (i !== f) {
          dup = true;
          if (!regions[f] && regions[i]) regions[f] = regions[i]!;
        }
      }
      x = y;
    }
    if (!dup) return;
    const remap = order; // reused: new index of every first-seen index
    const keep = new Uint8Array(n);
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (first[i] !== i) continue;
      keep[i] = 1;
      remap[i] = w;
      regions[w] = regions[i]!;
      w++;
    }
    ids.compact(keep);
    this.regionCol.length = w;
    const c = this.entCustomer.data;
    for (let e = 0; e < this.entCustomer.length; e++) c[e] = remap[first[c[e]!]!]!;
    if (this.spilled.length) {
      const m = new Uint32Array(n);
      for (let i = 0; i < n; i++) m[i] = remap[first[i]!]!;
      this.runCustomerMap = m;
    }
  }

  kind(name: string, strength?: Strength): number {
    let k = this.kindIndex.get(name);
    if (k === undefined) {
      k = this.kindNames.length;
      this.kindNames.push(name);
      this.kindIndex.set(name, k);
    }
    if (strength) this.strengths.set(name, strength);
    return k;
  }

  /** `kind` < 256 (kind(): more kinds than an index holds make applyChange fail). */
  add(customer: number, kind: number, hi: number, lo: number): void {
    if (this.spillDir !== undefined && this.entHi.length >= this.chunk) this.spill();
    this.entCustomer.push(customer);
    this.entKind.push(kind);
    this.entHi.push(hi);
    this.entLo.push(lo);
  }

  /** Sorts the entries in memory and writes them as a run file; the columns are reused for the next chunk. */
  private spill(): void {
    if (this.runCustomerMap) {
      throw new PostguardError(ErrorCodes.DIRECTORY, 'entries added to a spilled change batch after finish()');
    }
    this.writeRun(false);
  }

  /**
   * When runs were written, writes the entries still in memory as one more and frees the columns (the index build
   * then holds no chunk beside its output). A batch that never spilled keeps its entries in memory.
   */
  spillRest(): void {
    if (this.spilled.length === 0 || this.entHi.length === 0) return;
    this.writeRun(this.distinct);
    for (const c of [this.entCustomer, this.entHi, this.entLo]) c.data = new Uint32Array(0);
    this.entKind.data = new Uint8Array(0);
  }

  private writeRun(finished: boolean): void {
    const dir = this.spillDir!;
    const n = this.entHi.length;
    const path = join(dir, `.sort-${process.pid}-${this.token}-${this.spilled.length}.run`);
    sortEntriesInPlace(this.entHi.data, this.entLo.data, this.entCustomer.data, this.entKind.data, n);
    try {
      if (this.spilled.length === 0) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        sweepStaleRuns(dir);
        ownTokens.add(this.token);
      }
      writeRun(path, this.entHi.data, this.entLo.data, this.entCustomer.data, this.entKind.data, n);
    } catch (err) {
      try {
        removeRun(path);
      } catch {
        // the write's error is the one to report
      }
      throw new PostguardError(ErrorCodes.DIRECTORY, `cannot write a directory sort run in ${dir}`, { cause: err });
    }
    this.spilled.push({ path, entries: n, finished });
    this.spilledEntries += n;
    this.entCustomer.length = 0;
    this.entKind.length = 0;
    this.entHi.length = 0;
    this.entLo.length = 0;
  }

  /** Sorted runs written so far (each sorted by hash; customers as written, see `runCustomers`). */
  get runs(): readonly SpilledRun[] {
    return this.spilled;
  }

  /** Maps the customer indexes of a run written before `finish` to the current ones (null: the same). */
  get runCustomers(): Uint32Array | null {
    return this.runCustomerMap;
  }

  /** Frees the entries and removes the run files (after `applyChange` in replace mode consumed them, or on failure). */
  releaseEntries(): void {
    for (const c of [this.entCustomer, this.entHi, this.entLo]) {
      c.data = new Uint32Array(0);
      c.length = 0;
    }
    this.entKind.data = new Uint8Array(0);
    this.entKind.length = 0;
    this.dispose();
  }

  /** Removes the run files (idempotent); the entries in memory stay. */
  dispose(): void {
    for (const r of this.spilled.splice(0)) removeRun(r.path);
    this.spilledEntries = 0;
    this.runCustomerMap = null;
    ownTokens.delete(this.token);
  }

  /** Frees the customer ids and regions (after the index that copied them was built). */
  releaseCustomers(): void {
    this.idList.clear();
    this.regionCol.data = new Uint16Array(0);
    this.regionCol.length = 0;
  }

  /** Entries in memory and in run files. */
  get entries(): number {
    return this.spilledEntries + this.entHi.length;
  }
}
