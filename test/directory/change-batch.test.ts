import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeBatch } from '../../src/directory/change-batch.js';
import { openDirectory } from '../../src/directory/index.js';
import { normalizeValue } from '../../src/directory/normalize.js';
import { removeDir, tempDir } from './helpers.js';

describe('ChangeBatch customers', () => {
  it('merges a customer seen on rows that are not adjacent: first-seen order, first region, entries renumbered', () => {
    const b = new ChangeBatch();
    const k = b.kind('email');
    const rows: [string, string][] = [
      ['B', ''],
      ['A', 'DE'],
      ['B', 'FR'],
      ['C', ''],
      ['A', 'US'],
      ['B', 'GB'],
      ['C', 'IT'],
    ];
    rows.forEach(([id, region], i) => b.add(b.customer(id, region), k, i, i));
    b.finish();
    expect(b.ids).toEqual(['B', 'A', 'C']);
    expect(b.regions).toEqual(['FR', 'DE', 'IT']);
    expect(Array.from(b.entCustomer.view())).toEqual([0, 1, 0, 2, 1, 0, 2]);
    b.finish(); // idempotent
    expect(b.ids).toEqual(['B', 'A', 'C']);
  });

  it('keeps consecutive rows of one customer as one, without finish', () => {
    const b = new ChangeBatch();
    expect([b.customer('X', ''), b.customer('X', 'DE'), b.customer('Y', ''), b.customer('X', '')]).toEqual([
      0, 0, 1, 2,
    ]);
    expect(b.regions.slice(0, 2)).toEqual(['DE', '']);
  });
});

describe('import of a customer spread over rows that are not adjacent', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(async () => {
    await removeDir(tmp);
  });

  it('is one customer holding every value of its rows, national phones read with its country', async () => {
    const csv = join(tmp, 'spread.csv');
    await writeFile(
      csv,
      'customer_id,email,phone,country\n' +
        'Z9,zed@example.org,,\n' +
        'A1,anna@example.org,,DE\n' +
        'Z9,,030 1234567,DE\n' +
        'M5,mo@example.org,,\n' +
        'A1,anna.two@example.org,,\n',
    );
    const dir = await openDirectory({
      dataDir: join(tmp, 'data'),
      secret: 'test-secret-0123456789abcdef',
      follow: false,
    });
    try {
      const report = await dir.import(csv, { mode: 'replace' });
      expect(report.customers).toBe(3);
      expect(dir.stats().customers).toBe(3);
      expect(dir.lookup('email', 'zed@example.org')).toEqual(['Z9']);
      expect(dir.lookup('phone', normalizeValue('phone', '030 1234567', 'DE')!)).toEqual(['Z9']);
      expect(dir.lookup('email', 'anna@example.org')).toEqual(['A1']);
      expect(dir.lookup('email', 'anna.two@example.org')).toEqual(['A1']);
      expect(dir.lookup('email', 'mo@example.org')).toEqual(['M5']);
      expect(dir.regions()).toEqual(['DE']);
    } finally {
      await dir.close();
    }
  });
});
