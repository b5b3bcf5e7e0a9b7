import { describe, expect, it } from 'vitest';
import { isTransactionId, newTransactionId } from '../../src/core/ids.js';

describe('transaction ids', () => {
  it('are 22 Crockford base32 characters, unique, and sort by time', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50_000; i++) ids.add(newTransactionId(1_700_000_000_000));
    expect(ids.size).toBe(50_000); // 60 random bits: no collision among ids of the same millisecond
    for (const id of [...ids].slice(0, 100)) expect(isTransactionId(id)).toBe(true);
    const earlier = newTransactionId(1_700_000_000_000);
    const later = newTransactionId(1_700_000_000_001);
    expect(earlier < later).toBe(true);
    expect(isTransactionId('01M80JMVFHYV553PJBP6SI')).toBe(false); // I is not in the alphabet
  });

  it('use every character of the alphabet in the random part', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) for (const c of newTransactionId().slice(10)) seen.add(c);
    expect(seen.size).toBe(32);
  });
});
