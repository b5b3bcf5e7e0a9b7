/**
 * Directory sync from a CRM database: the query's rows become the directory.
 *
 * Full sync: every row is read and the directory is replaced (`replace`): customers the query no longer returns are
 * removed. Incremental sync, when the query exposes `updated_at` and the last sync of this same query produced the
 * directory's current version: only the customers with a row changed after the last high-water mark are read and
 * upserted. A deleted row (or one that no longer passes the query's WHERE) is invisible to an incremental sync:
 * such customers stay until the next full sync, which runs when the last one is older than `fullEvery`
 * (and whenever the directory was changed by something else, the query changed, or no mark is known).
 *
 * Either way the new index is built off to the side and swapped in only when the query has been read to the end and
 * persisted (Directory.importFrom): a sync that fails leaves the directory exactly as it was, and says why.
 */
import { createHash } from 'node:crypto';
import { ErrorCodes, PostguardError } from '../../core/errors.js';
import type { Directory } from '../directory.js';
import type { ImportReport } from '../importer.js';
import { describePostgresUrl, cleanQuery, PostgresSource } from './postgres-source.js';

/** Store meta name (DirectoryStore.readMeta) of the sync state. */
export const SYNC_META = 'sync';
export const DEFAULT_FULL_EVERY_MS = 6 * 3_600_000;

/** What the last successful sync left behind (no customer data, no credentials). */
export interface SyncState {
  /** Fingerprint of the database (host:port/db) and the query text. */
  source: string;
  /** Directory version that sync produced: another version means someone else changed the directory since. */
  version: string;
  /** Highest updated_at read (PostgreSQL's text for it), or null. */
  highWater: string | null;
  /** When the last full sync finished (ISO). */
  fullAt: string;
}

export interface SyncOptions {
  url: string;
  query: string;
  /** A full sync at least this often (ms; default 6 h). 0 = every sync is full. */
  fullEvery?: number;
  /** Force a full sync. */
  full?: boolean;
  batchSize?: number;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface SyncReport {
  kind: 'full' | 'incremental' | 'unchanged';
  /** Why this kind (e.g. "no updated_at column", "last full sync 6 h ago"). */
  reason: string;
  highWater: string | null;
  /** The import report (absent when nothing changed since the last sync). */
  import?: ImportReport;
  durationMs: number;
}

/** Checks the URL and query before any connection (usage errors: EPG_USAGE, no credentials in the message). */
export function checkSyncSettings(url: string, query: string): void {
  if (!url)
    throw new PostguardError(
      ErrorCodes.USAGE,
      'directory sync needs a PostgreSQL URL (--postgres or directorySync.postgres)',
    );
  if (!query.trim())
    throw new PostguardError(ErrorCodes.USAGE, 'directory sync needs a query (--query or directorySync.query)');
  describePostgresUrl(url);
  cleanQuery(query);
}

export function sourceFingerprint(url: string, query: string): string {
  return createHash('sha256')
    .update(describePostgresUrl(url).where)
    .update('\0')
    .update(cleanQuery(query))
    .digest('hex')
    .slice(0, 32);
}

export async function readSyncState(dir: Directory): Promise<SyncState | null> {
  const raw = await dir.readMeta(SYNC_META);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as SyncState;
    return typeof s.source === 'string' && typeof s.version === 'string' ? s : null;
  } catch {
    return null; // unreadable state: the next sync is full
  }
}

/** Why the next sync must be full, or null when it can be incremental. */
function fullReason(
  state: SyncState | null,
  source: PostgresSource,
  fp: string,
  dir: Directory,
  opts: SyncOptions,
  now: Date,
): string | null {
  const stats = dir.stats();
  if (opts.full) return 'full sync requested';
  // an upsert onto keys of an older format would be turned into a replace by just the changed rows
  if (stats.reimportNeeded) return 'the directory has keys of an older format';
  if (!source.hasUpdatedAt) return 'the query has no updated_at column';
  if (!state) return 'first sync';
  if (state.source !== fp) return 'the database or query changed';
  if (state.version !== stats.version) return 'the directory was changed since the last sync';
  if (state.highWater === null) return 'no rows had an updated_at at the last sync';
  const fullEvery = opts.fullEvery ?? DEFAULT_FULL_EVERY_MS;
  const age = now.getTime() - Date.parse(state.fullAt);
  if (!(age < fullEvery))
    return `the last full sync is older than ${Math.round(fullEvery / 60_000)} min (removes deleted customers)`;
  return null;
}

export async function syncDirectory(dir: Directory, opts: SyncOptions): Promise<SyncReport> {
  const started = performance.now();
  const now = opts.now ?? (() => new Date());
  const fp = sourceFingerprint(opts.url, opts.query);
  const source = new PostgresSource({
    url: opts.url,
    query: opts.query,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  try {
    await source.open();
    const state = await readSyncState(dir);
    const reason = fullReason(state, source, fp, dir, opts, now());
    const full = reason !== null;
    if (!full && state!.highWater === source.highWater) {
      return {
        kind: 'unchanged',
        reason: 'no row changed since the last sync',
        highWater: source.highWater,
        durationMs: Math.round(performance.now() - started),
      };
    }
    source.since = full ? null : state!.highWater;
    const report = await dir.importFrom(source, { mode: full ? 'replace' : 'upsert' });
    const next: SyncState = {
      source: fp,
      version: report.version,
      highWater: source.highWater,
      fullAt: full ? now().toISOString() : state!.fullAt,
    };
    // Written after the commit: if this fails (or the process dies first), the versions differ and the next sync is full.
    await dir.writeMeta(SYNC_META, JSON.stringify(next));
    return {
      kind: full ? 'full' : 'incremental',
      reason: reason ?? `rows changed after ${state!.highWater}`,
      highWater: source.highWater,
      import: report,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await source.close();
  }
}
