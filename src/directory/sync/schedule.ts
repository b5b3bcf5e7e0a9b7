/**
 * Runs the directory sync on a schedule inside `serve`: once at start, then `every` ms after the previous run
 * finished (runs never overlap). A failed sync is logged in one line and leaves the directory as it was; the next
 * run tries again. Stopping aborts a running sync (nothing of it is applied).
 */
import type { Logger } from 'pino';
import type { Directory } from '../directory.js';
import type { Config } from '../../config/load.js';
import { checkSyncSettings, syncDirectory, type SyncOptions, type SyncReport } from './sync.js';

export interface SyncSchedule {
  /** Resolves with the result of the run that finishes next (the running one, if any); rejects when it fails. */
  next(): Promise<SyncReport>;
  stop(): Promise<void>;
}

export function logSyncReport(logger: Logger, r: SyncReport): void {
  const i = r.import;
  // every few minutes when the CRM is quiet: not worth an info line each time
  (r.kind === 'unchanged' ? logger.debug.bind(logger) : logger.info.bind(logger))(
    {
      sync: r.kind,
      reason: r.reason,
      rows: i?.rowsRead ?? 0,
      customers: i?.customers ?? 0,
      totalCustomers: i?.totalCustomers,
      skippedRows: i?.skippedRows ?? 0,
      invalidValues: i?.invalidValues ?? 0,
      durationMs: r.durationMs,
      version: i?.version,
    },
    r.kind === 'unchanged' ? 'directory sync: nothing changed' : 'directory synced',
  );
}

export function scheduleDirectorySync(
  dir: Directory,
  opts: SyncOptions & { every: number; logger?: Logger },
): SyncSchedule {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let waiters: { resolve: (r: SyncReport) => void; reject: (e: unknown) => void }[] = [];
  const { every, logger, ...syncOpts } = opts;

  const run = async (): Promise<void> => {
    timer = undefined;
    const settle = (fn: (w: (typeof waiters)[number]) => void): void => {
      const taken = waiters;
      waiters = [];
      for (const w of taken) fn(w);
    };
    try {
      const report = await syncDirectory(dir, { ...syncOpts, signal: abort.signal });
      if (logger) logSyncReport(logger, report);
      settle((w) => w.resolve(report));
    } catch (err) {
      if (!abort.signal.aborted) {
        logger?.error(
          { code: (err as { code?: string }).code, err: (err as Error).message },
          'directory sync failed (the directory is unchanged)',
        );
      }
      settle((w) => w.reject(err));
    }
    if (!abort.signal.aborted) {
      timer = setTimeout(() => (running = run()), every);
      timer.unref();
    }
  };
  running = run();

  return {
    next: () => new Promise<SyncReport>((resolve, reject) => waiters.push({ resolve, reject })),
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * The `serve` hook: schedules the sync when `directorySync.postgres` is set (checks the settings first: a missing
 * query fails the start, EPG_USAGE). Returns undefined when no sync is configured.
 */
export function startConfiguredSync(
  dir: Directory,
  settings: Config['directorySync'],
  logger: Logger,
): SyncSchedule | undefined {
  if (!settings.postgres) return undefined;
  checkSyncSettings(settings.postgres, settings.query);
  return scheduleDirectorySync(dir, {
    url: settings.postgres,
    query: settings.query,
    every: settings.every,
    fullEvery: settings.fullEvery,
    logger,
  });
}
