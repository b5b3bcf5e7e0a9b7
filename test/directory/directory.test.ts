import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { normalizeValue } from '../../src/directory/normalize.js';
import { customer, removeDir, tempDir, writeCsv, type TestCustomer } from './helpers.js';

const N = 1000;
const SECRET = 'test-secret-0123456789abcdef';

function ids(dir: Directory, kind: string, raw: string, region?: string): readonly string[] {
  const norm = normalizeValue(kind, raw, region);
  expect(norm, `${kind} normalises`).not.toBeNull();
  return dir.lookup(kind, norm!);
}

describe('directory index (1k customers, embedded store)', () => {
  let tmp: string;
  let dir: Directory;
  const rows: TestCustomer[] = Array.from({ length: N }, (_, i) => customer(i));

  beforeAll(async () => {
    tmp = await tempDir();
    const file = await writeCsv(tmp, 'customers.csv', rows as unknown as Record<string, string>[]);
    dir = await openDirectory({ dataDir: join(tmp, 'data'), secret: SECRET });
    const report = await dir.import(file);
    expect(report.rowsRead).toBe(N);
    expect(report.customers).toBe(N);
    expect(report.skippedRows).toBe(0);
    expect(report.invalidValues).toBe(0);
  });
  afterAll(async () => {
    await dir?.close();
    await removeDir(tmp);
  });

  it('finds every value of every customer after normalisation', () => {
    for (const c of rows.slice(0, 200)) {
      expect(ids(dir, 'email', c.email.toUpperCase())).toEqual([c.customer_id]);
      expect(ids(dir, 'phone', c.phone, c.country)).toEqual([c.customer_id]);
      expect(ids(dir, 'imei', c.imei.replace(/(\d{2})(\d{6})(\d{6})(\d)/, '$1-$2-$3-$4'))).toEqual([c.customer_id]);
      expect(ids(dir, 'order_id', c.order_id.toLowerCase())).toEqual([c.customer_id]);
      expect(ids(dir, 'address', c.street)).toContain(c.customer_id);
      expect(ids(dir, 'full_name', c.full_name.toUpperCase())).toContain(c.customer_id);
      expect(ids(dir, 'postal_code', c.postal_code)).toEqual([c.customer_id]);
    }
  });

  it('shared values map to several customers', () => {
    const name = rows[0]!.full_name;
    const expected = rows
      .filter((r) => r.full_name === name)
      .map((r) => r.customer_id)
      .sort();
    expect(expected.length).toBeGreaterThan(1);
    expect([...ids(dir, 'full_name', name)].sort()).toEqual(expected);
    const street = rows[3]!.street;
    const sameStreet = rows
      .filter((r) => r.street === street)
      .map((r) => r.customer_id)
      .sort();
    expect([...ids(dir, 'address', street)].sort()).toEqual(sameStreet);
  });

  it('misses unknown values and knows kinds, regions, strengths, popular domains', () => {
    expect(dir.lookup('email', 'nobody@example.org')).toEqual([]);
    expect(dir.lookup('nokind', 'x')).toEqual([]);
    expect([...dir.kinds()].sort()).toEqual([
      'address',
      'city',
      'email',
      'full_name',
      'imei',
      'order_id',
      'phone',
      'postal_code',
    ]);
    expect(dir.regions()).toEqual(['DE', 'FR', 'GB', 'US']);
    expect(dir.strengthOf('full_name')).toBe('weak');
    expect(dir.strengthOf('email')).toBe('strong');
    expect([...dir.emailDomains()].sort()).toEqual(['example.org', 'gmail.com', 'mail.de']);
    const s = dir.stats();
    expect(s.customers).toBe(N);
    expect(s.values.email).toBe(N);
    expect(s.values.full_name).toBe(204);
  });

  it('upsert replaces one customer’s values and adds new customers', async () => {
    const c5 = { ...rows[5]!, email: 'new.five@example.net', order_id: 'ORD-A1; ORD-A2 | ORD-A3' };
    const extra = { ...customer(N), customer_id: 'NEW-1' };
    const file = await writeCsv(tmp, 'upsert.csv', [c5, extra] as unknown as Record<string, string>[]);
    const report = await dir.import(file, { mode: 'upsert' });
    expect(report.customers).toBe(2);
    expect(report.totalCustomers).toBe(N + 1);
    expect(ids(dir, 'email', rows[5]!.email)).toEqual([]);
    expect(ids(dir, 'email', 'NEW.FIVE@example.net')).toEqual([rows[5]!.customer_id]);
    for (const o of ['ORD-A1', 'ORD-A2', 'ORD-A3']) expect(ids(dir, 'order_id', o)).toEqual([rows[5]!.customer_id]);
    expect(ids(dir, 'order_id', rows[5]!.order_id)).toEqual([]);
    expect(ids(dir, 'email', extra.email)).toEqual(['NEW-1']);
    expect(ids(dir, 'email', rows[6]!.email)).toEqual([rows[6]!.customer_id]);
  });

  it('remove drops customers from every value, shared values keep the others', async () => {
    const name = rows[1]!.full_name;
    const before = ids(dir, 'full_name', name).length;
    expect(await dir.remove([rows[1]!.customer_id, 'does-not-exist'])).toBe(1);
    expect(ids(dir, 'email', rows[1]!.email)).toEqual([]);
    expect(ids(dir, 'full_name', name)).toHaveLength(before - 1);
    expect(ids(dir, 'full_name', name)).not.toContain(rows[1]!.customer_id);
    expect(await dir.remove(['does-not-exist'])).toBe(0);
  });

  it('replace swaps atomically: lookups during the import see the old index', async () => {
    const fresh = [customer(5000), customer(5001), customer(5002)];
    const file = await writeCsv(tmp, 'replace.csv', fresh as unknown as Record<string, string>[]);
    const pending = dir.import(file, { mode: 'replace' });
    expect(ids(dir, 'email', rows[10]!.email)).toEqual([rows[10]!.customer_id]);
    const report = await pending;
    expect(report.totalCustomers).toBe(3);
    expect(ids(dir, 'email', rows[10]!.email)).toEqual([]);
    expect(ids(dir, 'email', fresh[0]!.email)).toEqual([fresh[0]!.customer_id]);
    expect(dir.stats().customers).toBe(3);
    expect([...dir.emailDomains()]).toEqual([]); // 3 customers, 3 different domains
  });
});

describe('import formats and reports', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(async () => removeDir(tmp));

  it('reports skipped rows and invalid cells by row number without values; custom columns', async () => {
    const dir = await openDirectory({
      dataDir: join(tmp, 'd1'),
      secret: SECRET,
      columns: ['Ticket=ticket_id:strong', 'nick=nickname:weak'],
      defaultRegion: 'GB',
    });
    try {
      const file = await writeCsv(
        tmp,
        'report.csv',
        [
          {
            ID: 'A',
            Name: 'Wanda Secretvalue',
            Email: 'wanda@secret.example',
            Phone: '020 7946 0000',
            Ticket: 'tk-1',
            IMEI: '352099001761482',
            nick: 'Wandy',
            Ignored: 'planted-ignored',
          },
          { ID: '', Name: 'No Id', Email: 'noid@secret.example' },
          { ID: 'B', Country: 'XX1', Phone: 'not-a-phone' },
        ],
        ['ID', 'Name', 'Email', 'Phone', 'Ticket', 'IMEI', 'nick', 'Country', 'Ignored'],
      );
      const r = await dir.import(file);
      expect(r.rowsRead).toBe(3);
      expect(r.customers).toBe(2);
      expect(r.skipped).toEqual([{ row: 2, reason: 'missing customer id' }]);
      expect(r.invalid).toEqual([
        { row: 1, column: 'imei', reason: 'not a valid imei' },
        { row: 3, column: 'country', reason: 'not an ISO 3166 alpha-2 country code' },
        { row: 3, column: 'phone', reason: 'not a valid phone' },
      ]);
      const text = JSON.stringify(r);
      for (const planted of ['Wanda', 'secret.example', '7946', '352099001761482', 'not-a-phone', 'XX1'])
        expect(text).not.toContain(planted);
      expect(dir.lookup('ticket_id', 'TK-1')).toEqual(['A']);
      expect(dir.strengthOf('ticket_id')).toBe('strong');
      expect(dir.strengthOf('nickname')).toBe('weak');
      expect(dir.lookup('phone', '+442079460000')).toEqual(['A']); // default region GB
      expect(dir.kinds().has('ignored')).toBe(false);
    } finally {
      await dir.close();
    }
  });

  it('imports JSON Lines with arrays', async () => {
    const dir = await openDirectory({ dataDir: join(tmp, 'd2'), secret: SECRET });
    try {
      const file = join(tmp, 'c.jsonl');
      await writeFile(
        file,
        [
          JSON.stringify({
            customer_id: 'J1',
            email: 'j1@example.com',
            order_id: ['O-1', 'O-2'],
            phone: '+33 6 12 34 56 78',
          }),
          'not json',
          '',
          JSON.stringify({ id: 42, name: 'Jo Jsonl', country: 'DE', phone: '030 1234567' }),
        ].join('\n'),
      );
      const r = await dir.import(file);
      expect(r.format).toBe('jsonl');
      expect(r.skipped).toEqual([{ row: 2, reason: 'not valid JSON' }]);
      expect(dir.lookup('order_id', 'O-2')).toEqual(['J1']);
      expect(dir.lookup('phone', '+33612345678')).toEqual(['J1']);
      expect(dir.lookup('phone', '+49301234567')).toEqual(['42']);
      expect(dir.lookup('full_name', 'jo jsonl')).toEqual(['42']);
    } finally {
      await dir.close();
    }
  });

  it('reads an `iban` column as IBAN without configuration, and a bank account column when mapped', async () => {
    const dir = await openDirectory({ dataDir: join(tmp, 'd5'), secret: SECRET, columns: ['Bank_Account=iban'] });
    try {
      const file = await writeCsv(
        tmp,
        'ibans.csv',
        [
          { customer_id: 'I1', IBAN: 'de89 3704 0044 0532 0130 00' },
          { customer_id: 'I2', IBAN: 'DE88 3704 0044 0532 0130 00' },
          { customer_id: 'I3', Bank_Account: 'GB29 NWBK 6016 1331 9268 19' },
        ],
        ['customer_id', 'IBAN', 'Bank_Account'],
      );
      const r = await dir.import(file);
      expect(r.values).toEqual({ iban: 2 });
      expect(r.invalid).toEqual([{ row: 2, column: 'iban', reason: 'not a valid iban' }]);
      expect(JSON.stringify(r)).not.toMatch(/DE88|3704/);
      expect(dir.kinds().has('iban')).toBe(true);
      expect(dir.strengthOf('iban')).toBe('strong');
      expect(ids(dir, 'iban', 'DE89370400440532013000')).toEqual(['I1']);
      expect(ids(dir, 'iban', 'gb29nwbk60161331926819')).toEqual(['I3']);
    } finally {
      await dir.close();
    }
  });

  it('rejects a file without an id column and bad mappings', async () => {
    const dir = await openDirectory({ dataDir: join(tmp, 'd3'), secret: SECRET });
    try {
      const file = await writeCsv(tmp, 'noid.csv', [{ email: 'a@b.example' }], ['email']);
      await expect(dir.import(file)).rejects.toMatchObject({ code: 'EPG_DIRECTORY_IMPORT' });
      await expect(dir.import(join(tmp, 'missing.csv'))).rejects.toMatchObject({ code: 'EPG_DIRECTORY_IMPORT' });
    } finally {
      await dir.close();
    }
    await expect(
      openDirectory({ dataDir: join(tmp, 'd4'), secret: SECRET, columns: ['nonsense'] }),
    ).rejects.toMatchObject({ code: 'EPG_CONFIG_INVALID' });
  });
});
