/**
 * The canonical address parser and its memo of recent inputs: a repeated input gets the same answer as the first
 * time (a refused address stays refused), also after the memo has turned over.
 */
import { describe, expect, it } from 'vitest';
import { canonicalAddress, isInternalAddress, routesElsewhere } from '../../src/core/address.js';
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

describe('routing tricks (issue 17, class 9)', () => {
  const OURS = ['ourdomain.example'];

  it.each([
    'someone%evil.example@ourdomain.example',
    'evil.example!someone@ourdomain.example',
    '@a.example:user@ourdomain.example',
    '<@a.example,@b.example:user@ourdomain.example>',
    '"a@evil.example"@ourdomain.example',
    '"someone%evil.example"@ourdomain.example',
    '<Someone%Evil.Example@OurDomain.Example>',
  ])('%s routes elsewhere and is never internal', (address) => {
    expect(routesElsewhere(address)).toBe(true);
    expect(isInternalAddress(canonicalAddress(address) ?? address.toLowerCase(), OURS)).toBe(false);
    expect(isInternalAddress(address, OURS)).toBe(false);
  });

  it.each([
    'jane.doe@ourdomain.example',
    'team+billing@sub.ourdomain.example',
    '"jane doe"@ourdomain.example',
    "o'neill@ourdomain.example",
  ])('%s is a plain internal mailbox', (address) => {
    expect(routesElsewhere(address)).toBe(false);
    expect(isInternalAddress(canonicalAddress(address)!, OURS)).toBe(true);
  });

  it('a plain external address is neither routed nor internal', () => {
    expect(routesElsewhere('jane@example.com')).toBe(false);
    expect(isInternalAddress('jane@example.com', OURS)).toBe(false);
    expect(isInternalAddress('jane@notourdomain.example', OURS)).toBe(false);
  });
});
