/**
 * The index build from sorted runs on disk (change-batch.ts spill, entry-runs.ts merge): the same index as with every
 * entry in memory and as a plain model of the rows, for replace and upsert; run files 0600, removed after success and
 * failure; files left by a crashed import removed, those of a live one kept.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../../bench/lib/prng.js';
import { ChangeBatch, type SpillOptions } from '../../src/directory/change-batch.js';
import { applyChange, CompactIndex } from '../../src/directory/compact-index.js';
import { importRows, type RowSource } from '../../src/directory/importer.js';
import { openDirectory } from '../../src/directory/index.js';
import { KeyedHasher } from '../../src/directory/keyed-hash.js';
import { normalizeValue } from '../../src/directory/normalize.js';
import { customer, removeDir, tempDir, writeCsv } from './helpers.js';

const KINDS = ['email', 'phone', 'full_name'] as const;
const hasher = new KeyedHasher(Buffer.from('spill-test-secret-0123456789', 'utf8'));

interface Row {
  id: string;
  region: string;
  values: [kind: number, hi: number, lo: number][];
}

/**
 * Rows of `customers` ids (of several lengths; a customer may come back on rows that are not adjacent) with values
 * from a small shared pool (a name or address several customers hold), values of their own, and a value repeated
 * on one customer's rows.
 */
function randomRows(seed: number, count: number, customers: number): Row[] {
  const r = rng(seed);
  const pool: [number, number, number][] = Array.from({ length: 12 }, (_, i) => [i % KINDS.length, r(), r()]);
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const c = r() % customers;
    const id = c % 3 === 0 ? `C${c}` : c % 3 === 1 ? `K-${String(c).padStart(6, '0')}` : `ü${c}😀`;
    const values: Row['values'] = [];
    const n = r() % 5;
    for (let v = 0; v < n; v++) {
      const x = r() % 10;
      if (x < 4) values.push(pool[r() % pool.length]!);
      else if (x === 4)
        values.push([0, c * 7919, c]); // the same value each time this customer comes back
      else values.push([r() % KINDS.length, r(), r()]);
    }
    rows.push({ id, region: ['', 'DE', 'FR', 'GB'][r() % 4]!, values });
  }
  return rows;
}

function batchOf(rows: readonly Row[], spill?: SpillOptions): ChangeBatch {
  const b = new ChangeBatch(spill);
  const kinds = KINDS.map((k) => b.kind(k, k === 'full_name' ? 'weak' : 'strong'));
  for (const row of rows) {
    const c = b.customer(row.id, row.region);
    for (const [k, hi, lo] of row.values) b.add(c, kinds[k]!, hi, lo);
  }
  b.finish();
  return b;
}

/** What the index must answer: hash → kind and customer ids; id → first non-empty region. */
function model(
  rows: readonly Row[],
  base?: { values: Map<string, { kind: number; ids: Set<string> }>; regions: Map<string, string> },
  removals: readonly string[] = [],
) {
  const values = new Map<string, { kind: number; ids: Set<string> }>();
  const regions = new Map<string, string>();
  const redefined = new Set([...rows.map((r) => r.id), ...removals]);
  if (base) {
    for (const [key, v] of base.values) {
      const ids = new Set([...v.ids].filter((id) => !redefined.has(id)));
      if (ids.size) values.set(key, { kind: v.kind, ids });
    }
    for (const [id, region] of base.regions) if (!redefined.has(id)) regions.set(id, region);
  }
  for (const row of rows) {
    if (!regions.get(row.id)) regions.set(row.id, row.region);
    for (const [kind, hi, lo] of row.values) {
      const key = `${hi}:${lo}`;
      const v = values.get(key) ?? { kind, ids: new Set<string>() };
      v.ids.add(row.id);
      values.set(key, v);
    }
  }
  return { values, regions };
}

function expectMatches(index: CompactIndex, m: ReturnType<typeof model>): void {
  expect(index.customers).toBe(m.regions.size);
  expect(index.size).toBe(m.values.size);
  let wrong = 0;
  for (const [key, v] of m.values) {
    const [hi, lo] = key.split(':').map(Number) as [number, number];
    const got = [...index.lookupHash(hi, lo)].sort();
    if (got.join() !== [...v.ids].sort().join() || index.kinds[index.kind[index.find(hi, lo)]!] !== KINDS[v.kind])
      wrong++;
  }
  for (const [id, region] of m.regions) {
    const o = index.ordinalOf(id);
    if (o < 0 || index.regionTable[index.region[o]!] !== region) wrong++;
  }
  expect(wrong).toBe(0);
}

function sameArrays(a: CompactIndex, b: CompactIndex): void {
  expect(a.ids.toArray()).toEqual(b.ids.toArray());
  expect(a.keys).toEqual(b.keys);
  expect(a.kind).toEqual(b.kind);
  expect(a.ref).toEqual(b.ref);
  expect(a.overflow).toEqual(b.overflow);
  expect(a.region).toEqual(b.region);
  expect(a.kinds).toEqual(b.kinds);
  expect(a.regionTable).toEqual(b.regionTable);
}

/** Highest pid the system hands out (Linux; 2^22, the largest it allows, elsewhere). */
function maxPid(): number {
  try {
    return Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
  } catch {
    return 4_194_304;
  }
}

const runFiles = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('.sort-')) : [];

let tmp: string;
let n = 0;
const freshDir = (): string => join(tmp, `spill${n++}`);
beforeAll(async () => {
  tmp = await tempDir('pg-spill-');
});
afterAll(async () => {
  await removeDir(tmp);
});

describe('index build from sorted runs', () => {
  const rows = randomRows(1, 600, 250);

  it('replace: several runs give the same index as every entry in memory, and as the rows say', () => {
    const inMemory = applyChange(CompactIndex.empty(), { mode: 'replace', batch: batchOf(rows) }, hasher);
    expectMatches(inMemory, model(rows));
    for (const chunk of [1, 7, 64, 5000]) {
      const dir = freshDir();
      const batch = batchOf(rows, { dir, chunk });
      const expectedRuns = chunk >= batch.entries ? 0 : Math.ceil(batch.entries / chunk) - 1;
      expect(batch.runs).toHaveLength(expectedRuns);
      for (const r of batch.runs) expect(statSync(r.path).mode & 0o777).toBe(0o600);
      const spilled = applyChange(CompactIndex.empty(), { mode: 'replace', batch }, hasher);
      sameArrays(spilled, inMemory);
      expect(runFiles(dir)).toEqual([]); // a replace releases its runs once the index is built
    }
  });

  it('upsert with removals onto an index: the same index either way; the old index is untouched', () => {
    const base = applyChange(CompactIndex.empty(), { mode: 'replace', batch: batchOf(rows) }, hasher);
    const baseKeys = base.keys.slice();
    const baseIds = base.ids.toArray();
    const change = randomRows(2, 200, 400); // some customers of `rows`, some new
    const removals = [...new Set(rows.slice(0, 40).map((r) => r.id))].filter((id) => !change.some((c) => c.id === id));
    const inMemory = applyChange(base, { mode: 'upsert', batch: batchOf(change), removals }, hasher);
    expectMatches(inMemory, model(change, model(rows), removals));
    const dir = freshDir();
    const batch = batchOf(change, { dir, chunk: 3 });
    expect(batch.runs.length).toBeGreaterThan(10);
    const spilled = applyChange(base, { mode: 'upsert', batch, removals }, hasher);
    sameArrays(spilled, inMemory);
    expect(runFiles(dir).length).toBeGreaterThan(0); // an upsert's batch keeps them until disposed
    batch.dispose();
    expect(runFiles(dir)).toEqual([]);
    expect(base.keys).toEqual(baseKeys);
    expect(base.ids.toArray()).toEqual(baseIds);
  });

  it('a failing import removes the runs it wrote', async () => {
    const dir = freshDir();
    const failing: RowSource = {
      label: 'failing',
      format: 'csv',
      feed(sink) {
        for (let i = 0; i < 50; i++)
          sink.row(
            i + 1,
            [
              { header: 'id', role: 'id' },
              { header: 'email', role: 'kind', kind: 'email', strength: 'strong' },
            ],
            [`C${i}`, `c${i}@example.org`],
          );
        expect(runFiles(dir).length).toBeGreaterThan(5);
        return Promise.reject(new Error('source failed'));
      },
    };
    await expect(importRows(failing, hasher, { extras: [], spill: { dir, chunk: 4 } })).rejects.toThrow(
      'source failed',
    );
    expect(runFiles(dir)).toEqual([]);
  });

  it('removes runs a crashed import left behind, keeps those of a live process', () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const gone = maxPid() + 1; // no process can have it
    const stale = `.sort-${gone}-00aa11bb22cc-0.run`;
    const live = `.sort-${process.ppid}-00aa11bb22cc-0.run`;
    const samePid = `.sort-${process.pid}-00aa11bb22cc-3.run`; // an earlier process with this pid (a restarted container)
    for (const f of [stale, live, samePid]) writeFileSync(join(dir, f), '');
    const b = new ChangeBatch({ dir, chunk: 1 });
    const k = b.kind('email');
    const c = b.customer('A', '');
    b.add(c, k, 1, 2);
    b.add(c, k, 3, 4); // the first run in this folder: sweeps it
    expect(b.runs).toHaveLength(1);
    expect(runFiles(dir).sort()).toEqual([live, basename(b.runs[0]!.path)].sort());
    b.dispose();
    expect(runFiles(dir)).toEqual([live]);
  });
});

describe('directory import with a small chunk', { timeout: 60_000 }, () => {
  it('answers exactly as with the default chunk; a failed import leaves it as it was and no runs', async () => {
    const people = Array.from({ length: 300 }, (_, i) => customer(i));
    const csv = await writeCsv(tmp, 'people.csv', people as unknown as Record<string, string>[]);
    const secret = 'spill-dir-secret-0123456789abc';
    const small = await openDirectory({ dataDir: join(tmp, 'small'), secret, follow: false, importChunk: 50 });
    const normal = await openDirectory({ dataDir: join(tmp, 'normal'), secret, follow: false });
    try {
      await small.import(csv, { mode: 'replace' });
      await normal.import(csv, { mode: 'replace' });
      expect(small.stats()).toMatchObject({
        customers: 300,
        values: normal.stats().values,
        regions: normal.stats().regions,
      });
      let wrong = 0;
      for (const p of people) {
        for (const [kind, raw] of [
          ['email', p.email],
          ['phone', p.phone],
          ['full_name', p.full_name],
          ['order_id', p.order_id],
          ['imei', p.imei],
        ] as const) {
          const v = normalizeValue(kind, raw, p.country)!;
          if ([...small.lookup(kind, v)].sort().join() !== [...normal.lookup(kind, v)].sort().join()) wrong++;
          if (!small.lookup(kind, v).includes(p.customer_id)) wrong++;
        }
      }
      expect(wrong).toBe(0);
      expect(runFiles(join(tmp, 'small', 'directory'))).toEqual([]);

      const version = small.stats().version;
      const failing: RowSource = {
        label: 'failing',
        format: 'csv',
        feed(sink) {
          for (let i = 0; i < 200; i++)
            sink.row(
              i + 1,
              [
                { header: 'id', role: 'id' },
                { header: 'email', role: 'kind', kind: 'email', strength: 'strong' },
              ],
              [`N${i}`, `new.${i}@example.org`],
            );
          expect(runFiles(join(tmp, 'small', 'directory')).length).toBeGreaterThan(3); // in DATA_DIR/directory
          return Promise.reject(new Error('source failed'));
        },
      };
      await expect(small.importFrom(failing, { mode: 'replace' })).rejects.toThrow('source failed');
      expect(small.stats().version).toBe(version);
      expect(small.lookup('email', 'new.3@example.org')).toEqual([]);
      expect(small.lookup('email', normalizeValue('email', people[7]!.email)!)).toEqual([people[7]!.customer_id]);
      expect(runFiles(join(tmp, 'small', 'directory'))).toEqual([]);

      // an upsert spilling too: the changed customer's new value, the others unchanged
      const changed = await writeCsv(
        tmp,
        'changed.csv',
        people.slice(0, 120).map((p) => ({ ...p, email: `x.${p.email}` })) as unknown as Record<string, string>[],
      );
      await small.import(changed, { mode: 'upsert' });
      expect(small.lookup('email', normalizeValue('email', `x.${people[5]!.email}`)!)).toEqual([
        people[5]!.customer_id,
      ]);
      expect(small.lookup('email', normalizeValue('email', people[5]!.email)!)).toEqual([]);
      expect(small.lookup('email', normalizeValue('email', people[200]!.email)!)).toEqual([people[200]!.customer_id]);
      expect(small.stats().customers).toBe(300);
      expect(runFiles(join(tmp, 'small', 'directory'))).toEqual([]);
    } finally {
      await small.close();
      await normal.close();
    }
  });
});
