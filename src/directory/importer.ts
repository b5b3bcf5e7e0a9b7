/**
 * Reads customer rows into a ChangeBatch of keyed hashes. The rows come from a RowSource: a CRM/helpdesk export
 * (CSV with a header row, or JSON Lines; here) or a database query stream (sync/postgres-source.ts). Every source
 * maps its column names with columns.ts mapHeaders and hands each row to the same RowSink, so normalisation,
 * hashing and the report are one mechanism whatever the source.
 * Plaintext values live only in local variables while a row is processed; the report names rows and columns,
 * never values.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { ChangeBatch, DOMAIN_KIND, NAME_FIRST_KIND, NAME_LAST_KIND, type SpillOptions } from './change-batch.js';
import { surnameKeys } from './name-words.js';
import { mapHeaders, splitCell, type ColumnMapping, type ExtraMapping } from './columns.js';
import type { KeyedHasher } from './keyed-hash.js';
import { emailDomain, isTokenKind, normalizeRegion, normalizeValue } from './normalize.js';
import {
  ADDRESS_BARE_KIND,
  ADDRESS_FIRST_KIND,
  ADDRESS_TYPED_KIND,
  ADDRESS_UNIT_KIND,
  addressKeys,
  unitKeys,
} from './address.js';

export type ImportFormat = 'csv' | 'jsonl';

export interface ImportIssue {
  /** Data row number (1 = first row after the CSV header; for JSON Lines the line number). */
  row: number;
  /** Column header, when the issue concerns one cell. */
  column?: string;
  reason: string;
}

/** What a report's `format` says: a file format, or the kind of database a sync read from. */
export type SourceFormat = ImportFormat | 'postgres';

export interface ImportReport {
  /** The file, or a description of the source (never a connection string). */
  file: string;
  format: SourceFormat;
  mode: 'upsert' | 'replace';
  rowsRead: number;
  /** Distinct customers in the file. */
  customers: number;
  /** Customers in the directory after the import. */
  totalCustomers: number;
  /** Values read per kind (after normalisation; duplicates counted). */
  values: Record<string, number>;
  /** Rows not imported (no customer id …). At most 1000 listed; `skippedRows` is the full count. */
  skipped: ImportIssue[];
  skippedRows: number;
  /** Cells whose value could not be normalised (bad phone, IMEI failing Luhn …). At most 1000 listed. */
  invalid: ImportIssue[];
  invalidValues: number;
  /** Address cells that could not be taken apart into street, number and unit: stored and matched as written. */
  addressesAsWritten: number;
  durationMs: number;
  version: string;
}

export interface ImportOptions {
  format?: ImportFormat;
  extras: readonly ExtraMapping[];
  defaultRegion?: string;
  /**
   * Where the batch writes sorted runs of keyed hashes once it holds more than a chunk of them (change-batch.ts);
   * without it every entry stays in memory.
   */
  spill?: SpillOptions;
}

const MAX_LISTED = 1000;
function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export interface ImportResult {
  batch: ChangeBatch;
  report: Omit<ImportReport, 'mode' | 'totalCustomers' | 'durationMs' | 'version'>;
}

export function detectFormat(file: string, format?: ImportFormat): ImportFormat {
  if (format) return format;
  return /\.(jsonl|ndjson|json)$/i.test(file) ? 'jsonl' : 'csv';
}

/** Where a RowSource delivers rows (implemented by the importer's sink). */
export interface RowConsumer {
  /** One row: `cells[i]` belongs to `columns[i]` (columns from mapHeaders; null = ignored column). */
  row(row: number, columns: readonly (ColumnMapping | null)[], cells: readonly (string | string[])[]): void;
  /** A row that cannot be read at all (not valid JSON …). */
  skip(row: number, reason: string): void;
}

/** A source of customer rows: a file or a query stream. */
export interface RowSource {
  /** For the report and messages: a path, or a description (never a connection string or password). */
  readonly label: string;
  readonly format: SourceFormat;
  /** Reads every row into `sink`; rejects (with a PostguardError) when the source fails. */
  feed(sink: RowConsumer, extras: readonly ExtraMapping[]): Promise<void>;
}

class RowSink implements RowConsumer {
  readonly batch: ChangeBatch;
  readonly skipped: ImportIssue[] = [];
  readonly invalid: ImportIssue[] = [];
  skippedRows = 0;
  invalidValues = 0;
  addressesAsWritten = 0;
  rows = 0;
  private readonly perKind = new Map<string, number>();
  private readonly domainKind: number;
  private nameFirstKind = -1;
  private nameLastKind = -1;

  constructor(
    private readonly hasher: KeyedHasher,
    private readonly defaultRegion: string | undefined,
    spill: SpillOptions | undefined,
  ) {
    this.batch = new ChangeBatch(spill);
    this.domainKind = this.batch.kind(DOMAIN_KIND, 'weak');
  }

  skip(row: number, reason: string): void {
    this.skippedRows++;
    if (this.skipped.length < MAX_LISTED) this.skipped.push({ row, reason });
  }

  bad(row: number, column: string, reason: string): void {
    this.invalidValues++;
    if (this.invalid.length < MAX_LISTED) this.invalid.push({ row, column, reason });
  }

  /** One row: `cells[i]` belongs to `columns[i]`. */
  row(row: number, columns: readonly (ColumnMapping | null)[], cells: readonly (string | string[])[]): void {
    this.rows++;
    let id = '';
    let region: string | undefined;
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i];
      if (!c) continue;
      const v = cells[i];
      const s = Array.isArray(v) ? v.join(';') : (v ?? '');
      if (c.role === 'id') id = s.trim();
      else if (c.role === 'country' && s.trim()) {
        region = normalizeRegion(s);
        if (!region) this.bad(row, c.header, 'not an ISO 3166 alpha-2 country code');
      }
    }
    if (!id) return this.skip(row, 'missing customer id');
    if (id.length > 200 || hasControlChar(id)) return this.skip(row, 'invalid customer id');
    const reg = region ?? normalizeRegion(this.defaultRegion) ?? '';
    const cust = this.batch.customer(id, region ?? '');
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i];
      if (!c || c.role !== 'kind') continue;
      const v = cells[i];
      const values = Array.isArray(v) ? v.flatMap((x) => splitCell(String(x))) : splitCell(v ?? '');
      const kind = c.kind!;
      const k = this.batch.kind(kind, c.strength);
      for (const raw of values) {
        if (kind === 'address') {
          this.address(row, c.header, cust, k, raw);
          continue;
        }
        const norm = normalizeValue(kind, raw, reg || undefined);
        if (norm === null) {
          this.bad(row, c.header, `not a valid ${kind}`);
          continue;
        }
        this.hasher.hash(kind, norm);
        this.batch.add(cust, k, this.hasher.hi, this.hasher.lo);
        if (isTokenKind(kind) && !/\d/.test(norm)) this.batch.digitless.add(kind);
        this.perKind.set(kind, (this.perKind.get(kind) ?? 0) + 1);
        if (kind === 'full_name') {
          if (this.nameFirstKind < 0) this.nameFirstKind = this.batch.kind(NAME_FIRST_KIND, 'weak');
          this.hasher.hash(NAME_FIRST_KIND, norm.slice(0, norm.indexOf(' ')));
          this.batch.add(cust, this.nameFirstKind, this.hasher.hi, this.hasher.lo);
          if (this.nameLastKind < 0) this.nameLastKind = this.batch.kind(NAME_LAST_KIND, 'weak');
          for (const key of surnameKeys(norm)) {
            this.hasher.hash(NAME_LAST_KIND, key);
            this.batch.add(cust, this.nameLastKind, this.hasher.hi, this.hasher.lo);
          }
        }
        if (kind === 'email') {
          const domain = emailDomain(norm);
          this.batch.domains.add(domain);
          this.hasher.hash(DOMAIN_KIND, domain);
          this.batch.add(cust, this.domainKind, this.hasher.hi, this.hasher.lo);
        }
      }
    }
  }

  /**
   * An address cell: its base keys (street + number), unit keys beside them, and, when it cannot be taken apart
   * (or has words the base keys leave out), its folded words as written (src/directory/address.ts). Never dropped
   * while it holds a word.
   */
  private address(row: number, header: string, cust: number, k: number, raw: string): void {
    const keys = addressKeys(raw);
    if (!keys) {
      this.bad(row, header, 'not a valid address (no word)');
      return;
    }
    const add = (kindIndex: number, kind: string, value: string): void => {
      this.hasher.hash(kind, value);
      this.batch.add(cust, kindIndex, this.hasher.hi, this.hasher.lo);
    };
    for (const base of keys.bases) {
      add(k, 'address', base);
      if (keys.unit.length) {
        const u = this.batch.kind(ADDRESS_UNIT_KIND, 'weak');
        for (const key of unitKeys(base, keys.unit)) add(u, ADDRESS_UNIT_KIND, key);
      }
    }
    // the street without its type word, and with it in any place (src/directory/address.ts, bareKeys)
    for (const b of keys.bare) {
      add(this.batch.kind(ADDRESS_BARE_KIND, 'weak'), ADDRESS_BARE_KIND, b.bare);
      add(this.batch.kind(ADDRESS_TYPED_KIND, 'weak'), ADDRESS_TYPED_KIND, b.typed);
      if (keys.unit.length) {
        const u = this.batch.kind(ADDRESS_UNIT_KIND, 'weak');
        for (const key of unitKeys(b.bare, keys.unit)) add(u, ADDRESS_UNIT_KIND, key);
      }
    }
    if (keys.asWritten !== null) {
      add(k, 'address', keys.asWritten);
      const space = keys.asWritten.indexOf(' ');
      add(
        this.batch.kind(ADDRESS_FIRST_KIND, 'weak'),
        ADDRESS_FIRST_KIND,
        space < 0 ? keys.asWritten : keys.asWritten.slice(0, space),
      );
      if (keys.bases.length === 0) this.addressesAsWritten++;
    }
    this.perKind.set('address', (this.perKind.get('address') ?? 0) + 1);
  }

  values(): Record<string, number> {
    return Object.fromEntries([...this.perKind].sort());
  }
}

async function readCsv(file: string, sink: RowConsumer, extras: readonly ExtraMapping[]): Promise<void> {
  const source = createReadStream(file);
  const parser = source.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: false }));
  source.on('error', (err) => parser.destroy(err));
  let columns: (ColumnMapping | null)[] | null = null;
  let row = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    if (!columns) {
      columns = mapHeaders(record, extras);
      if (!columns.some((c) => c?.role === 'id')) {
        throw new PostguardError(
          ErrorCodes.DIRECTORY_IMPORT,
          'directory file has no customer id column (customer_id or id)',
        );
      }
      continue;
    }
    sink.row(++row, columns, record);
  }
  if (!columns) throw new PostguardError(ErrorCodes.DIRECTORY_IMPORT, 'directory file is empty (no header row)');
}

async function readJsonl(file: string, sink: RowConsumer, extras: readonly ExtraMapping[]): Promise<void> {
  const source = createReadStream(file);
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  source.on('error', (err) => lines.emit('error', err));
  let line = 0;
  const mappingCache = new Map<string, (ColumnMapping | null)[]>();
  for await (const text of lines) {
    line++;
    if (!text.trim()) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      sink.skip(line, 'not valid JSON');
      continue;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      sink.skip(line, 'not a JSON object');
      continue;
    }
    const keys = Object.keys(obj);
    const sig = keys.join('\0');
    let columns = mappingCache.get(sig);
    if (!columns) {
      columns = mapHeaders(keys, extras);
      mappingCache.set(sig, columns);
    }
    const rec = obj as Record<string, unknown>;
    const cells = keys.map((k) => {
      const v = rec[k];
      if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(String);
      return v === null || v === undefined ? '' : String(v);
    });
    sink.row(line, columns, cells);
  }
}

/** A CSV or JSON Lines file as a row source. */
export function fileSource(file: string, format?: ImportFormat): RowSource {
  const fmt = detectFormat(file, format);
  return {
    label: file,
    format: fmt,
    async feed(sink, extras) {
      try {
        if (!(await stat(file)).isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
        if (fmt === 'csv') await readCsv(file, sink, extras);
        else await readJsonl(file, sink, extras);
      } catch (err) {
        if (err instanceof PostguardError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        // csv-parse errors quote the offending input: keep only the code and line, never the message.
        const line = (err as { lines?: number }).lines;
        throw new PostguardError(
          ErrorCodes.DIRECTORY_IMPORT,
          `cannot read directory file (${code ?? 'error'}${line ? ` at line ${line}` : ''})`,
          { details: { code } },
        );
      }
    },
  };
}

/**
 * Reads every row of `source` into a new batch (nothing is applied to a directory here). The caller owns the
 * batch's run files (`dispose`); when reading fails they are removed here.
 */
export async function importRows(
  source: RowSource,
  hasher: KeyedHasher,
  opts: Omit<ImportOptions, 'format'>,
): Promise<ImportResult> {
  const sink = new RowSink(hasher, opts.defaultRegion, opts.spill);
  try {
    await source.feed(sink, opts.extras);
    sink.batch.finish();
  } catch (err) {
    sink.batch.dispose();
    throw err;
  }
  return {
    batch: sink.batch,
    report: {
      file: source.label,
      format: source.format,
      rowsRead: sink.rows,
      customers: sink.batch.customers,
      values: sink.values(),
      skipped: sink.skipped,
      skippedRows: sink.skippedRows,
      invalid: sink.invalid,
      invalidValues: sink.invalidValues,
      addressesAsWritten: sink.addressesAsWritten,
    },
  };
}

export function importFile(file: string, hasher: KeyedHasher, opts: ImportOptions): Promise<ImportResult> {
  const { format, ...rest } = opts;
  return importRows(fileSource(file, format), hasher, rest);
}
