/**
 * Which directory column holds which kind of value, and how strong each kind is as evidence.
 */
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { Strength } from '../core/types.js';

/** Special column roles that are not personal-data kinds. */
export type ColumnRole = 'id' | 'country';

export interface ColumnMapping {
  /** Lower-cased header name. */
  header: string;
  role: ColumnRole | 'kind';
  kind?: string;
  strength?: Strength;
}

/** Default header names (case-insensitive) → kind. */
const DEFAULT_HEADERS: Record<string, ColumnRole | string> = {
  customer_id: 'id',
  id: 'id',
  full_name: 'full_name',
  name: 'full_name',
  email: 'email',
  phone: 'phone',
  street: 'address',
  address: 'address',
  city: 'city',
  postal_code: 'postal_code',
  zip: 'postal_code',
  country: 'country',
  imei: 'imei',
  order_id: 'order_id',
  order: 'order_id',
  invoice: 'order_id',
  card: 'card',
  card_number: 'card',
  iban: 'iban',
};

/** Default strength per kind (docs/DESIGN.md, "What the decision means"): a full name alone is weak; postal code and city are context only. */
const DEFAULT_STRENGTH: Record<string, Strength> = {
  full_name: 'weak',
  postal_code: 'weak',
  city: 'weak',
};

export function defaultStrength(kind: string): Strength {
  return DEFAULT_STRENGTH[kind] ?? 'strong';
}

const KIND_NAME = /^[a-z][a-z0-9_]{0,39}$/;

export interface ExtraMapping {
  header: string;
  kind: string;
  strength: Strength;
}

/** Parses `HEADER=KIND[:strong|weak]`. Throws PostguardError CONFIG_INVALID (no values in messages). */
export function parseExtraMapping(spec: string): ExtraMapping {
  const m = /^\s*([^=]+?)\s*=\s*([A-Za-z0-9_]+)\s*(?::\s*(strong|weak)\s*)?$/.exec(spec);
  if (!m) {
    throw new PostguardError(ErrorCodes.CONFIG_INVALID, `directoryColumns: "${spec}" is not HEADER=KIND[:strong|weak]`);
  }
  const kind = m[2]!.toLowerCase();
  if (!KIND_NAME.test(kind) || kind === 'id' || kind === 'country') {
    throw new PostguardError(ErrorCodes.CONFIG_INVALID, `directoryColumns: invalid kind name "${kind}"`);
  }
  return { header: m[1]!.toLowerCase(), kind, strength: (m[3] as Strength | undefined) ?? defaultStrength(kind) };
}

/** Maps a header row to column roles. Unknown columns map to null (ignored). */
export function mapHeaders(headers: readonly string[], extras: readonly ExtraMapping[]): (ColumnMapping | null)[] {
  return headers.map((h) => {
    const header = h.trim().toLowerCase();
    const extra = extras.find((e) => e.header === header);
    if (extra) return { header, role: 'kind', kind: extra.kind, strength: extra.strength };
    const d = DEFAULT_HEADERS[header];
    if (d === undefined) return null;
    if (d === 'id' || d === 'country') return { header, role: d };
    return { header, role: 'kind', kind: d, strength: defaultStrength(d) };
  });
}

/** Splits a cell holding several values (`a; b | c`). */
export function splitCell(cell: string): string[] {
  if (!cell.includes(';') && !cell.includes('|')) {
    const t = cell.trim();
    return t ? [t] : [];
  }
  return cell
    .split(/[;|]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
