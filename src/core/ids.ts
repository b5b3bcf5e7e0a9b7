import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

/**
 * Transaction id: 48-bit time (ms) + 60 random bits, Crockford base32, 22 chars, sortable by time.
 * Short enough for an agent to quote from a reject text, unique across relays.
 */
export function newTransactionId(now = Date.now()): string {
  let out = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  // 60 random bits as 12 characters: 6 from each of two 30-bit draws
  for (let half = 0; half < 2; half++) {
    let bits = randomUint32() >>> 2;
    for (let i = 0; i < 6; i++) {
      out += ALPHABET[bits & 31];
      bits >>>= 5;
    }
  }
  return out;
}

/** Random 32-bit values from a refilled pool: one getrandom call per 1,024 values, not one per id. */
const pool = new Uint32Array(1024);
let poolNext = pool.length;
function randomUint32(): number {
  if (poolNext === pool.length) {
    randomFillSync(pool);
    poolNext = 0;
  }
  return pool[poolNext++]!;
}

export function isTransactionId(s: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{22}$/.test(s);
}
