/**
 * Customer ids as one UTF-8 buffer and a start offset per id instead of one JS string each: 1,000,000 ids of ~10
 * characters take ~15 MB here against ~45 MB as strings in an array. `IdTable` is the index's (immutable, sorted),
 * `IdList` a change batch's (growable, in arrival order).
 *
 * Ids hold no control character (the importer skips such rows), so they are stored back to back separated by
 * '\n': an IdTable's bytes are exactly the snapshot's id block (snapshot.ts). A string that is not well-formed
 * UTF-16 (a lone surrogate) is stored as UTF-8 stores it (U+FFFD), as the snapshot always did.
 *
 * `compare` orders two ids as JS compares the strings (UTF-16 code units), which is the order of the index's ids.
 * UTF-8 bytes compare in code-point order; the two orders differ only between a character of U+E000–U+FFFF (lead
 * byte 0xEE/0xEF) and one above U+FFFF (lead byte 0xF0–0xF4, a surrogate pair in UTF-16, which sorts first).
 */

const NL = 0x0a;

/** Compares UTF-8 byte ranges in JS string order (see module comment). */
export function compareUtf8(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const x = a[as + i]!;
    const y = b[bs + i]!;
    if (x === y) continue;
    // same preceding bytes: both are lead bytes of a character here, or continuation bytes of same-length ones
    if (x >= 0xf0 && y >= 0xee && y < 0xf0) return -1;
    if (y >= 0xf0 && x >= 0xee && x < 0xf0) return 1;
    return x - y;
  }
  return la - lb;
}

const fcc = String.fromCharCode;

/**
 * An ASCII string of 1–12 bytes from `b` at `s`: String.fromCharCode with the bytes as arguments costs about half
 * of Buffer#toString for ids this short (~60 against ~110 ns); longer ones gain nothing.
 */
function shortAscii(b: Uint8Array, s: number, n: number): string {
  switch (n) {
    case 1:
      return fcc(b[s]!);
    case 2:
      return fcc(b[s]!, b[s + 1]!);
    case 3:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    case 8:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
    case 9:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!);
    case 10:
      return fcc(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
        b[s + 9]!,
      );
    case 11:
      return fcc(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
        b[s + 9]!,
        b[s + 10]!,
      );
    default:
      return fcc(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
        b[s + 9]!,
        b[s + 10]!,
        b[s + 11]!,
      );
  }
}

/** Copies bytes [s, e) of `src` to `dst` at `at` (a loop for short ids: no subarray object). */
function copyBytes(dst: Uint8Array, at: number, src: Uint8Array, s: number, e: number): void {
  if (e - s > 32) dst.set(src.subarray(s, e), at);
  else for (let k = s; k < e; k++) dst[at++] = src[k]!;
}

/**
 * The index's customer ids, sorted in JS string order (ordinal = position): `bytes` holds them separated by '\n'
 * (no trailing one). When every id has the same length (C00000042, UUIDs) id i starts at i × (length + 1) and no
 * offsets are kept; otherwise id i spans [starts[i], starts[i + 1] - 1).
 */
export class IdTable {
  /** Length + 1 of every id when they are all as long, else 0. */
  readonly width: number;
  private readonly starts: Uint32Array | null;
  private readonly n: number;
  private scratch = Buffer.allocUnsafe(256);

  /** `starts`: n + 1 offsets, the last one `bytes.length + 1`. */
  constructor(
    readonly bytes: Buffer,
    starts: Uint32Array,
  ) {
    const n = starts.length - 1;
    this.n = n;
    let w = n > 0 ? starts[1]! - starts[0]! : 0;
    for (let i = 1; i < n && w > 0; i++) if (starts[i + 1]! - starts[i]! !== w) w = 0;
    this.width = w;
    this.starts = w > 0 ? null : starts;
  }

  static readonly EMPTY = new IdTable(Buffer.alloc(0), Uint32Array.of(1));

  /** From sorted strings. */
  static fromStrings(ids: readonly string[]): IdTable {
    return ids.length === 0 ? IdTable.EMPTY : IdTable.fromBlock(Buffer.from(ids.join('\n'), 'utf8'), ids.length)!;
  }

  /** From a snapshot's id block (kept, not copied); null when it does not hold `count` ids. */
  static fromBlock(block: Buffer, count: number): IdTable | null {
    if (count === 0) return block.length === 0 ? IdTable.EMPTY : null;
    const starts = new Uint32Array(count + 1);
    let n = 1;
    for (let p = block.indexOf(NL); p >= 0; p = block.indexOf(NL, p + 1)) {
      if (n >= count) return null;
      starts[n++] = p + 1;
    }
    if (n !== count) return null;
    starts[count] = block.length + 1;
    return new IdTable(block, starts);
  }

  get length(): number {
    return this.n;
  }

  get byteLength(): number {
    return this.bytes.length + (this.starts?.byteLength ?? 0);
  }

  /** Where id i starts in `bytes`. */
  start(i: number): number {
    return this.width > 0 ? i * this.width : this.starts![i]!;
  }

  /** Where id i ends (exclusive). */
  end(i: number): number {
    return this.width > 0 ? (i + 1) * this.width - 1 : this.starts![i + 1]! - 1;
  }

  get(i: number): string {
    const w = this.width;
    const s = w > 0 ? i * w : this.starts![i]!;
    const e = w > 0 ? s + w - 1 : this.starts![i + 1]! - 1;
    const n = e - s;
    const b = this.bytes;
    if (n > 0 && n <= 12) {
      let or = 0;
      for (let k = s; k < e; k++) or |= b[k]!;
      if (or < 0x80) return shortAscii(b, s, n);
    }
    return b.toString('utf8', s, e);
  }

  /** Position of `id`, or -1 (binary search on the bytes). */
  find(id: string): number {
    if (this.scratch.length < id.length * 3) this.scratch = Buffer.allocUnsafe(id.length * 3);
    const len = this.scratch.write(id, 0, 'utf8');
    const b = this.bytes;
    let a = 0;
    let z = this.n - 1;
    while (a <= z) {
      const mid = (a + z) >>> 1;
      const c = compareUtf8(b, this.start(mid), this.end(mid), this.scratch, 0, len);
      if (c < 0) a = mid + 1;
      else if (c > 0) z = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** Every id as a string. */
  toArray(): string[] {
    const out = new Array<string>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.get(i);
    return out;
  }
}

/** Builds an IdTable from byte ranges appended in order, within sizes known in advance. */
export class IdTableBuilder {
  private readonly bytes: Buffer;
  private readonly starts: Uint32Array;
  private n = 0;
  private used = 0;

  constructor(maxIds: number, maxBytes: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(0, maxBytes));
    this.starts = new Uint32Array(maxIds + 1);
  }

  get length(): number {
    return this.n;
  }

  append(src: Uint8Array, s: number, e: number): void {
    if (this.n > 0) this.bytes[this.used++] = NL;
    this.starts[this.n++] = this.used;
    copyBytes(this.bytes, this.used, src, s, e);
    this.used += e - s;
  }

  /** The table; storage is copied to its exact size only when more than 64 KiB would be left unused. */
  finish(): IdTable {
    if (this.n === 0) return IdTable.EMPTY;
    this.starts[this.n] = this.used + 1;
    const bytes =
      this.bytes.length - this.used > 65536
        ? Buffer.from(this.bytes.subarray(0, this.used))
        : this.bytes.subarray(0, this.used);
    const starts =
      this.starts.length - this.n - 1 > 16384 ? this.starts.slice(0, this.n + 1) : this.starts.subarray(0, this.n + 1);
    return new IdTable(bytes, starts);
  }
}

export class IdList {
  /** UTF-8 bytes, each id followed by '\n'. */
  private bytes: Buffer;
  private used = 0;
  /** Start of id i; `starts[count]` is the end of the bytes (one past the last '\n'). */
  private starts: Uint32Array;
  private n = 0;

  constructor(initialIds = 64) {
    this.bytes = Buffer.allocUnsafe(initialIds * 16);
    this.starts = new Uint32Array(initialIds + 1);
  }

  get length(): number {
    return this.n;
  }

  /** Bytes held (for memory estimates). */
  get byteLength(): number {
    return this.bytes.length + this.starts.byteLength;
  }

  /**
   * Appends `id` unless it equals the last id; returns true when it was appended. The bytes are written past the
   * end first and compared there, so a repeated id costs no allocation.
   */
  pushUnlessLast(id: string): boolean {
    const at = this.used;
    const need = at + id.length * 3 + 1;
    if (need > this.bytes.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.bytes.length * 2));
      this.bytes.copy(next, 0, 0, at);
      this.bytes = next;
    }
    const len = this.bytes.write(id, at, 'utf8');
    const b = this.bytes;
    if (this.n > 0) {
      const s = this.starts[this.n - 1]!;
      if (at - 1 - s === len) {
        let same = true;
        for (let i = 0; i < len; i++) {
          if (b[s + i] !== b[at + i]) {
            same = false;
            break;
          }
        }
        if (same) return false;
      }
    }
    b[at + len] = NL;
    this.used = at + len + 1;
    if (this.n + 1 >= this.starts.length) {
      const next = new Uint32Array(this.starts.length * 2);
      next.set(this.starts);
      this.starts = next;
    }
    this.starts[this.n] = at;
    this.n++;
    this.starts[this.n] = this.used;
    return true;
  }

  get(i: number): string {
    return this.bytes.toString('utf8', this.starts[i], this.starts[i + 1]! - 1);
  }

  /** The bytes and where id i is in them (valid until the next push). */
  get buffer(): Buffer {
    return this.bytes;
  }

  startOf(i: number): number {
    return this.starts[i]!;
  }

  endOf(i: number): number {
    return this.starts[i + 1]! - 1;
  }

  /** UTF-8 bytes of every id, without separators. */
  get idBytes(): number {
    return this.used - this.n;
  }

  /** JS string order of ids i and j. */
  compare(i: number, j: number): number {
    const b = this.bytes;
    return compareUtf8(b, this.starts[i]!, this.starts[i + 1]! - 1, b, this.starts[j]!, this.starts[j + 1]! - 1);
  }

  /** True when ids i and j are equal. */
  equal(i: number, j: number): boolean {
    const si = this.starts[i]!;
    const sj = this.starts[j]!;
    const len = this.starts[i + 1]! - si;
    if (this.starts[j + 1]! - sj !== len) return false;
    const b = this.bytes;
    for (let k = 0; k < len; k++) if (b[si + k] !== b[sj + k]) return false;
    return true;
  }

  /**
   * Keeps only the ids whose `keep[i]` is 1, in order (in place: ids only move towards the front).
   */
  compact(keep: Uint8Array): void {
    let w = 0;
    let out = 0;
    for (let i = 0; i < this.n; i++) {
      if (!keep[i]) continue;
      const s = this.starts[i]!;
      const e = this.starts[i + 1]!;
      if (s !== out) this.bytes.copy(this.bytes, out, s, e);
      this.starts[w++] = out;
      out += e - s;
    }
    this.n = w;
    this.used = out;
    this.starts[w] = out;
  }

  /** Every id as a string (small lists: tests, a replicated delta). */
  toArray(): string[] {
    const out = new Array<string>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.get(i);
    return out;
  }

  /** Frees the storage. */
  clear(): void {
    this.bytes = Buffer.allocUnsafe(0);
    this.starts = new Uint32Array(1);
    this.n = 0;
    this.used = 0;
  }
}
