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
 *   ids     string[](n)     customer ids sorted ascending (ordinal = position)
 *   region  Uint8Array(n)   index into `regions` (0 = none)
 * 13 bytes per value + the ids: 8M values ≈ 105 MB + ids.
 *
 * A lookup's probe is dominated by cache/TLB misses (the arrays are far larger than the caches), each one
 * serialised behind the hash computation. The prefix table stays in L2, so a miss costs one `keys` line and a
 * hit adds `ref` and the id; the earlier 2^21-entry (8 MiB) bucket table cost a further miss per probe (see
 * bench/directory/README.md for the measurements, including a 16-byte-record layout that was not kept).
 */
import type { Strength } from '../core/types.js';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { ChangeBatch, DOMAIN_KIND, U32Column } from './change-batch.js';
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
  ids: string[];
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
  readonly ids: string[];
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
    this.ids = p.ids;
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
    this.regionList = [...seen].filter((r) => r > 0).map((r) => p.regions[r]!).sort();
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
    if (r < OVERFLOW) return [this.ids[r]!];
    // Shared value (a name, a household address): one array, no intermediate ordinal list.
    const off = r - OVERFLOW + 1;
    const n = this.overflow[off - 1]!;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.ids[this.overflow[off + i]!]!;
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
    if (r < OVERFLOW) return among.filter((id) => id === this.ids[r]);
    const off = r - OVERFLOW;
    const list = this.overflow.subarray(off + 1, off + 1 + this.overflow[off]!);
    const out: string[] = [];
    if (list.length <= among.length) {
      const set = this.idSetOf(among);
      for (let i = 0; i < list.length; i++) {
        const id = this.ids[list[i]!]!;
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
    let a = 0;
    let z = this.ids.length - 1;
    while (a <= z) {
      const mid = (a + z) >>> 1;
      const v = this.ids[mid]!;
      if (v < id) a = mid + 1;
      else if (v > id) z = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** Approximate heap bytes held by the index. */
  memoryBytes(): number {
    let ids = 0;
    for (const id of this.ids) ids += 24 + id.length;
    return (
      this.keys.byteLength +
      this.kind.byteLength +
      this.ref.byteLength +
      this.overflow.byteLength +
      this.region.byteLength +
      this.bucket.byteLength +
      ids +
      this.ids.length * 8
    );
  }

  parts(): IndexParts {
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

/** Positions of `ids` (distinct) in ascending order; no sort when they already are (a query or file in id order). */
function sortedOrder(ids: readonly string[]): Uint32Array {
  const order = new Uint32Array(ids.length);
  let ascending = true;
  for (let i = 0; i < ids.length; i++) {
    order[i] = i;
    if (i > 0 && ids[i - 1]! > ids[i]!) ascending = false;
  }
  if (!ascending) order.sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));
  return order;
}

/** Most prefix bits of the in-place sort's buckets (2^20 buckets: two 4 MiB tables). */
const SORT_MAX_BITS = 20;

/**
 * Sorts entries by (hi, lo) in place, carrying `ord` and `kd` along, with no second copy of the entries: one
 * American-flag pass on the top bits of `hi` (buckets of ~4 entries: keyed hashes are uniform) permutes the four
 * arrays by cycles, then an insertion sort finishes each bucket. Equal keys (a value several customers share) stay
 * together in any order.
 */
export function sortEntriesInPlace(hi: Uint32Array, lo: Uint32Array, ord: Uint32Array, kd: Uint8Array, n: number): void {
  if (n < 2) return;
  let bits = 1;
  while (bits < SORT_MAX_BITS && n >>> (bits + 2) > 0) bits++;
  const shift = 32 - bits;
  const buckets = 1 << bits;
  const start = new Uint32Array(buckets + 1);
  for (let i = 0; i < n; i++) countAt(start, (hi[i]! >>> shift) + 1);
  for (let b = 1; b <= buckets; b++) start[b]! += start[b - 1]!;
  const next = start.slice(0, buckets);
  for (let b = 0; b < buckets; b++) {
    const end = start[b + 1]!;
    while (next[b]! < end) {
      const i = next[b]!;
      let h = hi[i]!;
      let d = h >>> shift;
      if (d === b) {
        next[b] = i + 1;
        continue;
      }
      // carry the entry at i round its cycle until one belonging to bucket b comes back
      let l = lo[i]!;
      let o = ord[i]!;
      let k = kd[i]!;
      do {
        const j = next[d]!;
        next[d] = j + 1;
        const h2 = hi[j]!;
        const l2 = lo[j]!;
        const o2 = ord[j]!;
        const k2 = kd[j]!;
        hi[j] = h;
        lo[j] = l;
        ord[j] = o;
        kd[j] = k;
        h = h2;
        l = l2;
        o = o2;
        k = k2;
        d = h >>> shift;
      } while (d !== b);
      hi[i] = h;
      lo[i] = l;
      ord[i] = o;
      kd[i] = k;
      next[b] = i + 1;
    }
  }
  for (let b = 0; b < buckets; b++) {
    const a = start[b]!;
    const z = start[b + 1]!;
    for (let i = a + 1; i < z; i++) {
      const h = hi[i]!;
      const l = lo[i]!;
      let j = i - 1;
      if (hi[j]! < h || (hi[j] === h && lo[j]! <= l)) continue;
      const o = ord[i]!;
      const k = kd[i]!;
      do {
        hi[j + 1] = hi[j]!;
        lo[j + 1] = lo[j]!;
        ord[j + 1] = ord[j]!;
        kd[j + 1] = kd[j]!;
        j--;
      } while (j >= a && (hi[j]! > h || (hi[j] === h && lo[j]! > l)));
      hi[j + 1] = h;
      lo[j + 1] = l;
      ord[j + 1] = o;
      kd[j + 1] = k;
    }
  }
}

/**
 * Applies a change to `base` and returns a new index (base is untouched, so readers keep using it until the
 * caller swaps). `domainCount` lets the caller compute the plaintext domain set (≥ 3 customers).
 */
export function applyChange(base: CompactIndex, change: Change, hasher: KeyedHasher): CompactIndex {
  const { batch } = change;
  const replace = change.mode === 'replace';
  // 1. Customer ids: kept old ones merged with the batch's, sorted.
  batch.finish();
  const drop = new Set<string>(change.removals ?? []);
  if (!replace) for (const id of batch.ids) drop.add(id);
  const oldToNew = new Int32Array(base.customers).fill(-1);
  const batchOrder = sortedOrder(batch.ids);
  const batchToNew = new Int32Array(batch.ids.length);
  const ids: string[] = [];
  let i = 0;
  let j = 0;
  const oldIds = base.ids;
  while (true) {
    if (!replace) while (i < oldIds.length && drop.has(oldIds[i]!)) i++;
    const oldId = replace || i >= oldIds.length ? undefined : oldIds[i];
    const newId = j < batchOrder.length ? batch.ids[batchOrder[j]!] : undefined;
    if (oldId === undefined && newId === undefined) break;
    if (newId === undefined || (oldId !== undefined && oldId < newId)) {
      oldToNew[i++] = ids.length;
      ids.push(oldId!);
    } else {
      batchToNew[batchOrder[j++]!] = ids.length;
      ids.push(newId);
    }
  }

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
  batch.regions.forEach((r, c) => {
    let x = regionIdx.get(r);
    if (x === undefined) {
      x = regions.length;
      if (x > 255) x = 0; // more than 255 regions cannot exist (ISO-2); ignore rather than fail
      else {
        regions.push(r);
        regionIdx.set(r, x);
      }
    }
    region[batchToNew[c]!] = x;
  });

  // 3. Flat entries: old entries of kept customers + batch entries. A replace sorts the batch's own columns in
  //    place (its customer and kind columns rewritten to ordinals and kind indexes): no copy of the entries.
  let n = batch.entries;
  let hi: Uint32Array;
  let lo: Uint32Array;
  let kd: Uint8Array;
  let ord: Uint32Array;
  if (replace) {
    hi = batch.entHi.data;
    lo = batch.entLo.data;
    kd = batch.entKind.data;
    ord = batch.entCustomer.data;
    for (let e = 0; e < n; e++) {
      kd[e] = batchKind[kd[e]!]!;
      ord[e] = batchToNew[ord[e]!]!;
    }
  } else {
    let total = batch.entries;
    for (let p = 0; p < base.size; p++) {
      const r = base.ref[p]!;
      if (r < OVERFLOW) total += oldToNew[r]! >= 0 ? 1 : 0;
      else total += base.overflow[r - OVERFLOW]!;
    }
    hi = new Uint32Array(total);
    lo = new Uint32Array(total);
    kd = new Uint8Array(total);
    ord = new Uint32Array(total);
    n = 0;
    for (let p = 0; p < base.size; p++) {
      const r = base.ref[p]!;
      const k = base.kind[p]!;
      if (r < OVERFLOW) {
        const o = oldToNew[r]!;
        if (o >= 0) {
          hi[n] = base.keys[2 * p]!;
          lo[n] = base.keys[2 * p + 1]!;
          kd[n] = k;
          ord[n++] = o;
        }
      } else {
        const off = r - OVERFLOW;
        const cnt = base.overflow[off]!;
        for (let q = 1; q <= cnt; q++) {
          const o = oldToNew[base.overflow[off + q]!]!;
          if (o >= 0) {
            hi[n] = base.keys[2 * p]!;
            lo[n] = base.keys[2 * p + 1]!;
            kd[n] = k;
            ord[n++] = o;
          }
        }
      }
    }
    const bc = batch.entCustomer.data;
    const bk = batch.entKind.data;
    const bh = batch.entHi.data;
    const bl = batch.entLo.data;
    for (let e = 0; e < batch.entries; e++) {
      hi[n] = bh[e]!;
      lo[n] = bl[e]!;
      kd[n] = batchKind[bk[e]!]!;
      ord[n++] = batchToNew[bc[e]!]!;
    }
  }
  sortEntriesInPlace(hi, lo, ord, kd, n);
  const H = hi;
  const L = lo;

  // 4. Group equal hashes; several distinct customers → overflow list.
  let unique = 0;
  for (let p = 0; p < n; p++) if (p === 0 || H[p] !== H[p - 1] || L[p] !== L[p - 1]) unique++;
  const outKeys = new Uint32Array(unique * 2);
  const outKind = new Uint8Array(unique);
  const outRef = new Uint32Array(unique);
  const overflow = new U32Column(1024);
  let u = 0;
  const run: number[] = [];
  for (let p = 0; p < n; ) {
    let q = p + 1;
    while (q < n && H[q] === H[p] && L[q] === L[p]) q++;
    outKeys[2 * u] = H[p]!;
    outKeys[2 * u + 1] = L[p]!;
    outKind[u] = kd[p]!;
    if (q === p + 1) outRef[u] = ord[p]!;
    else {
      run.length = 0;
      for (let x = p; x < q; x++) run.push(ord[x]!);
      run.sort((a, b) => a - b);
      let w = 0;
      for (let x = 0; x < run.length; x++) if (x === 0 || run[x] !== run[x - 1]) run[w++] = run[x]!;
      run.length = w;
      if (w === 1) outRef[u] = run[0]!;
      else {
        outRef[u] = OVERFLOW + overflow.length;
        overflow.push(w);
        for (const o of run) overflow.push(o);
      }
    }
    u++;
    p = q;
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
    overflow: overflow.view().slice(),
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
