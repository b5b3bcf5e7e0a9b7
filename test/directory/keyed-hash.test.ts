import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyedHasher } from '../../src/directory/keyed-hash.js';
import { mulberry32Float as rng } from '../../bench/lib/prng.js';

/** A random string of about `bytes` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters (or ASCII only). */
function randomString(rand: () => number, bytes: number, asciiOnly: boolean): string {
  let s = '';
  let n = 0;
  while (n < bytes) {
    const r = asciiOnly ? 0 : rand();
    if (r < 0.6 || bytes - n < 4) {
      s += String.fromCharCode(1 + Math.floor(rand() * 127));
      n += 1;
    } else if (r < 0.75) {
      s += String.fromCharCode(0x80 + Math.floor(rand() * 0x780));
      n += 2;
    } else if (r < 0.9) {
      let c = 0x800 + Math.floor(rand() * 0xf7ff);
      if (c >= 0xd800 && c < 0xe000) c = 0x20ac;
      s += String.fromCharCode(c);
      n += 3;
    } else {
      s += String.fromCodePoint(0x10000 + Math.floor(rand() * 0xfffff));
      n += 4;
    }
  }
  return s;
}

function reference(key: Uint8Array, kind: string, value: string): [number, number] {
  const d = createHmac('sha256', key).update(`${kind}\0${value}`, 'utf8').digest();
  return [d.readUInt32BE(0), d.readUInt32BE(4)];
}

describe('keyed hash', () => {
  it('uses the WebAssembly implementation on Node', () => {
    expect(new KeyedHasher(randomBytes(32)).engine).toBe('wasm');
    expect(new KeyedHasher(randomBytes(32), { wasm: false }).engine).toBe('js');
  });

  it('wasm and JS match node:crypto bit for bit on random inputs (0..200 bytes, multi-block)', () => {
    const rand = rng(0x5eed);
    const kinds = ['email', 'phone', 'full_name', 'x', 'kundennummer', ''];
    let checked = 0;
    for (const keyLen of [0, 1, 20, 32, 63, 64, 65, 100, 200]) {
      const key = Uint8Array.from({ length: keyLen }, () => Math.floor(rand() * 256));
      const wasm = new KeyedHasher(key);
      const js = new KeyedHasher(key, { wasm: false });
      const kind = kinds[keyLen % kinds.length]!;
      for (let i = 0; i < 300; i++) {
        // Every total message length 0..200 bytes at least once per key (the block boundaries at 55/56/64,
        // 119/120/128 and 183/184/192 included), then random lengths with multi-byte characters.
        const k = i % 7 === 0 ? kind : kinds[i % kinds.length]!;
        const target = i <= 200 ? Math.max(0, i - k.length - 1) : Math.floor(rand() * 200);
        const v = randomString(rand, target, i <= 200 && i % 2 === 0);
        const [hi, lo] = reference(key, k, v);
        wasm.hash(k, v);
        expect([wasm.hi, wasm.lo], `wasm key ${keyLen} ${JSON.stringify(k)} ${JSON.stringify(v)}`).toEqual([hi, lo]);
        js.hash(k, v);
        expect([js.hi, js.lo], `js key ${keyLen} ${JSON.stringify(v)}`).toEqual([hi, lo]);
        checked++;
      }
    }
    expect(checked).toBe(9 * 300);
  });

  it('handles lone surrogates like node:crypto (U+FFFD) and very long values', () => {
    const key = randomBytes(32);
    const h = new KeyedHasher(key);
    for (const v of ['a\ud800b', '\udc00', 'x'.repeat(70_000), 'é'.repeat(30_000), '\u{1F600}'.repeat(50)]) {
      h.hash('custom', v);
      expect([h.hi, h.lo]).toEqual(reference(key, 'custom', v));
    }
    // The kind prefix kept in the module's memory survives a value hashed on the JS path.
    h.hash('custom', 'short');
    expect([h.hi, h.lo]).toEqual(reference(key, 'custom', 'short'));
  });
});
