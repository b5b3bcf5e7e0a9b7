/**
 * The canonical address parser and its memo of recent inputs: a repeated input gets the same answer as the first
 * time (a refused address stays refused), also after the memo has turned over.
 */
import { describe, expect, it } from 'vitest';
import { canonicalAddress } from '../../src/core/address.js';
import { envelopeAddressOk } from '../../src/smtp/server.js';

describe('canonicalAddress', () => {
  it('canonicalises (case, IDNA, brackets) and refuses what is not one mailbox, the same way every time', () => {
    for (let round = 0; round < 3; round++) {
      expect(canonicalAddress('<Jane.Doe@Example.COM>')).toBe('jane.doe@example.com');
      expect(canonicalAddress('kündé@exämple.com')).toBe('kündé@xn--exmple-cua.com');
      expect(canonicalAddress('"a@b"@c.com')).toBe('"a@b"@c.com');
      expect(canonicalAddress('a@b@c.com')).toBeNull();
      expect(canonicalAddress('jane@example.com\r\nRCPT TO:<x@y.z>')).toBeNull();
      expect(canonicalAddress('@relay.example:jane@example.com')).toBeNull();
    }
  });

  it('gives the same answers after thousands of other addresses went through the memo', () => {
    const first = ['MAX@example.org', 'not an address', 'x@localhost'].map(canonicalAddress);
    for (let i = 0; i < 10_000; i++) canonicalAddress(`user${i}@example${i % 7}.com`);
    expect(['MAX@example.org', 'not an address', 'x@localhost'].map(canonicalAddress)).toEqual(first);
    expect(first).toEqual(['max@example.org', null, null]);
    expect(canonicalAddress('user9999@example3.com')).toBe('user9999@example3.com');
  });
});

describe('envelopeAddressOk', () => {
  it('refuses an address two parsers read differently, on every attempt', () => {
    for (let round = 0; round < 3; round++) {
      expect(envelopeAddressOk('jane@example.com')).toBe(true);
      expect(envelopeAddressOk('')).toBe(true); // the null sender
      expect(envelopeAddressOk('jane@example.com,max@example.org')).toBe(false);
      expect(envelopeAddressOk('Jane <jane@example.com>')).toBe(false);
    }
  });
});
