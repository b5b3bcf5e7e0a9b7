/**
 * PostgreSQL journal backend (journal.postgres): one table shared by every relay, for long retention.
 *   postguard_journal(id bigserial, time timestamptz, ref text, event text, customers text[], entry jsonb)
 * with indexes on time, ref and customers (GIN). The table is created on first open. append() resolves after the
 * INSERT committed (autocommit). Pruning is a DELETE by time.
 */
import pg from 'pg';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { JournalBackend, JournalEntry, JournalScan } from './types.js';

const TABLE = 'postguard_journal';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ${TABLE} (
     id bigserial PRIMARY KEY,
     time timestamptz NOT NULL,
     ref text NOT NULL,
     event text NOT NULL,
     customers text[] NOT NULL DEFAULT '{}',
     entry jsonb NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_time ON ${TABLE} (time)`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_ref ON ${TABLE} (ref)`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_customers ON ${TABLE} USING gin (customers)`,
];

/** The URL without its password, for error messages. */
export function describePgUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:(secret)@');
}

export class PgJournal implements JournalBackend {
  readonly backend = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  static async connect(url: string): Promise<PgJournal> {
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => undefined); // idle client errors surface on the next query
    try {
      // several relays starting together: serialise the schema creation
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock(74121833)');
        for (const sql of SCHEMA) await client.query(sql);
        await client.query('SELECT pg_advisory_unlock(74121833)');
      } finally {
        client.release();
      }
    } catch (cause) {
      await pool.end().catch(() => undefined);
      throw new PostguardError(
        ErrorCodes.JOURNAL,
        `cannot open the journal database ${describePgUrl(url)}: ${(cause as Error).message}`,
        { cause },
      );
    }
    return new PgJournal(pool);
  }

  async append(entry: JournalEntry): Promise<void> {
    try {
      await this.pool.query(`INSERT INTO ${TABLE} (time, ref, event, customers, entry) VALUES ($1, $2, $3, $4, $5)`, [
        entry.time,
        entry.ref,
        entry.event,
        entry.customers,
        JSON.stringify(entry),
      ]);
    } catch (cause) {
      throw new PostguardError(ErrorCodes.JOURNAL, 'journal write failed', { cause });
    }
  }

  private async select(where: string[], params: unknown[]): Promise<JournalEntry[]> {
    try {
      const sql = `SELECT entry FROM ${TABLE}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time, id`;
      const res = await this.pool.query<{ entry: JournalEntry }>(sql, params);
      return res.rows.map((r) => r.entry);
    } catch (cause) {
      throw new PostguardError(ErrorCodes.JOURNAL, 'journal query failed', { cause });
    }
  }

  scan(q: JournalScan): Promise<JournalEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.since) add('time >= ?', q.since.toISOString());
    if (q.until) add('time <= ?', q.until.toISOString());
    if (q.ref) add('ref = ?', q.ref);
    if (q.customer) add('customers @> ARRAY[?]::text[]', q.customer);
    return this.select(where, params);
  }

  messagesOfCustomer(customer: string, since?: Date): Promise<JournalEntry[]> {
    const params: unknown[] = [customer];
    let inner = `SELECT ref FROM ${TABLE} WHERE customers @> ARRAY[$1]::text[]`;
    if (since) {
      params.push(since.toISOString());
      inner += ' AND time >= $2';
    }
    return this.select([`ref IN (${inner})`], params);
  }

  async prune(before: Date): Promise<number> {
    try {
      const res = await this.pool.query(`DELETE FROM ${TABLE} WHERE time < $1`, [before.toISOString()]);
      return res.rowCount ?? 0;
    } catch (cause) {
      throw new PostguardError(ErrorCodes.JOURNAL, 'journal prune failed', { cause });
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
