import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailMatches } from '../../src/detect/recognizers.js';

/** The global-regex scan that emailMatches replaces. */
function reference(text: string): [number, string][] {
  const re = /(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+/g;
  return [...text.matchAll(re)].map((m) => [m.index, m[0]]);
}

const PIECES = ['a', 'b', 'Z', '0', '9', '.', '..', '-', '_', '%', '+', "'", '@', '@', ' ', ',', '<', '>', 'é', 'x'.repeat(30), 'y'.repeat(63), 'mail.example.com', '\n'];

describe('emailMatches', () => {
  it('finds exactly what the global e-mail regex finds', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect([...emailMatches(text)].map((m) => [m.index, m[0]])).toEqual(reference(text));
      }),
      { numRuns: 5000, seed: 20261122 },
    );
  });

  it('finds addresses in a reply and ignores a local part longer than 64 characters', () => {
    const text = `On Fri, Liam <liam.khan.42@gmail.com> wrote: cc 'ops'@support.example, ${'z'.repeat(65)}@x.example`;
    expect([...emailMatches(text)].map((m) => m[0])).toEqual(['liam.khan.42@gmail.com', "'ops'@support.example"]);
  });

  it('stays linear on a megabyte of at-signs and letters', () => {
    const text = 'a@'.repeat(500_000);
    const t0 = performance.now();
    expect([...emailMatches(text)].length).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
