/**
 * Sorted runs of index entries (keyed hash, kind, customer) and their k-way merge: how a change batch of any size
 * becomes an index without holding every entry in memory.
 *
 * A change batch keeps at most a chunk of entries in memory (change-batch.ts). A full chunk is sorted in place and
 * written to a run file in the data folder: 16-byte records (hash hi, hash lo, customer index in the batch, kind
 * index in the batch) as u32 in host byte order (only this process reads them back), mode 0600, removed when the
 * batch is released (after the index is built, or when the import fails). A run holds keyed hashes and
 * batch-internal numbers only, never a customer id or a plaintext value.
 *
 * The index build (compact-index.ts applyChange) merges every run, the entries still in memory and the kept part
 * of the old index (an upsert) in hash order, and hands each distinct hash with its customers' ordinals (ascending,
 * distinct) to a callback: twice, once to count and once to fill output arrays sized exactly.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';

/** A stream of entries in ascending (hi, lo) order. Entries with equal keys may come in any order. */
export interface EntrySource {
  hi: number;
  lo: number;
  kind: number;
  /** Customer ordinal in the index being built. */
  ord: number;
  /** Goes back to the first entry and loads it; false when there is none. */
  start(): boolean;
  /** Loads the next entry; false at the end. */
  next(): boolean;
}

/** Adds one to the counter at `i` (a typed array reads 0 for every index it has). */
function countAt(counters: Uint32Array, i: number): void {
  counters[i] = (counters[i] ?? 0) + 1;
}

/** Most prefix bits of the in-place sort's buckets (2^20 buckets: two 4 MiB tables). */
const SORT_MAX_BITS = 20;

/**
 * Sorts entries by (hi, lo) in place, carrying `ord` and `kd` along, with no second copy of the entries: one
 * American-flag pass on the top bits of `hi` (buckets of ~4 entries: keyed hashes are uniform) permutes the four
 * arrays by cycles, then an insertion sort finishes each bucket. Equal keys (a value several customers share) stay
 * together in any order.
 */
export function sortEntriesInPlace(
  hi: Uint32Array,
  lo: Uint32Array,
  ord: Uint32Array,
  kd: Uint8Array,
  n: number,
): void {
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

/** Records per read or write block (16 bytes each: 256 KiB). */
const BLOCK = 16384;

/** Writes `n` sorted entries as a new run file (`wx`, mode 0600). */
export function writeRun(
  path: string,
  hi: Uint32Array,
  lo: Uint32Array,
  cust: Uint32Array,
  kd: Uint8Array,
  n: number,
): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    const block = new Uint32Array(4 * Math.min(BLOCK, Math.max(1, n)));
    const bytes = new Uint8Array(block.buffer);
    for (let a = 0; a < n; a += BLOCK) {
      const z = Math.min(n, a + BLOCK);
      let w = 0;
      for (let e = a; e < z; e++) {
        block[w] = hi[e]!;
        block[w + 1] = lo[e]!;
        block[w + 2] = cust[e]!;
        block[w + 3] = kd[e]!;
        w += 4;
      }
      const len = 4 * w;
      let off = 0;
      while (off < len) off += writeSync(fd, bytes, off, len - off);
    }
  } finally {
    closeSync(fd);
  }
}

/** Removes a run file; a missing one is not an error. */
export function removeRun(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Entries of a run file, customer and kind indexes mapped to the new index's (`ordOf`, `kindOf`). */
export class RunFileSource implements EntrySource {
  hi = 0;
  lo = 0;
  kind = 0;
  ord = 0;
  private fd = -1;
  private readonly block: Uint32Array;
  private readonly bytes: Uint8Array;
  /** Next record to read from the file. */
  private filePos = 0;
  private i = 0;
  private len = 0;

  constructor(
    private readonly path: string,
    private readonly count: number,
    private readonly ordOf: Uint32Array | Int32Array,
    private readonly kindOf: Uint8Array,
  ) {
    this.block = new Uint32Array(4 * Math.min(BLOCK, Math.max(1, count)));
    this.bytes = new Uint8Array(this.block.buffer);
  }

  start(): boolean {
    if (this.fd < 0) this.fd = openSync(this.path, 'r');
    this.filePos = 0;
    this.len = 0;
    this.i = 0;
    return this.next();
  }

  next(): boolean {
    if (this.i >= this.len) {
      if (this.filePos >= this.count) return false;
      const want = Math.min(this.count - this.filePos, this.block.length >>> 2);
      const bytes = want * 16;
      let got = 0;
      while (got < bytes) {
        const r = readSync(this.fd, this.bytes, got, bytes - got, this.filePos * 16 + got);
        if (r === 0) throw new Error(`directory sort run ended early (${this.path})`);
        got += r;
      }
      this.filePos += want;
      this.len = want;
      this.i = 0;
    }
    const b = this.block;
    const x = 4 * this.i++;
    this.hi = b[x]!;
    this.lo = b[x + 1]!;
    this.ord = this.ordOf[b[x + 2]!]!;
    this.kind = this.kindOf[b[x + 3]!]!;
    return true;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Sorted entries in memory (the batch's last chunk), mapped like a run file's. */
export class ArraySource implements EntrySource {
  hi = 0;
  lo = 0;
  kind = 0;
  ord = 0;
  private i = 0;

  constructor(
    private readonly H: Uint32Array,
    private readonly L: Uint32Array,
    private readonly C: Uint32Array,
    private readonly K: Uint8Array,
    private readonly n: number,
    private readonly ordOf: Uint32Array | Int32Array,
    private readonly kindOf: Uint8Array,
  ) {}

  start(): boolean {
    this.i = 0;
    return this.next();
  }

  next(): boolean {
    const i = this.i;
    if (i >= this.n) return false;
    this.i = i + 1;
    this.hi = this.H[i]!;
    this.lo = this.L[i]!;
    this.ord = this.ordOf[this.C[i]!]!;
    this.kind = this.kindOf[this.K[i]!]!;
    return true;
  }
}

function less(a: EntrySource, b: EntrySource): boolean {
  return a.hi < b.hi || (a.hi === b.hi && a.lo < b.lo);
}

/**
 * Calls `group` once per distinct (hi, lo) across `sources`, in ascending order, with the ordinals of its
 * customers ascending and distinct in `ords[0..count)` (a scratch array, valid during the call only) and the kind
 * of its first entry.
 */
export function mergeGroups(
  sources: readonly EntrySource[],
  group: (hi: number, lo: number, kind: number, ords: Uint32Array, count: number) => void,
): void {
  const heap: EntrySource[] = [];
  for (const s of sources) if (s.start()) heap.push(s);
  let size = heap.length;
  const down = (at: number): void => {
    const s = heap[at]!;
    for (;;) {
      let c = 2 * at + 1;
      if (c >= size) break;
      if (c + 1 < size && less(heap[c + 1]!, heap[c]!)) c++;
      if (!less(heap[c]!, s)) break;
      heap[at] = heap[c]!;
      at = c;
    }
    heap[at] = s;
  };
  for (let i = (size >>> 1) - 1; i >= 0; i--) down(i);
  let ords = new Uint32Array(1024);
  while (size > 0) {
    let top = heap[0]!;
    const hi = top.hi;
    const lo = top.lo;
    const kind = top.kind;
    let g = 0;
    let sorted = true;
    do {
      if (g === ords.length) {
        const grown = new Uint32Array(ords.length * 2);
        grown.set(ords);
        ords = grown;
      }
      const o = top.ord;
      if (g > 0 && o <= ords[g - 1]!) sorted = false;
      ords[g++] = o;
      if (top.next()) down(0);
      else if (--size > 0) {
        heap[0] = heap[size]!;
        down(0);
      }
      top = heap[0]!;
    } while (size > 0 && top.hi === hi && top.lo === lo);
    if (!sorted) {
      ords.subarray(0, g).sort();
      let w = 1;
      for (let x = 1; x < g; x++) if (ords[x] !== ords[w - 1]) ords[w++] = ords[x]!;
      g = w;
    }
    group(hi, lo, kind, ords, g);
  }
}
