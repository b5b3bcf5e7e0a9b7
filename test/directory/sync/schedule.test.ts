/**
 * The sync schedule `serve` runs: first run at once, a failed run logged in one line with the directory kept and
 * retried on the next run, and stop() aborting a run in progress without applying any of it.
 */
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectory } from '../../../src/directory/index.js';
import { scheduleDirectorySync } from '../../../src/directory/sync/schedule.js';
import { removeDir, tempDir } from '../helpers.js';
import { createCustomers, createTestDb, PASSWORD, type TestDb } from './pg.js';

const SECRET = 'schedule-test-secret-0123456789';
let db: TestDb;
let tmp: string;

beforeAll(async () => {
  db = await createTestDb();
  tmp = await tempDir('pg-sync-schedule-');
  await createCustomers(db, [{ id: 'S1', name: 'Mara Lind', email: 'mara.lind@example.org', phone: '030 55577001' }]);
});
afterAll(async () => {
  await db?.drop();
  await removeDir(tmp);
});

/** The sync's sessions on the test database; with `runningQuery` (a LIKE pattern) only those running that query. */
async function syncSessions(runningQuery?: string): Promise<number> {
  const running = runningQuery === undefined ? '' : " AND state = 'active' AND query LIKE $1";
  const r = await db.sql(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'postguard directory sync'" +
      running,
    runningQuery === undefined ? [] : [runningQuery],
  );
  return r.rows[0].n as number;
}

function memoryLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void out.push(s) });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('scheduleDirectorySync', { timeout: 120_000 }, () => {
  it('runs at once, logs a failure in one line (directory kept), and succeeds on a later run', async () => {
    const dir = await openDirectory({ dataDir: join(tmp, 'a'), secret: SECRET, defaultRegion: 'DE', follow: false });
    const { logger, lines } = memoryLogger();
    await db.sql('CREATE TABLE flaky (id text, email text)');
    await db.sql("INSERT INTO flaky VALUES ('S1', 'mara.lind@example.org')");
    // the first run fails: the query names a column that does not exist yet
    const schedule = scheduleDirectorySync(dir, {
      url: db.url,
      query: 'SELECT id, email, phone FROM flaky',
      every: 200,
      logger,
    });
    try {
      await expect(schedule.next()).rejects.toMatchObject({ code: 'EPG_DIRECTORY_SYNC' });
      const failed = lines().find((l) => l.msg === 'directory sync failed (the directory is unchanged)')!;
      expect(failed).toMatchObject({ level: 50, code: 'EPG_DIRECTORY_SYNC' });
      expect(String(failed.err)).toMatch(/column "phone" does not exist/);
      expect(JSON.stringify(lines())).not.toContain(PASSWORD);
      expect(dir.stats().customers).toBe(0);
      await db.sql('ALTER TABLE flaky ADD COLUMN phone text');
      const ok = await schedule.next();
      expect(ok.kind).toBe('full');
      expect(dir.lookup('email', 'mara.lind@example.org')).toEqual(['S1']);
      expect(lines().some((l) => l.msg === 'directory synced' && l.totalCustomers === 1)).toBe(true);
    } finally {
      await schedule.stop();
      await dir.close();
    }
  });

  it('stop() aborts a running sync; nothing of it is applied', async () => {
    const dir = await openDirectory({ dataDir: join(tmp, 'b'), secret: SECRET, defaultRegion: 'DE', follow: false });
    const { logger, lines } = memoryLogger();
    const slow = `SELECT id, email, pg_sleep(CASE WHEN id = 'S1' THEN 600 ELSE 0 END) AS pause FROM customers`;
    const schedule = scheduleDirectorySync(dir, { url: db.url, query: slow, every: 60_000, logger });
    const outcome = schedule.next().then(
      () => 'synced',
      () => 'aborted',
    );
    // wait until the rows are being streamed (the query itself runs on the server, not the column probe)
    const running = (): Promise<number> => syncSessions('SELECT id, email, pg_sleep%');
    await expect.poll(running, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
    await schedule.stop();
    expect(await outcome).toBe('aborted');
    expect(dir.stats().customers).toBe(0);
    expect(lines().some((l) => l.msg === 'directory sync failed (the directory is unchanged)')).toBe(false);
    // the query was cancelled on the server, not left sleeping
    await expect.poll(running, { timeout: 30_000, interval: 100 }).toBe(0);
    await dir.close();
  });

  it('stop() ends a query that ignores cancels (a cancel PostgreSQL dropped) by ending its session', async () => {
    const dir = await openDirectory({ dataDir: join(tmp, 'c'), secret: SECRET, defaultRegion: 'DE', follow: false });
    // stands in for a cancel that reached the backend between two protocol messages: this query never stops for one
    await db.sql(`CREATE FUNCTION stubborn() RETURNS int AS $$
      BEGIN
        LOOP
          BEGIN PERFORM pg_sleep(600); EXCEPTION WHEN query_canceled THEN NULL; END;
        END LOOP;
      END $$ LANGUAGE plpgsql`);
    const schedule = scheduleDirectorySync(dir, {
      url: db.url,
      query: 'SELECT id, email, stubborn() AS pause FROM customers',
      every: 60_000,
    });
    const outcome = schedule.next().then(
      () => 'synced',
      () => 'aborted',
    );
    const sessions = (): Promise<number> => syncSessions();
    const running = (): Promise<number> => syncSessions('SELECT id, email, stubborn()%');
    await expect.poll(running, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
    await schedule.stop();
    expect(await outcome).toBe('aborted');
    expect(dir.stats().customers).toBe(0);
    // the session is gone from the server, not left looping
    await expect.poll(sessions, { timeout: 30_000, interval: 100 }).toBe(0);
    await dir.close();
  });
});
