/**
 * A PostgreSQL query as a directory row source (importer.ts RowSource). Rows are read through a server-side cursor
 * (pg-cursor), one batch at a time, so a query of millions of rows never sits in memory.
 *
 * One connection, one REPEATABLE READ READ ONLY transaction: the column probe, the high-water mark and the rows
 * all come from the same snapshot of the database, so a row changed while the sync runs is either in this sync or
 * after its high-water mark (never lost between the two).
 *
 * Columns are mapped by name exactly as CSV headers are (columns.ts mapHeaders). A query exposing an `updated_at`
 * column can be read incrementally: only the customers with a row changed after `since` (all their rows, so a
 * customer spread over several rows stays complete).
 *
 * Messages never carry the connection string, the password or a value from the rows (PostgreSQL's text for data
 * errors can quote values, so only its SQLSTATE is kept for those).
 */
import type pg from 'pg';
import type Cursor from 'pg-cursor';
import { ErrorCodes, PostguardError } from '../../core/errors.js';
import { mapHeaders, type ColumnMapping, type ExtraMapping } from '../columns.js';
import type { RowConsumer, RowSource } from '../importer.js';

/** The PostgreSQL driver, loaded on first use: `serve` and the CLI without a sync configured never pay for it. */
let loaded: Promise<{ pg: typeof pg; Cursor: typeof Cursor }> | undefined;
function drivers(): Promise<{ pg: typeof pg; Cursor: typeof Cursor }> {
  loaded ??= Promise.all([import('pg'), import('pg-cursor')]).then(([p, c]) => ({ pg: p.default, Cursor: c.default }));
  return loaded;
}

/** The column whose values order changes (a timestamp, date or increasing number). */
export const UPDATED_AT = 'updated_at';
const CURSOR_BATCH = 2000;
const CONNECT_TIMEOUT_MS = 15_000;
/** How long a stopped sync keeps asking PostgreSQL to cancel its query before it terminates the session. */
const CANCEL_GRACE_MS = 3_000;
const CANCEL_CHECK_MS = 100;
const PROBE_PREFIX = 'SELECT * FROM (';

export interface PostgresTarget {
  /** For messages: `host:port/database` (no user, no password). */
  where: string;
}

/** Checks a postgres:// URL and describes it without credentials. Throws USAGE for anything else. */
export function describePostgresUrl(url: string): PostgresTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PostguardError(
      ErrorCodes.USAGE,
      'the PostgreSQL URL is not a URL (expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)',
    );
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new PostguardError(
      ErrorCodes.USAGE,
      `the PostgreSQL URL must start with postgres:// or postgresql:// (got ${u.protocol}//)`,
    );
  }
  const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default database)';
  return { where: `${u.hostname || 'localhost'}:${u.port || '5432'}/${db}` };
}

/** The user's query with trailing semicolons and whitespace removed, so it can be wrapped as a subquery. */
export function cleanQuery(query: string): string {
  const q = query.trim().replace(/[;\s]+$/, '');
  if (!q) throw new PostguardError(ErrorCodes.USAGE, 'the sync query is empty');
  return q;
}

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

const SQLSTATE_CLASS: Record<string, string> = {
  '08': 'connection problem',
  '22': 'data error',
  '23': 'integrity error',
  '25': 'transaction state error',
  '40': 'transaction rolled back',
  '53': 'server out of resources',
  '54': 'query too complex',
  '55': 'object not in the required state',
  '57': 'query cancelled or server shutting down',
  '58': 'server system error',
  XX: 'internal server error',
};

/**
 * One line for a failure, never with credentials or row values. `stage` says what was being done.
 * Class 42 (syntax error or access rule violation), 3D (no such database) and 28 (login refused) messages name
 * only identifiers from the query or the URL's user and database, so PostgreSQL's text is kept for those.
 */
export function syncError(
  err: unknown,
  target: PostgresTarget,
  stage: 'connect' | 'query' | 'read',
  wrapped = 0,
): PostguardError {
  if (err instanceof PostguardError) return err;
  const e = err as { code?: unknown; message?: unknown; position?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const pgText = typeof e.message === 'string' ? e.message.split('\n')[0]! : '';
  let message: string;
  if (/^[0-9A-Z]{5}$/.test(code)) {
    const cls = code.slice(0, 2);
    if (cls === '42') {
      // the position is in the query as sent: `wrapped` characters of ours precede the user's query
      const pos = typeof e.position === 'string' ? Number(e.position) - wrapped : 0;
      const at = pos > 0 ? ` at character ${pos}` : '';
      message = `the sync query is not valid: ${pgText}${at} (SQLSTATE ${code})`;
    } else if (cls === '3D' || cls === '28') {
      message = `PostgreSQL at ${target.where} refused the connection: ${pgText} (SQLSTATE ${code})`;
    } else if (code === '57014') {
      message = `the sync query was cancelled (SQLSTATE ${code})`;
    } else {
      const what = SQLSTATE_CLASS[cls] ?? 'error';
      message =
        stage === 'read'
          ? `the sync query failed while reading rows: ${what} (SQLSTATE ${code})`
          : `the sync query failed: ${what} (SQLSTATE ${code})`;
    }
  } else if (stage === 'connect') {
    message = `cannot connect to PostgreSQL at ${target.where} (${code || 'connection failed'})`;
  } else {
    message = `the connection to PostgreSQL at ${target.where} was lost while ${stage === 'read' ? 'reading rows' : 'running the sync query'}${code ? ` (${code})` : ''}`;
  }
  return new PostguardError(ErrorCodes.DIRECTORY_SYNC, message, { details: { code, stage } });
}

function cell(v: unknown): string | string[] {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v))
    return v.filter((x) => x !== null && x !== undefined).map((x) => (x instanceof Date ? x.toISOString() : String(x)));
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export interface PostgresSourceOptions {
  url: string;
  query: string;
  /** Rows fetched per cursor round trip (default 2000). */
  batchSize?: number;
  signal?: AbortSignal;
}

/**
 * Usage: `open()` (connects, probes the columns, reads the high-water mark), then choose full or incremental
 * (`since`), hand it to Directory.importFrom (which calls `feed`), and `close()` whatever happened.
 */
export class PostgresSource implements RowSource {
  readonly format = 'postgres' as const;
  readonly label: string;
  /** Column names as the query returns them. */
  fields: string[] = [];
  /** Highest `updated_at` in the snapshot (PostgreSQL's text for it), or null (no such column, or no rows). */
  highWater: string | null = null;
  /** When set (and the query has `updated_at`), `feed` reads only customers with a row changed after it. */
  since: string | null = null;
  private readonly target: PostgresTarget;
  private readonly query: string;
  private client: pg.Client | undefined;
  private idField = '';
  private onAbort: (() => void) | undefined;

  constructor(private readonly opts: PostgresSourceOptions) {
    this.target = describePostgresUrl(opts.url);
    this.query = cleanQuery(opts.query);
    this.label = `PostgreSQL ${this.target.where}`;
  }

  get hasUpdatedAt(): boolean {
    return this.fields.some((f) => f.toLowerCase() === UPDATED_AT);
  }

  private get updatedAtField(): string {
    return this.fields.find((f) => f.toLowerCase() === UPDATED_AT)!;
  }

  async open(): Promise<void> {
    const { pg } = await drivers();
    const client = new pg.Client({
      connectionString: this.opts.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'postguard directory sync',
    });
    // errors after connect surface through the running query; an idle error must not crash the process
    client.on('error', () => undefined);
    this.client = client;
    this.checkAborted();
    this.onAbort = (): void => void this.cancel(client);
    this.opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    try {
      await client.connect();
    } catch (err) {
      throw syncError(err, this.target, 'connect');
    }
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    } catch (err) {
      throw syncError(err, this.target, 'query');
    }
    try {
      const probe = await client.query({
        text: `${PROBE_PREFIX}${this.query}) AS postguard_probe LIMIT 0`,
        rowMode: 'array',
      });
      this.fields = probe.fields.map((f) => f.name);
    } catch (err) {
      throw syncError(err, this.target, 'query', PROBE_PREFIX.length);
    }
    this.checkColumns();
    if (this.hasUpdatedAt) {
      try {
        const hw = await client.query<{ hw: string | null }>(
          `SELECT max(${quoteIdent(this.updatedAtField)})::text AS hw FROM (${this.query}) AS postguard_high_water`,
        );
        this.highWater = hw.rows[0]?.hw ?? null;
      } catch (err) {
        // an updated_at of a type without an order (json, point …) cannot give a high-water mark
        if ((err as { code?: string }).code?.startsWith('42')) {
          throw new PostguardError(
            ErrorCodes.DIRECTORY_SYNC,
            `the sync query's ${UPDATED_AT} column cannot be compared (SQLSTATE ${(err as { code: string }).code}): use a timestamp, date or number`,
          );
        }
        throw syncError(err, this.target, 'query');
      }
    }
    this.checkAborted();
  }

  /** The mapped columns must include a customer id and at least one kind of personal data. */
  private checkColumns(): void {
    const columns = mapHeaders(this.fields, []);
    const id = this.fields.filter((_, i) => columns[i]?.role === 'id');
    if (id.length === 0) {
      throw new PostguardError(
        ErrorCodes.DIRECTORY_SYNC,
        `the sync query returns no customer id column (customer_id or id); it returns: ${this.fields.join(', ') || 'no columns'}`,
      );
    }
    this.idField = id[id.length - 1]!;
  }

  async feed(sink: RowConsumer, extras: readonly ExtraMapping[]): Promise<void> {
    const client = this.client;
    if (!client) throw new PostguardError(ErrorCodes.DIRECTORY_SYNC, 'PostgresSource.feed before open');
    const columns: (ColumnMapping | null)[] = mapHeaders(this.fields, extras);
    if (!columns.some((c) => c?.role === 'kind')) {
      throw new PostguardError(
        ErrorCodes.DIRECTORY_SYNC,
        `the sync query returns no personal-data column (email, phone, full_name, address, … or one mapped with directoryColumns); it returns: ${this.fields.join(', ')}`,
      );
    }
    let text = this.query;
    const values: string[] = [];
    if (this.since !== null && this.hasUpdatedAt) {
      const id = quoteIdent(this.idField);
      text =
        `SELECT * FROM (${this.query}) AS postguard_rows WHERE ${id} IN ` +
        `(SELECT ${id} FROM (${this.query}) AS postguard_changed WHERE ${quoteIdent(this.updatedAtField)} > $1)`;
      values.push(this.since);
    }
    this.checkAborted();
    // A cursor read rejects when the query fails or the connection ends (a cancel, a terminated session, a network
    // failure). Not a stream: a destroyed pg-query-stream waits for the cursor to close, which waits for a
    // ReadyForQuery that a dead connection never sends, so a sync stopped at the wrong moment hung for good.
    const { Cursor } = await drivers();
    const cursor = client.query(new Cursor<unknown[]>(text, values, { rowMode: 'array' }));
    const batch = this.opts.batchSize ?? CURSOR_BATCH;
    let row = 0;
    try {
      for (;;) {
        const records = await cursor.read(batch);
        for (const record of records) {
          const cells = new Array<string | string[]>(record.length);
          for (let i = 0; i < record.length; i++) cells[i] = columns[i] ? cell(record[i]) : '';
          sink.row(++row, columns, cells);
        }
        if (records.length < batch) break;
      }
    } catch (err) {
      throw syncError(err, this.target, 'read');
    }
  }

  /**
   * Stops a query in progress: the server only reads the connection between statements, so closing it would wait
   * for the query to end. pg_cancel_backend on a second connection cancels it (SQLSTATE 57014), the cursor read fails
   * and the import is abandoned; then the connection is closed.
   *
   * PostgreSQL drops a cancel that reaches the backend while it reads the next protocol message (the cursor sends
   * Parse, Bind and Execute separately); the query would then run on after we hang up. So the cancel is checked:
   * while the backend is still `active` it is sent again, and after CANCEL_GRACE_MS the backend is terminated
   * (pg_terminate_backend is honoured between messages too). Our own read-only transaction is all it ends.
   */
  private async cancel(client: pg.Client): Promise<void> {
    const pid = (client as unknown as { processID: number | null }).processID;
    if (pid) {
      const { pg } = await drivers();
      const side = new pg.Client({
        connectionString: this.opts.url,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        application_name: 'postguard directory sync (cancel)',
      });
      side.on('error', () => undefined);
      try {
        await side.connect();
        const active = async (): Promise<boolean> =>
          (
            await side.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND state = 'active'",
              [pid],
            )
          ).rows[0]?.n === 1;
        const until = Date.now() + CANCEL_GRACE_MS;
        let stopped = false;
        while (!stopped && Date.now() < until) {
          await side.query('SELECT pg_cancel_backend($1)', [pid]);
          await new Promise((r) => setTimeout(r, CANCEL_CHECK_MS));
          stopped = !(await active());
        }
        if (!stopped) await side.query('SELECT pg_terminate_backend($1)', [pid]);
      } catch {
        // the connection is closed below either way
      } finally {
        await side.end().catch(() => undefined);
      }
    }
    await client.end().catch(() => undefined);
  }

  private checkAborted(): void {
    if (this.opts.signal?.aborted) throw new PostguardError(ErrorCodes.DIRECTORY_SYNC, 'the sync was stopped');
  }

  /**
   * Ends the session whatever state it is in. The transaction only read, so there is nothing to roll back by hand:
   * ending the session ends it (pg's end() drops the socket when a cursor is still open, instead of waiting on it).
   */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (this.onAbort) this.opts.signal?.removeEventListener('abort', this.onAbort);
    if (!client) return;
    await client.end().catch(() => undefined);
  }
}
