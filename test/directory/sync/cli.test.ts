/**
 * `postguard directory sync` and `serve` with directorySync.* as users run them (the built binary, a real
 * PostgreSQL): exit codes, one-line errors without the password, `scan` then finding a synced customer, the
 * --every loop stopping on SIGTERM, and serve syncing on its schedule.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../helpers.js';
import { createCustomers, createTestDb, PASSWORD, type TestDb } from './pg.js';

const BIN = resolve('dist/src/cli/main.js');
const SECRET = 'cli-sync-secret-0123456789';
const QUERY = 'SELECT id, full_name, email, phone, country, updated_at FROM customers';
const children: ChildProcess[] = [];
let db: TestDb;
let tmp: string;

interface Run {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: tmp,
    env: { ...process.env, POSTGUARD_DIRECTORY_SECRET: SECRET, ...env },
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const r = start(args, env);
  const code = await r.exited;
  return { code, out: r.out(), err: r.err() };
}

async function waitFor(pred: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  db = await createTestDb();
  tmp = await tempDir('pg-sync-cli-');
  await createCustomers(db, [
    { id: 'A1', name: 'Ines Berger', email: 'ines.berger@example.org', phone: '030 55512345' },
    { id: 'A2', name: 'Tomasz Wolny', email: 'tomasz.wolny@example.org', phone: '030 55512346' },
  ]);
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(async () => {
  await db?.drop();
  await removeDir(tmp);
});

// each case starts node several times on a loaded machine
describe('postguard directory sync', { timeout: 240_000 }, () => {
  it('syncs once, then `scan` finds the synced customer in a message', async () => {
    const data = join(tmp, 'once');
    const r = await run(['directory', 'sync', '--data-dir', data, '--postgres', db.url, '--query', QUERY]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^directory sync: full \(first sync\)\n/);
    expect(r.out).toMatch(/customers\s+2 in query, 2 in directory/);
    expect(r.out + r.err).not.toContain(PASSWORD);
    expect(r.out).not.toContain('ines.berger');

    const eml = join(tmp, 'reply.eml');
    writeFileSync(
      eml,
      'From: agent@shop.example\r\nTo: tomasz.wolny@example.org\r\nSubject: Re: order\r\n\r\nThe parcel for Ines Berger (ines.berger@example.org, 030 55512345) left today.\r\n',
    );
    const scan = await run(['scan', eml, '--data-dir', data, '--internal-domain', 'shop.example']);
    const result = JSON.parse(scan.out) as {
      findings: { kind: string; customers: string[] }[];
      verdict: { action: string };
    };
    expect(result.findings.filter((f) => f.customers.includes('A1')).map((f) => f.kind)).toEqual(
      expect.arrayContaining(['email', 'phone']),
    );
    expect(['quarantine', 'reject']).toContain(result.verdict.action);
    expect([3, 4]).toContain(scan.code);
  });

  it('takes the URL from POSTGUARD_DIRECTORY_SYNC_POSTGRES, so the password need not be on the command line', async () => {
    const r = await run(['directory', 'sync', '--data-dir', join(tmp, 'env'), '--json'], {
      POSTGUARD_DIRECTORY_SYNC_POSTGRES: db.url,
      POSTGUARD_DIRECTORY_SYNC_QUERY: QUERY,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ kind: 'full', import: { rowsRead: 2, totalCustomers: 2 } });
  });

  it('a failed sync: exit 1, one line on stderr naming the cause, no password; the directory is unchanged', async () => {
    const data = join(tmp, 'fail');
    expect((await run(['directory', 'sync', '--data-dir', data, '--postgres', db.url, '--query', QUERY])).code).toBe(0);
    const cases: [string, string, RegExp][] = [
      [
        `postgres://postgres:${PASSWORD}@127.0.0.1:1/crm`,
        QUERY,
        /cannot connect to PostgreSQL at 127\.0\.0\.1:1\/crm \(ECONNREFUSED\)/,
      ],
      [db.url, 'SELECT id, email FROM kunden', /the sync query is not valid: relation "kunden" does not exist/],
      [db.url, 'SELECT full_name, email FROM customers', /no customer id column/],
    ];
    for (const [url, query, why] of cases) {
      const r = await run(['directory', 'sync', '--data-dir', data, '--postgres', url, '--query', query]);
      expect(r.code).toBe(1);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^postguard: directory sync failed \(the directory is unchanged\): /);
      expect(r.err).toMatch(why);
      expect(r.out + r.err).not.toContain(PASSWORD);
    }
    const lookup = await run(['directory', 'lookup', 'ines.berger@example.org', '--data-dir', data]);
    expect(lookup.out.trim()).toBe('email\tA1');
  });

  it('usage errors exit 2', async () => {
    const data = join(tmp, 'usage');
    const noQuery = await run(['directory', 'sync', '--data-dir', data, '--postgres', db.url]);
    expect(noQuery.code).toBe(2);
    // one line, the cause and where to look (usage errors all end with the command's --help)
    expect(noQuery.err).toBe(
      "postguard: directory sync needs a query (--query or directorySync.query) (see 'postguard directory sync --help')\n",
    );
    const badUrl = await run([
      'directory',
      'sync',
      '--data-dir',
      data,
      '--postgres',
      `mysql://root:${PASSWORD}@db/crm`,
      '--query',
      QUERY,
    ]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.err).not.toContain(PASSWORD);
    const badEvery = await run([
      'directory',
      'sync',
      '--data-dir',
      data,
      '--postgres',
      db.url,
      '--query',
      QUERY,
      '--every',
      'soon',
    ]);
    expect(badEvery.code).toBe(2);
    expect(badEvery.err).toMatch(/directorySync\.every/);
  });

  it('--every syncs again on schedule (incrementally) and stops on SIGTERM', async () => {
    const p = start([
      'directory',
      'sync',
      '--data-dir',
      join(tmp, 'every'),
      '--postgres',
      db.url,
      '--query',
      QUERY,
      '--every',
      '1s',
    ]);
    await waitFor(() => /directory sync: full/.test(p.out()));
    await db.sql("UPDATE customers SET phone = '030 55519999', updated_at = clock_timestamp() WHERE id = 'A2'");
    await waitFor(() => /directory sync: incremental/.test(p.out()));
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

describe('postguard serve with directorySync', { timeout: 240_000 }, () => {
  it('syncs at start and on schedule, logging counts but never the URL or password', async () => {
    const p = start(['serve', '--listen', '127.0.0.1:0', '--admin-listen', '', '--data-dir', join(tmp, 'serve')], {
      POSTGUARD_DIRECTORY_SYNC_POSTGRES: db.url,
      POSTGUARD_DIRECTORY_SYNC_QUERY: QUERY,
      POSTGUARD_DIRECTORY_SYNC_EVERY: '1s',
      POSTGUARD_LOG_LEVEL: 'debug',
    });
    await waitFor(() => /"msg":"directory synced"/.test(p.out()));
    expect(p.out()).toMatch(/"sync":"full".*"totalCustomers":2/);
    await db.sql("UPDATE customers SET email = 'ines.neu@example.org', updated_at = clock_timestamp() WHERE id = 'A1'");
    await waitFor(() => /"sync":"incremental"/.test(p.out()));
    const log = p.out() + p.err();
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain('ines.neu@example.org');
    p.child.kill('SIGTERM');
    await p.exited;
  });

  it('keeps serving when the sync fails, and says why', async () => {
    const p = start(['serve', '--listen', '127.0.0.1:0', '--admin-listen', '', '--data-dir', join(tmp, 'serve-fail')], {
      POSTGUARD_DIRECTORY_SYNC_POSTGRES: `postgres://postgres:${PASSWORD}@127.0.0.1:1/crm`,
      POSTGUARD_DIRECTORY_SYNC_QUERY: QUERY,
    });
    await waitFor(() => /directory sync failed/.test(p.out()));
    await waitFor(() => /postguard relay listening/.test(p.out()));
    expect(p.out()).toMatch(/"code":"EPG_DIRECTORY_SYNC".*cannot connect to PostgreSQL at 127\.0\.0\.1:1\/crm/);
    expect(p.out() + p.err()).not.toContain(PASSWORD);
    p.child.kill('SIGTERM');
    await p.exited;
  });

  it('refuses to start without a query (exit 2)', async () => {
    const r = await run(
      ['serve', '--listen', '127.0.0.1:0', '--admin-listen', '', '--data-dir', join(tmp, 'serve-usage')],
      { POSTGUARD_DIRECTORY_SYNC_POSTGRES: db.url },
    );
    expect(r.code).toBe(2);
    expect(r.out + r.err).toMatch(/directory sync needs a query/);
    expect(r.out + r.err).not.toContain(PASSWORD);
  });
});
