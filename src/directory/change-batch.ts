/**
 * A batch of hashed customer records (an import or a replicated change). Holds no plaintext values except the
 * customers' email domains (transient, never serialised: only domains used by ≥ 3 customers are kept).
 */
import type { Strength } from '../core/types.js';

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

/** Internal kind: the hash of a customer's email domain (counts customers per domain). */
export const DOMAIN_KIND = '#domain';
/** Internal kind: the first word of a full name (a cheap pre-check before trying 2–4 word windows). */
export const NAME_FIRST_KIND = '#name1';
/** Internal kind: the surname keys of a full name (name-words.ts surnameKeys), for `Dear Mr van der Berg`. */
export const NAME_LAST_KIND = '#name2';

export class ChangeBatch {
  /**
   * Customer ids in first-seen order; distinct once `finish` ran (it runs before any reader: the importer's report,
   * applyChange, encodeDelta). Until then a customer whose rows are not adjacent appears more than once.
   */
  readonly ids: string[] = [];
  /** ISO-2 region per customer ('' = none). */
  readonly regions: string[] = [];
  readonly kindNames: string[] = [];
  readonly strengths = new Map<string, Strength>();
  /** Entries: customer index in this batch, kind index in kindNames, hash halves. */
  readonly entCustomer = new U32Column();
  readonly entKind = new U8Column();
  readonly entHi = new U32Column();
  readonly entLo = new U32Column();
  /** Email domains seen in this batch (plaintext, transient; see module comment). */
  readonly domains = new Set<string>();
  /** Exact-token kinds with at least one value without a digit (others are only tried on tokens with digits). */
  readonly digitless = new Set<string>();
  /** True when `ids` are distinct (no customer added since the last `finish`). */
  private distinct = true;
  private readonly kindIndex = new Map<string, number>();

  /**
   * Index of customer `id` in the batch, creating it. Consecutive rows of one customer share an index; a customer
   * seen again later gets another one until `finish` merges them (no id → index map: ~50 bytes per customer).
   */
  customer(id: string, region: string): number {
    const last = this.ids.length - 1;
    if (last >= 0 && this.ids[last] === id) {
      if (region && !this.regions[last]) this.regions[last] = region;
      return last;
    }
    this.ids.push(id);
    this.regions.push(region);
    this.distinct = false;
    return last + 1;
  }

  /**
   * Merges the indexes of a customer seen more than once (rows not adjacent): the first-seen index and the first
   * non-empty region win, entries are renumbered. Idempotent; cheap when the ids are already distinct.
   */
  finish(): void {
    if (this.distinct) return;
    this.distinct = true;
    const ids = this.ids;
    const n = ids.length;
    let ascending = true;
    for (let i = 1; i < n && ascending; i++) ascending = ids[i - 1]! < ids[i]!;
    if (ascending) return;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b));
    // first[i]: the first-seen index of customer i's id
    const first = new Uint32Array(n);
    let dup = false;
    for (let x = 0; x < n; ) {
      let y = x + 1;
      while (y < n && ids[order[y]!] === ids[order[x]!]) y++;
      const f = order[x]!;
      for (let z = x; z < y; z++) {
        const i = order[z]!;
        first[i] = f;
        if (i !== f) {
          dup = true;
          if (!this.regions[f] && this.regions[i]) this.regions[f] = this.regions[i]!;
        }
      }
      x = y;
    }
    if (!dup) return;
    const remap = order; // reused: new index of every first-seen index
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (first[i] !== i) continue;
      remap[i] = w;
      ids[w] = ids[i]!;
      this.regions[w] = this.regions[i]!;
      w++;
    }
    ids.length = w;
    this.regions.length = w;
    const c = this.entCustomer.data;
    for (let e = 0; e < this.entCustomer.length; e++) c[e] = remap[first[c[e]!]!]!;
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
    this.entCustomer.push(customer);
    this.entKind.push(kind);
    this.entHi.push(hi);
    this.entLo.push(lo);
  }

  /** Frees the entries (after `applyChange` in replace mode consumed them). */
  releaseEntries(): void {
    for (const c of [this.entCustomer, this.entHi, this.entLo]) {
      c.data = new Uint32Array(0);
      c.length = 0;
    }
    this.entKind.data = new Uint8Array(0);
    this.entKind.length = 0;
  }

  get entries(): number {
    return this.entHi.length;
  }
}
