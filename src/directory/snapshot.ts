/**
 * Binary snapshot of a CompactIndex (the embedded store's file and the Redis store's chunks).
 *
 *   "PGDIR\0\0\x01"   magic + format version
 *   u32 LE            header length, then header JSON (version, key format, secret check, kinds, strengths, regions,
 *                     email domains used by ≥ 3 customers, array lengths)
 *   u32 LE            ids length, then customer ids joined by '\n' (UTF-8)
 *   keys (interleaved hi/lo), ref, overflow (Uint32 LE), kind, region (Uint8), each preceded by its u32 length
 *
 * Nothing in it is a plaintext customer value: hashes, internal customer ids, kind names, ISO-2 regions and the
 * non-identifying popular email domains.
 */
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { Strength } from '../core/types.js';
import { CompactIndex } from './compact-index.js';
import { IdTable } from './id-list.js';
import { KEY_FORMAT } from './key-format.js';

const MAGIC = Buffer.from('PGDIR\0\0\x01', 'latin1');

export interface SnapshotHeader {
  version: string;
  /** Key format (key-format.ts) of the hashed values; absent in snapshots written before it existed (= 1). */
  keyFormat?: number;
  /** HMAC check value of the secret: detects opening a store with a different secret. */
  secretCheck: string;
  createdAt: string;
  kinds: string[];
  strengths: Record<string, Strength>;
  regions: string[];
  emailDomains: string[];
  digitless?: string[];
  customers: number;
  values: number;
  overflow: number;
  /** Redis store: id of the last change-stream entry folded into this snapshot. */
  streamId?: string;
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(n, 0);
  return b;
}

function bytesOf(a: Uint32Array | Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Serialises to a list of buffers (written or sent in order, no big concatenation). */
export function encodeSnapshot(
  index: CompactIndex,
  meta: { version: string; secretCheck: string; streamId?: string },
): Buffer[] {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new PostguardError(ErrorCodes.DIRECTORY, 'big-endian hosts are not supported');
  }
  const p = index.parts();
  const header: SnapshotHeader = {
    version: meta.version,
    keyFormat: KEY_FORMAT,
    secretCheck: meta.secretCheck,
    createdAt: new Date().toISOString(),
    kinds: p.kinds,
    strengths: p.strengths,
    regions: p.regions,
    emailDomains: p.emailDomains,
    digitless: p.digitless,
    customers: p.ids.length,
    values: p.keys.length / 2,
    overflow: p.overflow.length,
    ...(meta.streamId ? { streamId: meta.streamId } : {}),
  };
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const ids = p.ids.bytes; // ids joined by '\n' (id-list.ts IdTable)
  const out: Buffer[] = [MAGIC, u32(h.length), h, u32(ids.length), ids];
  for (const a of [p.keys, p.ref, p.overflow, p.kind, p.region]) out.push(u32(a.byteLength), bytesOf(a));
  return out;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  take(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw corrupt('truncated');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  u32(): number {
    return this.take(4).readUInt32LE(0);
  }
  block(): Buffer {
    return this.take(this.u32());
  }
}

function corrupt(why: string): PostguardError {
  return new PostguardError(ErrorCodes.DIRECTORY, `directory snapshot is corrupt (${why})`);
}

function u32Array(b: Buffer, expect: number): Uint32Array {
  if (b.length !== expect * 4) throw corrupt('array length');
  const a = new Uint32Array(expect);
  new Uint8Array(a.buffer).set(b);
  return a;
}

function u8Array(b: Buffer, expect: number): Uint8Array {
  if (b.length !== expect) throw corrupt('array length');
  return Uint8Array.from(b);
}

export function readSnapshotHeader(buf: Buffer): SnapshotHeader {
  const r = new Reader(buf);
  if (!r.take(MAGIC.length).equals(MAGIC)) throw corrupt('bad magic');
  try {
    return JSON.parse(r.block().toString('utf8')) as SnapshotHeader;
  } catch (err) {
    if (err instanceof PostguardError) throw err;
    throw corrupt('header');
  }
}

export function decodeSnapshot(buf: Buffer): { header: SnapshotHeader; index: CompactIndex } {
  const header = readSnapshotHeader(buf);
  const r = new Reader(buf);
  r.take(MAGIC.length);
  r.block();
  const ids = IdTable.fromBlock(Buffer.from(r.block()), header.customers); // a copy: `buf` is not kept
  if (!ids) throw corrupt('customer count');
  const keys = u32Array(r.block(), header.values * 2);
  const ref = u32Array(r.block(), header.values);
  const overflow = u32Array(r.block(), header.overflow);
  const kind = u8Array(r.block(), header.values);
  const region = u8Array(r.block(), header.customers);
  const index = new CompactIndex({
    kinds: header.kinds,
    strengths: header.strengths,
    regions: header.regions,
    emailDomains: header.emailDomains,
    digitless: header.digitless ?? [],
    ids,
    keys,
    kind,
    ref,
    overflow,
    region,
  });
  return { header, index };
}
