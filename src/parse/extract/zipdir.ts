/**
 * A ZIP central-directory reader and a bounded inflater. fflate's one-shot unzip would allocate a zip bomb's
 * whole output; here each member is inflated in small input slices and stopped as soon as the byte budget is
 * spent, so memory stays bounded by the budget.
 */
import { Inflate } from 'fflate';

export interface ZipEntry {
  name: string;
  /** General-purpose flags; bit 0 = encrypted. */
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  isDir: boolean;
  encrypted: boolean;
  /** ZIP64 sizes/offsets, which this reader does not follow. */
  zip64: boolean;
}

export type ZipDir = { ok: true; entries: ZipEntry[]; total: number } | { ok: false; error: string };

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Reads the central directory (at most `maxEntries` entries are returned; `total` is the declared count). */
export function listZip(b: Uint8Array, maxEntries = Number.MAX_SAFE_INTEGER): ZipDir {
  if (b.length < 22) return { ok: false, error: 'zip: too short' };
  const dv = view(b);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (dv.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { ok: false, error: 'zip: no end of central directory' };
  const total = dv.getUint16(eocd + 10, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  if (total === 0xffff || cdOffset === 0xffffffff) return { ok: false, error: 'zip: zip64 archive' };
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  const dec = new TextDecoder('utf-8');
  for (let k = 0; k < total && entries.length < maxEntries; k++) {
    if (p + 46 > b.length || dv.getUint32(p, true) !== CEN_SIG)
      return { ok: false, error: 'zip: bad central directory' };
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const compressedSize = dv.getUint32(p + 20, true);
    const size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const localOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen > b.length) return { ok: false, error: 'zip: bad central directory' };
    const rawName = b.subarray(p + 46, p + 46 + nameLen);
    const name = flags & 0x800 ? dec.decode(rawName) : Buffer.from(rawName).toString('latin1');
    const zip64 = compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff;
    entries.push({
      name,
      flags,
      method,
      compressedSize,
      size,
      localOffset,
      isDir: name.endsWith('/'),
      encrypted: (flags & 1) === 1,
      zip64,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return { ok: true, entries, total };
}

export type InflateResult =
  | { ok: true; data: Uint8Array }
  | { ok: false; reason: 'size-limit' | 'encrypted' | 'unsupported' | 'extract-error'; detail: string };

const SLICE = 4 * 1024; // deflate expands at most ~1032:1, so one slice yields at most ~4 MiB

/**
 * Inflates one member, giving up once more than `budget` bytes come out. With `keep` false the output is only
 * counted (used to check a package before a library opens it).
 */
export function readEntry(
  b: Uint8Array,
  e: ZipEntry,
  budget: number,
  keep = true,
): InflateResult & { produced: number } {
  if (e.encrypted) return { ok: false, reason: 'encrypted', detail: 'zip: encrypted member', produced: 0 };
  if (e.zip64) return { ok: false, reason: 'unsupported', detail: 'zip: zip64 member', produced: 0 };
  const dv = view(b);
  const lo = e.localOffset;
  if (lo + 30 > b.length || dv.getUint32(lo, true) !== LOC_SIG)
    return { ok: false, reason: 'extract-error', detail: 'zip: bad local header', produced: 0 };
  const start = lo + 30 + dv.getUint16(lo + 26, true) + dv.getUint16(lo + 28, true);
  const end = start + e.compressedSize;
  if (end > b.length)
    return { ok: false, reason: 'extract-error', detail: 'zip: member past end of archive', produced: 0 };
  const input = b.subarray(start, end);
  if (e.method === 0) {
    if (input.length > budget)
      return { ok: false, reason: 'size-limit', detail: `zip: decompressed bytes > limit`, produced: input.length };
    return { ok: true, data: input, produced: input.length };
  }
  if (e.method !== 8)
    return { ok: false, reason: 'unsupported', detail: `zip: compression method ${e.method}`, produced: 0 };
  if (e.size > budget)
    return { ok: false, reason: 'size-limit', detail: 'zip: decompressed bytes > limit', produced: 0 };
  const chunks: Uint8Array[] = [];
  let produced = 0;
  let over = false;
  let failed: string | null = null;
  const inf = new Inflate((chunk) => {
    produced += chunk.length;
    if (produced > budget) over = true;
    else if (keep) chunks.push(chunk);
  });
  try {
    for (let off = 0; off < input.length && !over; off += SLICE) {
      const last = off + SLICE >= input.length;
      inf.push(input.subarray(off, Math.min(off + SLICE, input.length)), last);
    }
  } catch {
    failed = 'zip: corrupt deflate data';
  }
  if (over) return { ok: false, reason: 'size-limit', detail: 'zip: decompressed bytes > limit', produced };
  if (failed) return { ok: false, reason: 'extract-error', detail: failed, produced };
  if (!keep) return { ok: true, data: new Uint8Array(0), produced };
  if (chunks.length === 1) return { ok: true, data: chunks[0]!, produced };
  const data = new Uint8Array(produced);
  let o = 0;
  for (const c of chunks) {
    data.set(c, o);
    o += c.length;
  }
  return { ok: true, data, produced };
}
