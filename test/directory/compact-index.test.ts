import { describe, expect, it } from 'vitest';
import { CompactIndex } from '../../src/directory/compact-index.js';
import { decodeSnapshot, encodeSnapshot } from '../../src/directory/snapshot.js';
import { mulberry32 as rng } from '../../bench/lib/prng.js';

/** An index of `m` distinct sorted keys (some sharing `hi`, some at the extremes), one customer per key. */
function build(m: number, seed: number): { index: CompactIndex; keys: [number, number][] } {
  const r = rng(seed);
  const set = new Map<string, [number, number]>();
  const extremes: [number, number][] = [
    [0, 0],
    [0, 1],
    [0xffffffff, 0xffffffff],
    [0xffffffff, 0],
    [0x80000000, 5],
  ];
  for (const k of extremes.slice(0, Math.min(m, extremes.length))) set.set(`${k[0]}:${k[1]}`, k);
  let lastHi = 0;
  while (set.size < m) {
    const hi = set.size % 5 === 0 ? lastHi : r(); // every fifth key shares `hi` with another
    const k: [number, number] = [hi, r()];
    set.set(`${k[0]}:${k[1]}`, k);
    lastHi = hi;
  }
  const keys = [...set.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const flat = new Uint32Array(2 * m);
  keys.forEach(([h, l], i) => {
    flat[2 * i] = h;
    flat[2 * i + 1] = l;
  });
  const ids = Array.from({ length: m }, (_, i) => `C${String(i).padStart(6, '0')}`);
  const index = new CompactIndex({
    kinds: ['email', 'phone'],
    strengths: {},
    regions: [''],
    emailDomains: [],
    digitless: [],
    ids,
    keys: flat,
    kind: Uint8Array.from({ length: m }, (_, i) => i % 2),
    ref: Uint32Array.from({ length: m }, (_, i) => i),
    overflow: new Uint32Array(0),
    region: new Uint8Array(m),
  });
  return { index, keys };
}

describe('compact index probe', () => {
  for (const m of [0, 1, 2, 3, 17, 1000, 50_000, 300_000]) {
    it(`finds every stored hash and nothing else (${m} values)`, () => {
      const { index, keys } = build(m, m + 1);
      expect(index.size).toBe(m);
      let wrong = 0;
      keys.forEach(([h, l], i) => {
        if (index.find(h, l) !== i) wrong++;
        else if (index.lookupHash(h, l)[0] !== `C${String(i).padStart(6, '0')}`) wrong++;
        else if (index.kinds[index.kind[i]!] !== (i % 2 ? 'phone' : 'email')) wrong++;
      });
      expect(wrong).toBe(0);
      const present = new Set(keys.map(([h, l]) => `${h}:${l}`));
      const r = rng(99);
      const near: [number, number][] = [];
      for (const [h, l] of keys.slice(0, 2000)) near.push([h, (l + 1) >>> 0], [h, (l - 1) >>> 0], [(h + 1) >>> 0, l]);
      for (let i = 0; i < 5000; i++) near.push([r(), r()]);
      let found = 0;
      for (const [h, l] of near) if (!present.has(`${h}:${l}`) && index.find(h, l) !== -1) found++;
      expect(found).toBe(0);
    });
  }

  it('round-trips through the snapshot format (separate arrays)', () => {
    const { index, keys } = build(5000, 7);
    const buf = Buffer.concat(encodeSnapshot(index, { version: 'v1', secretCheck: 'x' }));
    const back = decodeSnapshot(buf).index;
    expect(back.size).toBe(5000);
    expect(back.keys).toEqual(index.keys);
    expect(back.ref).toEqual(index.ref);
    for (const [h, l] of keys.slice(0, 100)) expect(back.find(h, l)).toBe(index.find(h, l));
  });
});
