import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../../bench/lib/prng.js';
import { compareUtf8, IdList, IdTable } from '../../src/directory/id-list.js';

/** Characters from every UTF-8 length, both sides of the UTF-16/code-point order difference (U+E000+ vs astral). */
const ALPHABET = ['a', 'Z', '0', '-', 'é', 'ß', 'Ω', '中', '\uE000', '\uFF5E', '\uFFFD', '😀', '𝄞', '\u{10FFFD}'];

function randomString(r: () => number, max: number): string {
  const n = r() % (max + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[r() % ALPHABET.length];
  return s;
}

const jsOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('compareUtf8', () => {
  it('orders UTF-8 bytes exactly as JS orders the strings (UTF-16 code units)', () => {
    const r = rng(11);
    let wrong = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = randomString(r, 6);
      // every third pair shares a prefix, so the difference falls after multi-byte characters
      const chars = [...a]; // whole code points: a cut surrogate pair would not be the same string in UTF-8
      const b =
        i % 3 === 0 ? chars.slice(0, r() % (chars.length + 1)).join('') + randomString(r, 3) : randomString(r, 6);
      const x = Buffer.from(a, 'utf8');
      const y = Buffer.from(b, 'utf8');
      if (Math.sign(compareUtf8(x, 0, x.length, y, 0, y.length)) !== jsOrder(a, b)) wrong++;
    }
    expect(wrong).toBe(0);
    // the one place byte order and JS order disagree
    const bmp = Buffer.from('\uFF5E');
    const astral = Buffer.from('😀');
    expect(compareUtf8(astral, 0, astral.length, bmp, 0, bmp.length)).toBeLessThan(0);
    expect(Buffer.compare(astral, bmp)).toBeGreaterThan(0);
  });
});

describe('IdTable', () => {
  const cases: [string, string[]][] = [
    [
      'ids of one length (no offsets kept)',
      Array.from({ length: 500 }, (_, i) => `C${String(i * 7).padStart(8, '0')}`),
    ],
    [
      'ids of every length 1–40, ASCII',
      Array.from({ length: 40 }, (_, i) => 'k'.repeat(i) + String.fromCharCode(65 + (i % 26))),
    ],
    [
      'ids with multi-byte and astral characters',
      (() => {
        const r = rng(5);
        return [...new Set(Array.from({ length: 800 }, () => randomString(r, 8)).filter(Boolean))];
      })(),
    ],
  ];
  for (const [what, raw] of cases) {
    it(`gives back and finds every id: ${what}`, () => {
      const ids = [...raw].sort(jsOrder);
      const t = IdTable.fromStrings(ids);
      expect(t.length).toBe(ids.length);
      expect(t.toArray()).toEqual(ids);
      expect(t.bytes.toString('utf8')).toBe(ids.join('\n'));
      let wrong = 0;
      ids.forEach((id, i) => {
        if (t.get(i) !== id || t.find(id) !== i) wrong++;
      });
      expect(wrong).toBe(0);
      for (const missing of ['', 'C', 'zzzz', `${ids[0]}x`, '😀😀😀😀😀😀😀😀😀']) {
        if (!ids.includes(missing)) expect(t.find(missing)).toBe(-1);
      }
      const back = IdTable.fromBlock(Buffer.from(t.bytes), ids.length)!;
      expect(back.toArray()).toEqual(ids);
      expect(IdTable.fromBlock(Buffer.from(t.bytes), ids.length + 1)).toBeNull();
    });
  }

  it('keeps no offsets when every id is as long', () => {
    const same = IdTable.fromStrings(['A1', 'B2', 'C3']);
    expect(same.width).toBe(3);
    expect(same.byteLength).toBe(same.bytes.length);
    const mixed = IdTable.fromStrings(['A1', 'B22', 'C3']);
    expect(mixed.width).toBe(0);
    expect(mixed.get(1)).toBe('B22');
    expect(IdTable.fromStrings([]).length).toBe(0);
  });
});

describe('IdList', () => {
  it('appends ids, skipping one equal to the last; compares, compacts and frees', () => {
    const l = new IdList(2);
    const added = ['b', 'b', 'a', 'é', 'é', 'b', 'x'.repeat(300), '😀'].map((id) => l.pushUnlessLast(id));
    expect(added).toEqual([true, false, true, true, false, true, true, true]);
    expect(l.toArray()).toEqual(['b', 'a', 'é', 'b', 'x'.repeat(300), '😀']);
    expect(l.equal(0, 3)).toBe(true);
    expect(l.equal(0, 1)).toBe(false);
    expect(Math.sign(l.compare(0, 1))).toBe(1);
    expect(Math.sign(l.compare(5, 2))).toBe(jsOrder('😀', 'é'));
    expect(l.idBytes).toBe(Buffer.byteLength(l.toArray().join('')));
    l.compact(Uint8Array.of(1, 0, 1, 0, 1, 1));
    expect(l.toArray()).toEqual(['b', 'é', 'x'.repeat(300), '😀']);
    expect(l.get(1)).toBe('é');
    l.clear();
    expect(l.length).toBe(0);
  });
});
