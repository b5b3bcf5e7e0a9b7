/**
 * What `postguard directory import|stats|lookup|remove|sync` do, loaded when one of them runs (declared in
 * directory.ts). Output never repeats directory values, only kinds, counts and customer ids.
 */
import { open, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { coerce } from '../../config/load.js';
import { findKey } from '../../config/keys.js';
import { ErrorCodes, isPostguardError, PostguardError } from '../../core/errors.js';
import { openDirectory, type Directory, type OpenDirectoryOptions } from '../../directory/index.js';
import { detectFormat, type ImportFormat, type ImportReport } from '../../directory/importer.js';
import { KEY_FORMAT } from '../../directory/key-format.js';
import { normalizeValue } from '../../directory/normalize.js';
import type { SyncReport } from '../../directory/sync/sync.js';
import { configFromCommand } from '../config-options.js';

export type GetStoreOptions = (cmd: Command) => Promise<OpenDirectoryOptions>;

/**
 * `staleKeys: 'open'` for the commands that can deal with a directory of an older key format: `import` replaces it,
 * `stats` says a re-import is needed. The others (lookup, remove) fail with the re-import message.
 */
async function withDirectory<T>(
  cmd: Command,
  get: GetStoreOptions,
  fn: (d: Directory) => Promise<T>,
  staleKeys: 'fail' | 'open' = 'fail',
): Promise<T> {
  const opts = await get(cmd);
  const dir = await openDirectory({ ...opts, follow: false, staleKeys });
  try {
    return await fn(dir);
  } finally {
    await dir.close();
  }
}

/**
 * Refuses a file whose first line does not fit the format it would be read as (`--format jsonl` on a CSV file
 * read 0 rows and exited 0; with --replace that emptied the directory). Only the first 64 KB are read.
 */
async function checkImportFormat(file: string, format: ImportFormat, explicit: boolean): Promise<void> {
  let head: string;
  try {
    // A pipe (/dev/stdin) cannot be read twice: only regular files are checked.
    if (!(await stat(file)).isFile()) return;
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(65_536);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, '');
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PostguardError(
      ErrorCodes.USAGE,
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (code ?? 'error')}`,
      { cause: err },
    );
  }
  const first = head
    .split(/\r?\n/)
    .find((l) => l.trim() !== '')
    ?.trim();
  if (first === undefined) return; // an empty file: the importer reports 0 rows
  const looksJson = first.startsWith('{');
  const how = explicit ? `--format ${format}` : 'by its file name';
  if (format === 'jsonl' && !looksJson) {
    throw new PostguardError(
      ErrorCodes.USAGE,
      `${file} is read as JSON Lines (${how}) but its first line is not a JSON object: use --format csv`,
    );
  }
  if (format === 'csv' && looksJson) {
    throw new PostguardError(
      ErrorCodes.USAGE,
      `${file} is read as CSV (${how}) but its first line is a JSON object: use --format jsonl`,
    );
  }
}

function printReport(r: ImportReport): void {
  console.log(`imported ${r.file} (${r.format}, ${r.mode}) in ${(r.durationMs / 1000).toFixed(1)} s`);
  console.log(`  rows read        ${r.rowsRead}`);
  console.log(
    `  customers        ${r.customers} in ${r.format === 'postgres' ? 'query' : 'file'}, ${r.totalCustomers} in directory`,
  );
  for (const [kind, n] of Object.entries(r.values)) console.log(`  ${kind.padEnd(16)} ${n}`);
  if (r.addressesAsWritten) console.log(`  addresses stored as written ${r.addressesAsWritten}`);
  if (r.skippedRows) {
    console.log(`  skipped rows     ${r.skippedRows}`);
    for (const s of r.skipped.slice(0, 20)) console.log(`    row ${s.row}: ${s.reason}`);
  }
  if (r.invalidValues) {
    console.log(`  invalid values   ${r.invalidValues}`);
    for (const s of r.invalid.slice(0, 20)) console.log(`    row ${s.row} ${s.column ?? ''}: ${s.reason}`);
  }
  console.log(`  version          ${r.version}`);
}

/** Kinds to try for `lookup`, and the regions for national phone formats. */
function lookupAll(dir: Directory, value: string, kind?: string, region?: string): Map<string, string[]> {
  const kinds = kind ? [kind] : [...dir.kinds()].sort();
  const regions = region
    ? [region]
    : [...new Set([...(dir.defaultRegion() ? [dir.defaultRegion()!] : []), ...dir.regions()])];
  const out = new Map<string, string[]>();
  for (const k of kinds) {
    const ids = new Set<string>();
    const tries = k === 'phone' ? [undefined, ...regions] : [undefined];
    for (const r of tries) {
      const norm = normalizeValue(k, value, r);
      if (norm !== null) for (const id of dir.lookup(k, norm)) ids.add(id);
    }
    if (ids.size) out.set(k, [...ids].sort());
  }
  return out;
}

/** `directory import FILE`. */
export async function importFile(
  getStoreOptions: GetStoreOptions,
  file: string,
  o: { replace?: boolean; format?: string; json?: boolean },
  cmd: Command,
): Promise<void> {
  if (o.format !== undefined && o.format !== 'csv' && o.format !== 'jsonl') {
    throw new PostguardError(ErrorCodes.USAGE, '--format must be csv or jsonl');
  }
  await checkImportFormat(file, detectFormat(file, o.format), o.format !== undefined);
  let replacedFormat: number | undefined;
  const report = await withDirectory(
    cmd,
    getStoreOptions,
    async (d) => {
      const before = d.stats();
      if (before.reimportNeeded) replacedFormat = before.keyFormat;
      return d.import(file, {
        mode: o.replace ? 'replace' : 'upsert',
        ...(o.format ? { format: o.format as 'csv' | 'jsonl' } : {}),
      });
    },
    'open',
  );
  if (replacedFormat !== undefined && !o.replace) {
    console.error(
      `postguard: the directory had key format ${replacedFormat}: this import replaced it (customers not in ${file} were removed)`,
    );
  }
  if (o.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
}

/** `directory stats`. */
export async function showStats(getStoreOptions: GetStoreOptions, o: { json?: boolean }, cmd: Command): Promise<void> {
  const s = await withDirectory(cmd, getStoreOptions, async (d) => d.stats(), 'open');
  if (o.json) {
    console.log(JSON.stringify(s, null, 2));
    return;
  }
  console.log(`store            ${s.store}`);
  console.log(`version          ${s.version || '(empty)'}`);
  console.log(`customers        ${s.customers}`);
  for (const [kind, n] of Object.entries(s.values)) console.log(`  ${kind.padEnd(14)} ${n}`);
  console.log(`phone regions    ${s.regions.join(', ') || '-'}`);
  console.log(`email domains    ${s.emailDomains} (used by ≥ 3 customers)`);
  console.log(`index memory     ${(s.memoryBytes / 1024 / 1024).toFixed(1)} MB`);
  console.log(`key format       ${s.keyFormat}${s.reimportNeeded ? '' : ' (current)'}`);
  if (s.reimportNeeded) {
    console.log(
      `re-import needed this version needs key format ${KEY_FORMAT}: nothing matches until you run "postguard directory import FILE" again`,
    );
  }
}

/** `directory lookup VALUE`. */
export async function lookupValue(
  getStoreOptions: GetStoreOptions,
  value: string,
  o: { kind?: string; region?: string; json?: boolean },
  cmd: Command,
): Promise<void> {
  const hits = await withDirectory(cmd, getStoreOptions, async (d) => lookupAll(d, value, o.kind, o.region));
  if (o.json) {
    console.log(JSON.stringify({ found: hits.size > 0, matches: Object.fromEntries(hits) }));
    if (hits.size === 0) process.exitCode = 1;
    return;
  }
  if (hits.size === 0) {
    console.log('not found');
    process.exitCode = 1;
    return;
  }
  for (const [kind, ids] of hits) console.log(`${kind}\t${ids.join(', ')}`);
}

/** `directory remove ID…`. */
export async function removeCustomers(getStoreOptions: GetStoreOptions, ids: string[], cmd: Command): Promise<void> {
  const n = await withDirectory(cmd, getStoreOptions, (d) => d.remove(ids));
  console.log(`removed ${n} of ${ids.length} customer(s)`);
}

function printSync(r: SyncReport): void {
  if (!r.import) {
    console.log(`directory sync: nothing changed (${r.reason}) in ${(r.durationMs / 1000).toFixed(1)} s`);
    return;
  }
  console.log(`directory sync: ${r.kind} (${r.reason})`);
  printReport(r.import);
}

/** `directory sync`: once, or with --every in a loop until SIGINT/SIGTERM. */
export async function syncFromDatabase(
  get: GetStoreOptions,
  o: { postgres?: string; query?: string; every?: string; full?: boolean; json?: boolean },
  cmd: Command,
): Promise<void> {
  // the sync (and its PostgreSQL client) is loaded for this command only
  const { checkSyncSettings, syncDirectory } = await import('../../directory/sync/sync.js');
  const settings = configFromCommand(cmd).directorySync;
  const url = o.postgres ?? settings.postgres;
  const query = o.query ?? settings.query;
  const every =
    o.every === undefined
      ? undefined
      : (coerce(findKey('directorySync.every')!, o.every, { kind: 'flag', name: 'every' }) as number);
  checkSyncSettings(url, query);
  const opts = await get(cmd);
  const dir = await openDirectory({ ...opts, follow: Boolean(every), staleKeys: 'open' });
  const once = async (full: boolean): Promise<boolean> => {
    try {
      const r = await syncDirectory(dir, {
        url,
        query,
        fullEvery: settings.fullEvery,
        full,
        ...(stop ? { signal: stop.signal } : {}),
      });
      if (o.json) console.log(JSON.stringify(r, null, 2));
      else printSync(r);
      return true;
    } catch (err) {
      if (!isPostguardError(err)) throw err;
      console.error(`postguard: directory sync failed (the directory is unchanged): ${err.message}`);
      return false;
    }
  };
  let stop: AbortController | undefined;
  try {
    if (every === undefined) {
      if (!(await once(Boolean(o.full)))) process.exitCode = 1;
      return;
    }
    stop = new AbortController();
    const onSignal = (): void => stop!.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      let first = true;
      while (!stop.signal.aborted) {
        await once(first && Boolean(o.full));
        first = false;
        await new Promise<void>((done) => {
          const t = setTimeout(done, every);
          stop!.signal.addEventListener('abort', () => (clearTimeout(t), done()), { once: true });
        });
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } finally {
    await dir.close();
  }
}
