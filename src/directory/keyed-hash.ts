/**
 * Keyed hash of directory values: HMAC-SHA256(secret, kind + '\0' + normalized), truncated to the first 8 bytes
 * (64 bits), returned as two unsigned 32-bit halves (no BigInt on the hot path).
 *
 * Why not node:crypto: createHmac costs ~1.7 µs per call, mostly call overhead; the lookup target is
 * ≥ 1,000,000/s. With the inner and outer pads' midstates computed once per secret, a short value costs two
 * SHA-256 compression-function calls. They run in a small WebAssembly module (wasm/sha256.wat, embedded as
 * base64 in wasm/sha256-module.ts; ~0.45 µs per short value idle) or, where WebAssembly is unavailable, in the
 * plain-JS implementation below (~0.65 µs). Both are bit-for-bit HMAC-SHA256 (the tests compare them with
 * node:crypto over random inputs).
 *
 * Collisions: with n = 8·10⁶ stored values the chance that any two distinct values share a 64-bit hash is about
 * n²/2⁶⁵ ≈ 1.7·10⁻⁶, and the chance that a given unknown value hits some stored hash is n/2⁶⁴ ≈ 4·10⁻¹³.
 */
import { SHA256_WASM_BASE64 } from './wasm/sha256-module.js';

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** One SHA-256 compression of the 64-byte block at `buf[off..]` into `state`. */
function compress(state: Int32Array, buf: Uint8Array, off: number, w: Int32Array): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    w[i] = (buf[j]! << 24) | (buf[j + 1]! << 16) | (buf[j + 2]! << 8) | buf[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!,
    b = state[1]!,
    c = state[2]!,
    d = state[3]!;
  let e = state[4]!,
    f = state[5]!,
    g = state[6]!,
    h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

const encoder = new TextEncoder();

/** UTF-8 encodes `s` into `buf` at `pos` (ASCII fast path); returns the end position. */
function writeUtf8(s: string, buf: Uint8Array, pos: number): number {
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return pos - i + encoder.encodeInto(s, buf.subarray(pos - i)).written;
    buf[pos++] = c;
  }
  return pos;
}

/** A 64-bit keyed hash as two unsigned halves. */
export interface Hash64 {
  hi: number;
  lo: number;
}

// Minimal typing of the WebAssembly global (not in the ES2023 lib; absent on some embedded runtimes).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface Sha256Exports {
  memory: WasmMemory;
  /** HMAC of the message at (off, len), padded in place; returns MAC word 0, word 1 is at STATE + 4. */
  hmac(off: number, len: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** Offsets in the module's memory (see wasm/sha256.wat). */
const IMID = 512;
const OMID = 544;
const STATE = 576;
const MSG = 1024;
/** Bytes the in-place padding may write after a message. */
const PAD = 72;

let compiled: object | null | undefined;

/** The compiled SHA-256 module, or null when WebAssembly is unavailable (compiled once per process). */
function sha256Module(): object | null {
  if (compiled === undefined) {
    try {
      const W = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
      compiled = W ? new W.Module(Buffer.from(SHA256_WASM_BASE64, 'base64')) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export interface KeyedHasherOptions {
  /** Use the WebAssembly implementation when available (default true); false forces plain JS. */
  wasm?: boolean;
}

export class KeyedHasher {
  private readonly innerMid = new Int32Array(8);
  private readonly outerMid = new Int32Array(8);
  private readonly state = new Int32Array(8);
  private readonly w = new Int32Array(64);
  private buf = new Uint8Array(256);
  private readonly outer = new Uint8Array(64);
  private readonly wasm: Sha256Exports | null = null;
  /** Views over the wasm memory (one page, never grown). */
  private mem = new Uint8Array(0);
  private words = new Int32Array(0);
  /** The kind whose bytes + '\0' are at MSG..kindEnd in the wasm memory (the detector repeats kinds). */
  private lastKind: string | undefined;
  private kindEnd = MSG;
  /** Which implementation `hash` uses. */
  readonly engine: 'wasm' | 'js';
  /** Result of the last `hash` call. */
  hi = 0;
  lo = 0;

  constructor(secret: Uint8Array, opts: KeyedHasherOptions = {}) {
    let key = secret;
    if (key.length > 64) {
      const s = IV.slice();
      key = this.digestPlain(s, key);
    }
    const ipad = new Uint8Array(64).fill(0x36);
    const opad = new Uint8Array(64).fill(0x5c);
    for (let i = 0; i < key.length; i++) {
      ipad[i] = ipad[i]! ^ key[i]!;
      opad[i] = opad[i]! ^ key[i]!;
    }
    this.innerMid.set(IV);
    compress(this.innerMid, ipad, 0, this.w);
    this.outerMid.set(IV);
    compress(this.outerMid, opad, 0, this.w);
    // Outer message: 32-byte inner digest, 0x80, zeros, bit length of (64 + 32) bytes.
    this.outer[32] = 0x80;
    this.outer[62] = 0x03;
    this.outer[63] = 0x00;

    const mod = opts.wasm === false ? null : sha256Module();
    if (mod) {
      try {
        const W = (globalThis as { WebAssembly?: WasmApi }).WebAssembly!;
        this.wasm = new W.Instance(mod, {}).exports as Sha256Exports;
        this.mem = new Uint8Array(this.wasm.memory.buffer);
        this.words = new Int32Array(this.wasm.memory.buffer);
        this.words.set(this.innerMid, IMID >>> 2);
        this.words.set(this.outerMid, OMID >>> 2);
      } catch {
        this.wasm = null;
      }
    }
    this.engine = this.wasm ? 'wasm' : 'js';
  }

  /** Plain SHA-256 of `data` starting from `state` (used only for keys longer than a block). */
  private digestPlain(state: Int32Array, data: Uint8Array): Uint8Array {
    const len = data.length;
    const total = Math.ceil((len + 9) / 64) * 64;
    const b = new Uint8Array(total);
    b.set(data);
    b[len] = 0x80;
    const bits = len * 8;
    b[total - 4] = (bits >>> 24) & 0xff;
    b[total - 3] = (bits >>> 16) & 0xff;
    b[total - 2] = (bits >>> 8) & 0xff;
    b[total - 1] = bits & 0xff;
    for (let off = 0; off < total; off += 64) compress(state, b, off, this.w);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      out[i * 4] = state[i]! >>> 24;
      out[i * 4 + 1] = (state[i]! >>> 16) & 0xff;
      out[i * 4 + 2] = (state[i]! >>> 8) & 0xff;
      out[i * 4 + 3] = state[i]! & 0xff;
    }
    return out;
  }

  /** Hashes `kind + '\0' + value`; the result is in `this.hi` / `this.lo`. */
  hash(kind: string, value: string): void {
    const wasm = this.wasm;
    if (wasm === null) {
      this.hashJs(kind, value);
      return;
    }
    const mem = this.mem;
    // UTF-8 needs at most 3 bytes per UTF-16 code unit. Values that might not fit the module's 64 KiB page
    // (never normalised directory values) take the JS path.
    if (MSG + (kind.length + value.length) * 3 + 1 + PAD > mem.length) {
      this.hashJs(kind, value);
      return;
    }
    let n: number;
    if (kind === this.lastKind) n = this.kindEnd;
    else {
      n = writeUtf8(kind, mem, MSG);
      mem[n++] = 0;
      this.lastKind = kind;
      this.kindEnd = n;
    }
    n = writeUtf8(value, mem, n);
    this.hi = wasm.hmac(MSG, n - MSG) >>> 0;
    this.lo = this.words[(STATE + 4) >>> 2]! >>> 0;
  }

  /** The plain-JS implementation of `hash` (no WebAssembly, `{ wasm: false }`, or a value too long for wasm). */
  private hashJs(kind: string, value: string): void {
    const maxBytes = (kind.length + value.length) * 3 + 1 + PAD;
    if (this.buf.length < maxBytes) this.buf = new Uint8Array(Math.max(maxBytes, this.buf.length * 2));
    const buf = this.buf;
    let n = writeUtf8(kind, buf, 0);
    buf[n++] = 0;
    n = writeUtf8(value, buf, n);
    const msgLen = n;
    buf[n++] = 0x80;
    const padEnd = n <= 56 ? 56 : n + ((120 - (n % 64)) % 64);
    buf.fill(0, n, padEnd);
    n = padEnd;
    // Bit length of ipad block + message; messages are far below 2^29 bytes so the high word is 0.
    const bits = (64 + msgLen) * 8;
    buf[n++] = 0;
    buf[n++] = 0;
    buf[n++] = 0;
    buf[n++] = 0;
    buf[n++] = (bits >>> 24) & 0xff;
    buf[n++] = (bits >>> 16) & 0xff;
    buf[n++] = (bits >>> 8) & 0xff;
    buf[n++] = bits & 0xff;
    const s = this.state;
    s.set(this.innerMid);
    for (let off = 0; off < n; off += 64) compress(s, buf, off, this.w);
    const o = this.outer;
    for (let i = 0; i < 8; i++) {
      const v = s[i]!;
      o[i * 4] = v >>> 24;
      o[i * 4 + 1] = (v >>> 16) & 0xff;
      o[i * 4 + 2] = (v >>> 8) & 0xff;
      o[i * 4 + 3] = v & 0xff;
    }
    s.set(this.outerMid);
    compress(s, o, 0, this.w);
    this.hi = s[0]! >>> 0;
    this.lo = s[1]! >>> 0;
  }

  /** Convenience: the 64-bit hash as a bigint (tests, tooling; not the hot path). */
  hash64(kind: string, value: string): bigint {
    this.hash(kind, value);
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}
