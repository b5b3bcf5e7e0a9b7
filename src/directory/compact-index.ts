/**
 * The in-memory directory index: immutable, swapped atomically on every change.
 *
 * Layout (m distinct hashes, n customers):
 *   keys    Uint32Array(2m) 64-bit keyed hashes as interleaved (hi, lo) pairs (one cache line per probe),
 *                           sorted ascending
 *   kind    Uint8Array(m)   index into `kinds`
 *   ref     Uint32Array(m)  customer ordinal, or OVERFLOW|offset into `overflow` (count, ordinals…) for values
 *                           shared by several customers (a household address, a common name)
 *   bucket  Uint32Array(2^B + 1) start of each top-B-bit prefix of `hi`, B ≤ 16 (256 KiB: stays in L2); a probe
 *                           interpolates within the bucket (see `find`)
 *   ids     IdTable(n)      customer ids sorted ascending (ordinal = position): UTF-8 bytes + a u32 offset each
 *                           (id-list.ts; ~14 MB for 1 M ids of 9 characters, against ~40 MB as JS strings)
 *   region  Uint8Array(n)   index into `regions` (0 = none)
 * 13 bytes per value + the ids: 8M values ≈ 105 MB + ids. A hit decodes its customer's id (~0.1 µs).
 *
 * A lookup's probe is dominated by cache/TLB misses (the arrays are far larger than the caches), each one
 * serialised behind the hash computation. The prefix table stays in L2, so a miss costs one `keys` line and a
 * hit adds `ref` and the id; the earlier 2^21-entry (8 MiB) bucket table cost a further miss per probe (see
 * bench/directory/README.md for the measurements, including a 16-byte-record layout that was not kept).
 */
import type { Strength } from '../core/types.js';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { ChangeBatch, DOMAIN_KIND } from './change-batch.js';
import { ArraySource, mergeGroups, RunFileSource, sortEntriesInPlace, type EntrySource } from './entry-runs.js';
import { compareUtf8, IdTable, IdTableBuilder } from './id-list.js';
import { defaultStrength } from './columns.js';
import type { KeyedHasher } from './keyed-hash.js';

const OVERFLOW = 0x80000000;
const EMPTY: readonly string[] = Object.freeze([]);
/** A domain is non-identifying (kept in plaintext) once this many distinct customers use it. */
export const DOMAIN_MIN_CUSTOMERS = 3;

export interface IndexParts {
  kinds: string[];
  strengths: Record<string, Strength>;
  regions: string[];
  emailDomains: string[];
  /** Exact-token kinds holding values without digits. */
  digitless: string[];
  /** Sorted ascending (JS string order); strings are turned into a table. */
  ids: IdTable | readonly string[];
  /** Interleaved hi, lo halves. */
  keys: Uint32Array;
  kind: Uint8Array;
  ref: Uint32Array;
  overflow: Uint32Array;
  region: Uint8Array;
}

/** Prefix-table bits: about 8 values per bucket for small indexes, at most 2^16 buckets (fits L2). */
function bucketBits(m: number): number {
  let b = 4;
  while (b < 16 && 1 << (b + 3) < m) b++;
  return b;
}

/** 2^-32. */
const INV_2_32 = 1 / 4294967296;

export class CompactIndex {
  readonly kinds: string[];
  readonly strengths: Record<string, Strength>;
  readonly regionTable: string[];
  readonly ids: IdTable;
  readonly keys: Uint32Array;
  readonly kind: Uint8Array;
  readonly ref: Uint32Array;
  readonly overflow: Uint32Array;
  readonly region: Uint8Array;
  emailDomainSet: ReadonlySet<string>;
  readonly kindSet: ReadonlySet<string>;
  readonly digitlessKinds: ReadonlySet<string>;
  readonly regionList: readonly string[];
  readonly valuesPerKind: Record<string, number>;
  private readonly bits: number;
  private readonly shift: number;
  /** Sink of the early `ref` load in `find` (not private: an unread private field would be a compile error). */
  touched = 0;
  private readonly bucket: Uint32Array;
  private readonly kindIndex = new Map<string, number>();
  private lastIds: readonly string[] | undefined;
  private lastOrds = new Int32Array(0);
  private lastSetIds: readonly string[] | undefined;
  private lastSet: ReadonlySet<string> = new Set();

  constructor(p: IndexParts) {
    this.kinds = p.kinds;
    this.strengths = p.strengths;
    this.regionTable = p.regions;
    this.ids = p.ids instanceof IdTable ? p.ids : IdTable.fromStrings(p.ids);
    this.keys = p.keys;
    this.kind = p.kind;
    this.ref = p.ref;
    this.overflow = p.overflow;
    this.region = p.region;
    this.emailDomainSet = new Set(p.emailDomains);
    this.digitlessKinds = new Set(p.digitless);
    p.kinds.forEach((k, i) => this.kindIndex.set(k, i));
    const m = p.keys.length >>> 1;
    this.bits = bucketBits(m);
    const shift = 32 - this.bits;
    this.shift = shift;
    const bucket = new Uint32Array((1 << this.bits) + 1);
    const counts = new Float64Array(p.kinds.length);
    for (let i = 0; i < m; i++) {
      countAt(bucket, (p.keys[2 * i]! >>> shift) + 1);
      countAt(counts, p.kind[i]!);
    }
    for (let i = 1; i < bucket.length; i++) bucket[i]! += bucket[i - 1]!;
    this.bucket = bucket;
    const perKind: Record<string, number> = {};
    p.kinds.forEach((k, i) => {
      if (!k.startsWith('#') && counts[i]! > 0) perKind[k] = counts[i]!;
    });
    this.valuesPerKind = perKind;
    this.kindSet = new Set(Object.keys(perKind));
    const seen = new Set<number>();
    for (let i = 0; i < p.region.length; i++) seen.add(p.region[i]!);
    this.regionList = [...seen]
      .filter((r) => r > 0)
      .map((r) => p.regions[r]!)
      .sort();
  }

  static empty(): CompactIndex {
    return new CompactIndex({
      kinds: [],
      strengths: {},
      regions: [''],
      emailDomains: [],
      digitless: [],
      ids: [],
      keys: new Uint32Array(0),
      kind: new Uint8Array(0),
      ref: new Uint32Array(0),
      overflow: new Uint32Array(0),
      region: new Uint8Array(0),
    });
  }

  get customers(): number {
    return this.ids.length;
  }

  /** Customer id of ordinal `o`. */
  idAt(o: number): string {
    return this.ids.get(o);
  }

  get size(): number {
    return this.keys.length >>> 1;
  }

  strengthOf(kind: string): Strength {
    return this.strengths[kind] ?? defaultStrength(kind);
  }

  /**
   * Position of a hash or -1. Keyed hashes are uniform, so within its prefix bucket a key sits close to the
   * position interpolated from the remaining bits of `hi` (typically within ±4 entries: the same or the next
   * cache line); a short linear scan from the estimate finds it.
   */
  find(hi: number, lo: number): number {
    const b = hi >>> this.shift;
    const a = this.bucket[b]!;
    const z = this.bucket[b + 1]!;
    const n = z - a;
    if (n === 0) return -1;
    const K = this.keys;
    let p = a + Math.floor(((hi << this.bits) >>> 0) * INV_2_32 * n);
    // Touch `ref` near the estimate now: its cache miss then overlaps the `keys` miss instead of following it
    // (a hit's ref is almost always in the same line). Stored so the load is not optimised away.
    this.touched = this.ref[p]!;
    let h = K[2 * p]!;
    if (h < hi || (h === hi && K[2 * p + 1]! < lo)) {
      // Forward to the first key ≥ (hi, lo).
      do {
        if (++p >= z) return -1;
        h = K[2 * p]!;
      } while (h < hi || (h === hi && K[2 * p + 1]! < lo));
    } else {
      // Back to the last key ≤ (hi, lo).
      while (h > hi || (h === hi && K[2 * p + 1]! > lo)) {
        if (--p < a) return -1;
        h = K[2 * p]!;
      }
    }
    return h === hi && K[2 * p + 1] === lo ? p : -1;
  }

  /** Customer ordinals at position `pos`. */
  ordinalsAt(pos: number): number[] {
    const r = this.ref[pos]!;
    if (r < OVERFLOW) return [r];
    const off = r - OVERFLOW;
    const n = this.overflow[off]!;
    return Array.from(this.overflow.subarray(off + 1, off + 1 + n));
  }

  lookupHash(hi: number, lo: number, kind?: string): readonly string[] {
    const pos = this.find(hi, lo);
    if (pos < 0) return EMPTY;
    if (kind !== undefined && this.kinds[this.kind[pos]!] !== kind) return EMPTY;
    const r = this.ref[pos]!;
    if (r < OVERFLOW) return [this.ids.get(r)];
    // Shared value (a name, a household address): one array, no intermediate ordinal list.
    const off = r - OVERFLOW + 1;
    const n = this.overflow[off - 1]!;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.ids.get(this.overflow[off + i]!);
    return out;
  }

  lookup(hasher: KeyedHasher, kind: string, normalized: string): readonly string[] {
    if (!this.kindIndex.has(kind)) return EMPTY;
    hasher.hash(kind, normalized);
    // The kind is part of the hashed input: no separate kind check on the hot path.
    return this.lookupHash(hasher.hi, hasher.lo);
  }

  /** The subset of `among` (customer ids) holding the value; no id list is built for widely shared values. */
  lookupAmong(hasher: KeyedHasher, kind: string, normalized: string, among: readonly string[]): string[] {
    if (!this.kindIndex.has(kind) || among.length === 0) return [];
    hasher.hash(kind, normalized);
    const pos = this.find(hasher.hi, hasher.lo);
    if (pos < 0 || this.kinds[this.kind[pos]!] !== kind) return [];
    const r = this.ref[pos]!;
    if (r < OVERFLOW) {
      const holder = this.ids.get(r);
      return among.filter((id) => id === holder);
    }
    const off = r - OVERFLOW;
    const list = this.overflow.subarray(off + 1, off + 1 + this.overflow[off]!);
    const out: string[] = [];
    if (list.length <= among.length) {
      const set = this.idSetOf(among);
      for (let i = 0; i < list.length; i++) {
        const id = this.ids.get(list[i]!);
        if (set.has(id)) out.push(id);
      }
      return out;
    }
    const ords = this.ordinalsOf(among);
    for (let i = 0; i < among.length; i++) {
      const o = ords[i]!;
      if (o < 0) continue;
      let a = 0;
      let z = list.length - 1;
      while (a <= z) {
        const mid = (a + z) >>> 1;
        const v = list[mid]!;
        if (v < o) a = mid + 1;
        else if (v > o) z = mid - 1;
        else {
          out.push(among[i]!);
          break;
        }
      }
    }
    return out;
  }

  private idSetOf(ids: readonly string[]): ReadonlySet<string> {
    if (ids !== this.lastSetIds) {
      this.lastSet = new Set(ids);
      this.lastSetIds = ids;
    }
    return this.lastSet;
  }

  /** Ordinals of `ids` (-1 when absent); the last answer is kept because the detector asks repeatedly. */
  private ordinalsOf(ids: readonly string[]): Int32Array {
    if (ids !== this.lastIds) {
      this.lastOrds = Int32Array.from(ids, (id) => this.ordinalOf(id));
      this.lastIds = ids;
    }
    return this.lastOrds;
  }

  has(hasher: KeyedHasher, kind: string, normalized: string): boolean {
    if (!this.kindIndex.has(kind)) return false;
    hasher.hash(kind, normalized);
    return this.find(hasher.hi, hasher.lo) >= 0;
  }

  /** Ordinal of a customer id or -1 (binary search over the sorted ids). */
  ordinalOf(id: string): number {
    return this.ids.find(id);
  }

  /** Approximate heap bytes held by the index. */
  memoryBytes(): number {
    return (
      this.keys.byteLength +
      this.kind.byteLength +
      this.ref.byteLength +
      this.overflow.byteLength +
      this.region.byteLength +
      this.bucket.byteLength +
      this.ids.byteLength
    );
  }

  parts(): IndexParts & { ids: IdTable } {
    return {
      kinds: this.kinds,
      strengths: this.strengths,
      regions: this.regionTable,
      emailDomains: [...this.emailDomainSet].sort(),
      digitless: [...this.digitlessKinds].sort(),
      ids: this.ids,
      keys: this.keys,
      kind: this.kind,
      ref: this.ref,
      overflow: this.overflow,
      region: this.region,
    };
  }
}

export type ChangeMode = 'upsert' | 'replace';

export interface Change {
  mode: ChangeMode;
  /** Customers whose values are (re)defined by `batch`. */
  batch: ChangeBatch;
  /** Customers removed entirely. */
  removals?: readonly string[];
  /**
   * When the change was replicated, the resulting plaintext domain set as computed by the writer (the batch's
   * transient domains are not replicated).
   */
  emailDomains?: readonly string[];
}

/** Adds one to the counter at `i` (a typed array reads 0 for every index it has). */
function countAt(counters: Uint32Array | Float64Array, i: number): void {
  counters[i] = (counters[i] ?? 0) + 1;
}

/** The batch's customers in id order; no sort when they already are (a query or file in id order). */
function sortedBatchOrder(batch: ChangeBatch): Uint32Array {
  const n = batch.customers;
  const order = new Uint32Array(n);
  let ascending = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && ascending && batch.compareIds(i - 1, i) > 0) ascending = false;
  }
  if (!ascending) order.sort((a, b) => batch.compareIds(a, b) || a - b);
  return order;
}

/** The entries of an index, customers renumbered by `oldToNew` (-1: dropped), in hash order. */
class IndexSource implements EntrySource {
  hi = 0;
  lo = 0;
  kind = 0;
  ord = 0;
  private p = -1;
  private q = 0;
  private qEnd = 0;

  constructor(
    private readonly base: CompactIndex,
    private readonly oldToNew: Int32Array,
  ) {}

  start(): boolean {
    this.p = -1;
    this.q = 0;
    this.qEnd = 0;
    return this.next();
  }

  next(): boolean {
    const { keys, ref, overflow, kind } = this.base;
    const map = this.oldToNew;
    const size = kind.length;
    for (;;) {
      while (this.q < this.qEnd) {
        const o = map[overflow[this.q++]!]!;
        if (o >= 0) {
          this.ord = o;
          return true;
        }
      }
      const p = ++this.p;
      if (p >= size) return false;
      this.hi = keys[2 * p]!;
      this.lo = keys[2 * p + 1]!;
      this.kind = kind[p]!;
      const r = ref[p]!;
      if (r < OVERFLOW) {
        const o = map[r]!;
        if (o >= 0) {
          this.ord = o;
          return true;
        }
        continue;
      }
      const off = r - OVERFLOW;
      this.q = off + 1;
      this.qEnd = off + 1 + overflow[off]!;
    }
  }
}

/**
 * The new index's ids: the kept ids of `base` (all but `removals` and those the batch redefines) merged with the
 * batch's, in order; and where each old and batch customer went (-1: an old one dropped). A function of its own so
 * that its temporaries (the batch's sort order, the builder's offsets) are gone before the entries are merged.
 */
function mergeIds(
  base: CompactIndex,
  batch: ChangeBatch,
  removals: readonly string[] | undefined,
): { ids: IdTable; oldToNew: Int32Array; batchToNew: Uint32Array } {
  const nb = batch.customers;
  const oldIds = base.ids;
  const oldN = oldIds.length;
  const oldToNew = new Int32Array(oldN).fill(-1);
  const dropOld = new Uint8Array(removals?.length ? oldN : 0);
  for (const id of removals ?? []) {
    const o = base.ordinalOf(id);
    if (o >= 0 && o < dropOld.length) dropOld[o] = 1;
  }
  const batchOrder = sortedBatchOrder(batch);
  const batchToNew = new Uint32Array(nb);
  const list = batch.idList;
  const ob = oldIds.bytes;
  const builder = new IdTableBuilder(oldN + nb, ob.length + list.idBytes + oldN + nb);
  let i = 0;
  let j = 0;
  while (true) {
    if (dropOld.length) while (i < oldN && dropOld[i]) i++;
    const hasOld = i < oldN;
    const hasNew = j < nb;
    if (!hasOld && !hasNew) break;
    const c = !hasNew
      ? -1
      : !hasOld
        ? 1
        : compareUtf8(
            ob,
            oldIds.start(i),
            oldIds.end(i),
            list.buffer,
            list.startOf(batchOrder[j]!),
            list.endOf(batchOrder[j]!),
          );
    if (c < 0) {
      oldToNew[i] = builder.length;
      builder.append(ob, oldIds.start(i), oldIds.end(i));
      i++;
    } else {
      if (c === 0) i++; // redefined by the batch: the old customer's entries are dropped
      const b = batchOrder[j++]!;
      batchToNew[b] = builder.length;
      builder.append(list.buffer, list.startOf(b), list.endOf(b));
    }
  }
  return { ids: builder.finish(), oldToNew, batchToNew };
}

/**
 * Applies a change to `base` and returns a new index (base is untouched, so readers keep using it until the
 * caller swaps). `domainCount` lets the caller compute the plaintext domain set (≥ 3 customers).
 *
 * Memory: the kept entries of `base` (an upsert), the batch's run files and its entries still in memory are
 * merged in hash order (entry-runs.ts) twice, once to count and once to fill the new arrays, allocated once at
 * their exact size: besides `base` and the new index, the build holds only the batch's last chunk and a read
 * block per run. A replace frees the batch's entries and customers once they are copied.
 */
export function applyChange(base: CompactIndex, change: Change, hasher: KeyedHasher): CompactIndex {
  const { batch } = change;
  const replace = change.mode === 'replace';
  // 1. Customer ids: kept old ones merged with the batch's, sorted. A batch customer replaces the old one.
  batch.finish();
  const nb = batch.customers;
  const { ids, oldToNew, batchToNew } = mergeIds(replace ? CompactIndex.empty() : base, batch, change.removals);

  // 2. Kind and region tables (union, old indexes kept).
  const kinds = replace ? [] : [...base.kinds];
  const strengths: Record<string, Strength> = replace ? {} : { ...base.strengths };
  const kindIdx = new Map(kinds.map((k, x) => [k, x]));
  const batchKind = batch.kindNames.map((k) => {
    let x = kindIdx.get(k);
    if (x === undefined) {
      x = kinds.length;
      if (x > 255) throw new PostguardError(ErrorCodes.DIRECTORY, 'too many value kinds (max 256)');
      kinds.push(k);
      kindIdx.set(k, x);
    }
    return x;
  });
  for (const [k, s] of batch.strengths) strengths[k] = s;
  const regions = replace ? [''] : [...base.regionTable];
  const regionIdx = new Map(regions.map((r, x) => [r, x]));
  const region = new Uint8Array(ids.length);
  if (!replace) {
    for (let o = 0; o < oldToNew.length; o++) if (oldToNew[o]! >= 0) region[oldToNew[o]!] = base.region[o]!;
  }
  const batchRegion = new Int16Array(batch.regionNames.length).fill(-1);
  for (let c = 0; c < nb; c++) {
    const rn = batch.regionAt(c);
    let x = batchRegion[rn]!;
    if (x < 0) {
      const r = batch.regionNames[rn]!;
      x = regionIdx.get(r) ?? -1;
      if (x < 0) {
        x = regions.length;
        if (x > 255)
          x = 0; // more than 255 regions cannot exist (ISO-2); ignore rather than fail
        else {
          regions.push(r);
          regionIdx.set(r, x);
        }
      }
      batchRegion[rn] = x;
    }
    region[batchToNew[c]!] = x;
  }
  if (replace) batch.releaseCustomers(); // copied into `ids` and `region`

  // 3. Entry sources in hash order: the old index's kept entries, the batch's runs and its entries in memory
  //    (sorted in place: their order is all that changes in the batch, which may still be published as a delta).
  //    A batch that spilled writes its last chunk too, so that no chunk stays in memory beside the output.
  batch.spillRest();
  const kindOf = Uint8Array.from(batchKind);
  const sources: EntrySource[] = [];
  if (!replace && base.size > 0) sources.push(new IndexSource(base, oldToNew));
  const files: RunFileSource[] = [];
  if (batch.runs.length) {
    const runMap = batch.runCustomers;
    let runOrd = batchToNew;
    if (runMap) {
      runOrd = new Uint32Array(runMap.length);
      for (let k = 0; k < runMap.length; k++) runOrd[k] = batchToNew[runMap[k]!]!;
    }
    for (const r of batch.runs)
      files.push(new RunFileSource(r.path, r.entries, r.finished ? batchToNew : runOrd, kindOf));
    sources.push(...files);
  }
  const inMemory = batch.entHi.length;
  if (inMemory > 0) {
    const { entHi, entLo, entCustomer, entKind } = batch;
    sortEntriesInPlace(entHi.data, entLo.data, entCustomer.data, entKind.data, inMemory);
    sources.push(new ArraySource(entHi.data, entLo.data, entCustomer.data, entKind.data, inMemory, batchToNew, kindOf));
  }

  // 4. Group equal hashes (several distinct customers → overflow list): count, allocate once, fill.
  let outKeys: Uint32Array;
  let outKind: Uint8Array;
  let outRef: Uint32Array;
  let overflow: Uint32Array;
  try {
    let unique = 0;
    let shared = 0;
    mergeGroups(sources, (_hi, _lo, _kind, _ords, count) => {
      unique++;
      if (count > 1) shared += count + 1;
    });
    outKeys = new Uint32Array(unique * 2);
    outKind = new Uint8Array(unique);
    outRef = new Uint32Array(unique);
    overflow = new Uint32Array(shared);
    let u = 0;
    let w = 0;
    mergeGroups(sources, (hi, lo, kind, ords, count) => {
      outKeys[2 * u] = hi;
      outKeys[2 * u + 1] = lo;
      outKind[u] = kind;
      if (count === 1) outRef[u] = ords[0]!;
      else {
        outRef[u] = OVERFLOW + w;
        overflow[w++] = count;
        overflow.set(ords.subarray(0, count), w);
        w += count;
      }
      u++;
    });
  } finally {
    for (const f of files) f.close();
  }
  if (replace) batch.releaseEntries();

  const next = new CompactIndex({
    kinds,
    strengths,
    regions,
    emailDomains: [],
    digitless: [...new Set([...(replace ? [] : base.digitlessKinds), ...batch.digitless])].sort(),
    ids,
    keys: outKeys,
    kind: outKind,
    ref: outRef,
    overflow,
    region,
  });
  next.emailDomainSet = new Set(change.emailDomains ?? computeDomains(next, base, batch, replace, hasher));
  return next;
}

function computeDomains(
  next: CompactIndex,
  base: CompactIndex,
  batch: ChangeBatch,
  replace: boolean,
  hasher: KeyedHasher,
): string[] {
  const candidates = new Set<string>(batch.domains);
  if (!replace) for (const d of base.emailDomainSet) candidates.add(d);
  const out: string[] = [];
  for (const d of candidates) {
    hasher.hash(DOMAIN_KIND, d);
    if (next.lookupHash(hasher.hi, hasher.lo).length >= DOMAIN_MIN_CUSTOMERS) out.push(d);
  }
  return out.sort();
}
