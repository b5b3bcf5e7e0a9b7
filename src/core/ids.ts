import { randomBytes } from 'node:crypto';

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
  const rnd = randomBytes(8);
  let bits = rnd.readBigUInt64BE();
  for (let i = 0; i < 12; i++) {
    out += ALPHABET[Number(bits & 31n)];
    bits >>= 5n;
  }
  return out;
}

export function isTransactionId(s: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{22}$/.test(s);
}
