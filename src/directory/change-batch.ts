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

/** Internal kind: the hash of a customer's email domain (counts customers per domain). */
export const DOMAIN_KIND = '#domain';
/** Internal kind: the first word of a full name (a cheap pre-check before trying 2–4 word windows). */
export const NAME_FIRST_KIND = '#name1';
/** Internal kind: the surname keys of a full name (name-words.ts surnameKeys), for `Dear Mr van der Berg`. */
export const NAME_LAST_KIND = '#name2';

export class ChangeBatch {
  /** Customer ids, distinct, in first-seen order. */
  readonly ids: string[] = [];
  /** ISO-2 region per customer ('' = none). */
  readonly regions: string[] = [];
  readonly kindNames: string[] = [];
  readonly strengths = new Map<string, Strength>();
  /** Entries: customer index in this batch, kind index in kindNames, hash halves. */
  readonly entCustomer = new U32Column();
  readonly entKind = new U32Column();
  readonly entHi = new U32Column();
  readonly entLo = new U32Column();
  /** Email domains seen in this batch (plaintext, transient; see module comment). */
  readonly domains = new Set<string>();
  /** Exact-token kinds with at least one value without a digit (others are only tried on tokens with digits). */
  readonly digitless = new Set<string>();
  private byId = new Map<string, number>();
  /** True once `dropLookup` released `byId` (rebuilt if a customer is added afterwards). */
  private lookupDropped = false;
  private readonly kindIndex = new Map<string, number>();

  /** Index of customer `id` in the batch, creating it. */
  customer(id: string, region: string): number {
    if (this.lookupDropped) {
      this.lookupDropped = false;
      this.ids.forEach((x, i) => this.byId.set(x, i));
    }
    let c = this.byId.get(id);
    if (c === undefined) {
      c = this.ids.length;
      this.ids.push(id);
      this.regions.push(region);
      this.byId.set(id, c);
    } else if (region && !this.regions[c]) {
      this.regions[c] = region;
    }
    return c;
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

  add(customer: number, kind: number, hi: number, lo: number): void {
    this.entCustomer.push(customer);
    this.entKind.push(kind);
    this.entHi.push(hi);
    this.entLo.push(lo);
  }

  /**
   * Frees the id → index map (about 50 bytes per customer) once every row has been read: building an index only
   * needs `ids`. Adding a customer afterwards rebuilds it.
   */
  dropLookup(): void {
    if (this.lookupDropped) return;
    this.byId = new Map();
    this.lookupDropped = true;
  }

  /** Frees the entries (after `applyChange` in replace mode consumed them). */
  releaseEntries(): void {
    for (const c of [this.entCustomer, this.entKind, this.entHi, this.entLo]) {
      c.data = new Uint32Array(0);
      c.length = 0;
    }
  }

  get entries(): number {
    return this.entHi.length;
  }
}
