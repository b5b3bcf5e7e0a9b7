import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RecentMap, RecentSet } from '../../src/core/recent.js';

describe('RecentSet / RecentMap', () => {
  it('keep at least the last `generation` keys and at most twice as many', () => {
    const s = new RecentSet<number>(100);
    for (let i = 0; i < 1_000; i++) s.add(i);
    for (let i = 900; i < 1_000; i++) expect(s.has(i)).toBe(true); // the last 100
    expect(s.has(799)).toBe(false); // older than two generations
    let kept = 0;
    for (let i = 0; i < 1_000; i++) if (s.has(i)) kept++;
    expect(kept).toBeGreaterThanOrEqual(100);
    expect(kept).toBeLessThanOrEqual(200);
    s.clear();
    expect(s.has(999)).toBe(false);
  });

  it('map values survive one generation change, including null', () => {
    const m = new RecentMap<string, string | null>(2);
    m.set('a', null);
    m.set('b', '+14155550100');
    m.set('c', 'x'); // a and b move to the older generation
    expect(m.get('a')).toBeNull();
    expect(m.get('b')).toBe('+14155550100');
    m.set('d', 'y');
    m.set('e', 'z'); // a and b dropped
    expect(m.get('a')).toBeUndefined();
    expect(m.get('c')).toBe('x');
  });
});

describe('detachedCopy', () => {
  it('keeps the text but not the long string it was sliced from', () => {
    // 20 slices of 40 characters from 4 MB strings: kept as slices they hold ~80 MB; copies hold nothing of it.
    const recent = pathToFileURL(resolve('dist/src/core/recent.js')).href;
    const script = `const { detachedCopy } = await import(${JSON.stringify(recent)});
      const keep = [];
      for (let i = 0; i < 20; i++) {
        const big = ('x'.repeat(1 << 20) + i).repeat(4);
        keep.push(detachedCopy(big.slice(1000, 1040)));
      }
      globalThis.gc(); globalThis.gc();
      console.log(JSON.stringify({ mb: process.memoryUsage().heapUsed / 1048576, same: keep.every((k) => k === 'x'.repeat(40)) }));`;
    const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const out = JSON.parse(child.stdout) as { mb: number; same: boolean };
    expect(out.same).toBe(true);
    expect(out.mb).toBeLessThan(40);
  });
});
