/** The shipped policy on recipients: lookalike precision (issue 17, class 5) and routed partner addresses (class 9). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../src/decide/decide.js';
import { compilePolicies, loadPolicies } from '../../src/decide/loader.js';
import type { PolicySet } from '../../src/decide/types.js';
import { POLICIES_DIR, message } from './helpers.js';

let policy: PolicySet;
beforeAll(async () => {
  policy = await loadPolicies(POLICIES_DIR);
});

describe('lookalike recipient: precision', () => {
  it('a known customer (exact address in the directory) on a small domain one edit from a provider is delivered', () => {
    // gmai.com / yaho.com are real small domains as much as typos; the directory says this address is a customer
    for (const address of ['anna@gmai.com', 'bo@yaho.com', 'chris@hotmial.com']) {
      expect(decide(message({ rcpt: [{ address, customers: ['c1'] }] }), policy).action).toBe('deliver');
      // the same domain with an address the directory does not know is held
      const unknown = decide(message({ rcpt: [{ address: `other.${address}` }] }), policy);
      expect(unknown.action).toBe('quarantine');
      expect(unknown.rules).toEqual(['lookalike-recipient']);
    }
  });

  it('a known customer next to an unknown lookalike recipient: only the unknown one is reported', () => {
    const v = decide(
      message({ rcpt: [{ address: 'anna@gmai.com', customers: ['c1'] }, { address: 'x@gmial.com' }] }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(v.reason).toMatch(/gmail\.com/);
    expect(v.hits[0]!.evidence.map((e) => e.masked)).toEqual(['gmial.com ≈ gmail.com']);
  });

  it.each([
    'hotmail.be',
    'hotmail.de',
    'yahoo.co.uk',
    'yahoo.co.in',
    'gmx.de',
    'gmx.at',
    'web.de',
    't-online.de',
    'orange.fr',
    'libero.it',
    'wp.pl',
    'o2.pl',
    'interia.pl',
    'yandex.ru',
    'mail.ru',
    'seznam.cz',
    'naver.com',
    'outlook.ie',
    'yahoo.dk',
  ])('a provider country domain is delivered: %s', (domain) => {
    expect(decide(message({ rcpt: [{ address: `someone@${domain}` }] }), policy).action).toBe('deliver');
  });

  it('a provider country domain is delivered when the directory uses its sibling country domain', () => {
    const v = decide(
      message({ rcpt: [{ address: 'someone@hotmail.be' }], directoryDomains: ['hotmail.de', 'yahoo.de'] }),
      policy,
    );
    expect(v.action).toBe('deliver');
  });

  it.each(['gmial.com', 'gmail.co', 'hotmial.com', 'yaho.com', 'xn--gmil-63d.com', 'hotmail.con'])(
    'an unknown address at %s is held',
    (domain) => {
      expect(decide(message({ rcpt: [{ address: `someone@${domain}` }] }), policy).action).toBe('quarantine');
    },
  );
});

describe('routing tricks at a partner domain (issue 17, class 9)', () => {
  it('an address that routes elsewhere is not trusted as a partner', () => {
    const set = compilePolicies([
      { name: 'default.yaml', text: readFileSync(join(POLICIES_DIR, 'default.yaml'), 'utf8') },
      { name: 'partners.yaml', text: 'partners: [lawfirm.example]\n' },
    ]);
    const data = [{ kind: 'imei', customers: ['c2'] }];
    expect(decide(message({ rcpt: [{ address: 'counsel@lawfirm.example' }], findings: data }), set).action).toBe(
      'deliver',
    );
    for (const address of [
      'counsel%evil.example@lawfirm.example',
      'evil.example!counsel@lawfirm.example',
      '"counsel@evil.example"@lawfirm.example',
    ]) {
      expect(decide(message({ rcpt: [{ address }], findings: data }), set).action).toBe('quarantine');
    }
  });
});
