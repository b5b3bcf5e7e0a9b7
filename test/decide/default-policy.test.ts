import { beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/core/types.js';
import { decide } from '../../src/decide/decide.js';
import { compilePolicies, loadPolicies } from '../../src/decide/loader.js';
import type { PolicySet } from '../../src/decide/types.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOMERS, POLICIES_DIR, customer, internal, message, plaintextValues, type FindingSpec } from './helpers.js';

let policy: PolicySet;
beforeAll(async () => {
  policy = await loadPolicies(POLICIES_DIR);
});

function noPlaintext(v: Verdict): void {
  const text = JSON.stringify({ reason: v.reason, reply: v.reply, headers: v.headers, hits: v.hits });
  for (const value of plaintextValues()) expect(text).not.toContain(value);
}

function fired(v: Verdict): string[] {
  return v.hits.map((h) => h.ruleId);
}

describe('default policy: basics', () => {
  it('loads the shipped rules in file order', () => {
    expect(policy.rules.map((r) => r.id)).toEqual([
      'bulk',
      'exposure',
      'ticket-drift',
      'greeting-drift',
      'foreign-data',
      'data-in-links',
      'lookalike-recipient',
      'unscannable',
      'weak-name',
      'first-time-recipient',
    ]);
    expect(policy.settings.bulkThreshold).toBe(5);
    expect(policy.rules.find((r) => r.id === 'first-time-recipient')!.enabled).toBe(false);
  });

  it('own-data reply to the customer is delivered', () => {
    const v = decide(
      message({
        rcpt: [customer('c1')],
        findings: [
          { kind: 'email', customers: ['c1'] },
          { kind: 'phone', customers: ['c1'] },
          { kind: 'order_id', customers: ['c1'], location: 'subject', source: 'subject', segment: 0 },
          { kind: 'full_name', customers: ['c1'] },
        ],
      }),
      policy,
    );
    expect(v.action).toBe('deliver');
    expect(v.hits).toEqual([]);
    expect(v.rules).toEqual([]);
    expect(v.headers).toBeUndefined();
  });

  it('internal escalation with foreign data is delivered', () => {
    const v = decide(
      message({
        rcpt: [internal(), internal('legal')],
        findings: [
          { kind: 'email', customers: ['c2'] },
          { kind: 'phone', customers: ['c3'] },
          { kind: 'imei', customers: ['c4'] },
          { kind: 'card', customers: ['c5'] },
          { kind: 'order_id', customers: ['c6'] },
          { kind: 'full_name', customers: ['c7'] },
        ],
      }),
      policy,
    );
    expect(v.action).toBe('deliver');
    expect(v.hits).toEqual([]);
  });

  it('neutral notice without customer data is delivered', () => {
    const v = decide(message({ rcpt: [customer('c1')] }), policy);
    expect(v.action).toBe('deliver');
    expect(v.reason).toMatch(/No rule matched/);
  });

  it('first name only (no finding) is delivered', () => {
    const v = decide(message({ rcpt: [customer('c1')], body: 'Hi Bob,\nplease call us.' }), policy);
    expect(v.action).toBe('deliver');
  });
});

describe('foreign data', () => {
  it('one foreign strong identifier to a customer is quarantined', () => {
    const v = decide(
      message({ rcpt: [customer('c1')], findings: [{ kind: 'phone', customers: ['c2'], masked: '+49 ••• ••12' }] }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['foreign-data']);
    expect(v.reason).toMatch(/personal data \(phone\) of 1 other customer \(foreign data\)/);
    const hit = v.hits[0]!;
    expect(hit.mode).toBe('enforce');
    expect(hit.notify).toEqual({ sender: true, admins: false });
    expect(hit.evidence).toEqual([
      { kind: 'phone', masked: '+49 ••• ••12', source: 'body:text', customers: ['c2'], recipient: 'a•••@gmail.com' },
    ]);
    noPlaintext(v);
  });

  it('a recipient not in the directory receives only foreign data', () => {
    const v = decide(
      message({ rcpt: [{ address: 'someone@example.org' }], findings: [{ kind: 'email', customers: ['c2'] }] }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['foreign-data']);
  });

  it('an envelope recipient the detector did not report is treated as external and unresolved', () => {
    const input = message({ rcpt: [customer('c1')], findings: [{ kind: 'email', customers: ['c1'] }] });
    input.envelope.rcptTo.push('stranger@example.net');
    const v = decide(input, policy);
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['foreign-data']);
  });

  it('a shared household address that also belongs to the recipient is never foreign', () => {
    const v = decide(
      message({ rcpt: [customer('c1')], findings: [{ kind: 'address', customers: ['c1', 'c2'] }] }),
      policy,
    );
    expect(v.action).toBe('deliver');
  });

  it('the same shared address to a third customer is foreign', () => {
    const v = decide(
      message({ rcpt: [customer('c3')], findings: [{ kind: 'address', customers: ['c1', 'c2'] }] }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['foreign-data']);
  });

  it('mixed internal and external recipients: the external one decides', () => {
    const v = decide(
      message({ rcpt: [internal(), customer('c1', 'cc')], findings: [{ kind: 'imei', customers: ['c2'] }] }),
      policy,
    );
    expect(v.action).toBe('quarantine');
  });
});

describe('weak evidence', () => {
  it('a foreign full name alone is tagged, not held', () => {
    const v = decide(
      message({ rcpt: [customer('c1')], findings: [{ kind: 'full_name', customers: ['c2'], offset: 120 }] }),
      policy,
    );
    expect(v.action).toBe('tag');
    expect(v.rules).toEqual(['weak-name']);
    expect(v.headers).toEqual({ 'X-Postguard-Verdict': 'tag', 'X-Postguard-Rules': 'weak-name' });
    expect(v.reason).toMatch(/weak evidence/);
    noPlaintext(v);
  });

  it('a weak name with a strong foreign identifier is quarantined, not just tagged', () => {
    const v = decide(
      message({
        rcpt: [customer('c1')],
        findings: [
          { kind: 'full_name', customers: ['c2'], offset: 120 },
          { kind: 'email', customers: ['c2'] },
        ],
      }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(fired(v)).not.toContain('weak-name');
  });

  it('the recipient own name is nothing', () => {
    const v = decide(message({ rcpt: [customer('c1')], findings: [{ kind: 'full_name', customers: ['c1'] }] }), policy);
    expect(v.action).toBe('deliver');
  });

  it('weak evidence can be escalated by a rule', () => {
    const text = readFileSync(join(POLICIES_DIR, 'default.yaml'), 'utf8');
    const set = compilePolicies([
      { name: 'default.yaml', text },
      {
        name: 'zz-names.yaml',
        text: [
          'rules:',
          '  - id: many-names',
          '    when: { check: weak_only, min_customers: 3 }',
          '    action: quarantine',
        ].join('\n'),
      },
    ]);
    const names = (ids: string[]) => ids.map((c, i) => ({ kind: 'full_name', customers: [c], offset: 300 + i * 20 }));
    expect(decide(message({ rcpt: [customer('c1')], findings: names(['c2', 'c3']) }), set).action).toBe('tag');
    const v = decide(message({ rcpt: [customer('c1')], findings: names(['c2', 'c3', 'c4']) }), set);
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['many-names']);
  });
});

describe('exposure', () => {
  it('two customers in To/Cc are quarantined even with a harmless body', () => {
    const v = decide(message({ rcpt: [customer('c1', 'to'), customer('c2', 'cc')] }), policy);
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['exposure']);
    expect(v.reason).toMatch(/2 customers can see each other's addresses/);
    expect(v.hits[0]!.evidence.map((e) => e.masked)).toEqual(['a•••@gmail.com', 'b•••@web.de']);
    noPlaintext(v);
  });

  it('Bcc copies do not count', () => {
    const v = decide(message({ rcpt: [customer('c1', 'to'), customer('c2', 'bcc'), customer('c3', 'bcc')] }), policy);
    expect(v.action).toBe('deliver');
  });

  it('two addresses of the same customer are one customer', () => {
    const v = decide(
      message({
        rcpt: [customer('c1', 'to'), { address: 'alice.w@work.example', customers: ['c1'], visibleIn: 'cc' }],
      }),
      policy,
    );
    expect(v.action).toBe('deliver');
  });

  it('a customer plus internal colleagues in Cc is fine', () => {
    const v = decide(message({ rcpt: [customer('c1', 'to'), { ...internal(), visibleIn: 'cc' }] }), policy);
    expect(v.action).toBe('deliver');
  });

  it('a To header showing another customer (not in the envelope) counts', () => {
    const v = decide(
      message({
        rcpt: [customer('c1', 'to')],
        findings: [{ kind: 'email', customers: ['c2'], location: 'header', source: 'header:to', segment: 2 }],
      }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['exposure', 'foreign-data']);
  });
});

describe('bulk', () => {
  const foreign = (ids: string[]) => ids.map((c) => ({ kind: 'email', customers: [c] }));

  it('5 distinct foreign customers are rejected with 550 5.7.1', () => {
    const v = decide(message({ rcpt: [customer('c1')], findings: foreign(['c2', 'c3', 'c4', 'c5', 'c6']) }), policy);
    expect(v.action).toBe('reject');
    expect(v.rules).toEqual(['bulk']);
    expect(v.reply).toEqual({
      code: 550,
      enhanced: '5.7.1',
      text: 'Message carries personal data of 5 other customers (bulk); not sent',
    });
    expect(v.hits.map((h) => h.ruleId)).toEqual(['bulk', 'foreign-data']);
    expect(v.hits[0]!.notify).toEqual({ sender: true, admins: true });
    noPlaintext(v);
  });

  it('4 foreign customers are quarantined, not rejected', () => {
    const v = decide(message({ rcpt: [customer('c1')], findings: foreign(['c2', 'c3', 'c4', 'c5']) }), policy);
    expect(v.action).toBe('quarantine');
    expect(v.reply).toBeUndefined();
    expect(fired(v)).not.toContain('bulk');
  });

  it("the recipient's own data does not count toward bulk", () => {
    const v = decide(message({ rcpt: [customer('c1')], findings: foreign(['c1', 'c2', 'c3', 'c4', 'c5']) }), policy);
    expect(v.action).toBe('quarantine');
  });

  it('many findings of the same customer are one customer', () => {
    const f = ['email', 'phone', 'imei', 'card', 'order_id', 'address'].map((kind) => ({ kind, customers: ['c2'] }));
    expect(decide(message({ rcpt: [customer('c1')], findings: f }), policy).action).toBe('quarantine');
  });

  it('weak names do not count toward bulk', () => {
    const f = ['c2', 'c3', 'c4', 'c5', 'c6'].map((c) => ({ kind: 'full_name', customers: [c], offset: 500 }));
    expect(decide(message({ rcpt: [customer('c1')], findings: f }), policy).action).toBe('tag');
  });

  it('the threshold is configurable', () => {
    const text = readFileSync(join(POLICIES_DIR, 'default.yaml'), 'utf8').replace(
      'bulk_threshold: 5',
      'bulk_threshold: 3',
    );
    const set = compilePolicies([{ name: 'default.yaml', text }]);
    expect(decide(message({ rcpt: [customer('c1')], findings: foreign(['c2', 'c3', 'c4']) }), set).action).toBe(
      'reject',
    );
    expect(decide(message({ rcpt: [customer('c1')], findings: foreign(['c2', 'c3']) }), set).action).toBe('quarantine');
  });

  it('a sheet to an unresolved recipient counts every customer', () => {
    const v = decide(
      message({
        rcpt: [{ address: 'verify@shop-partner.example' }],
        findings: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'].map((c) => ({
          kind: 'imei',
          customers: [c],
          location: 'attachment',
          source: 'attachment:list.csv',
        })),
      }),
      policy,
    );
    expect(v.action).toBe('reject');
    expect(v.reply!.text).toBe('Message carries personal data of 7 other customers (bulk); not sent');
  });
});

describe('lookalike recipient domains', () => {
  const to = (address: string) => decide(message({ rcpt: [{ address }] }), policy);

  it.each([
    'gmial.com',
    'gmail.co',
    'gmai.com',
    'outlok.com',
    'hotmial.com',
    'gamil.com',
    'yahooo.com',
    'gmail.con',
    'gmai1.com',
  ])('%s fires', (domain) => {
    const v = to(`someone@${domain}`);
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['lookalike-recipient']);
    expect(v.reason).toMatch(/looks like a mistyped/);
  });

  it('a homoglyph (Cyrillic а in gmаil.com, punycode) fires', () => {
    const v = to('someone@xn--gmil-63d.com');
    expect(v.action).toBe('quarantine');
    expect(v.hits[0]!.evidence[0]!.kind).toBe('lookalike:homoglyph');
    expect(v.reason).toMatch(/gmail\.com/);
  });

  it.each([
    'gmail.com',
    'mail.google.com',
    'googlemail.com',
    'gm.com',
    'aon.com',
    'gmx.at',
    'example.org',
    'hotmail.co.uk',
    'yandex.ua',
  ])('%s does not fire', (domain) => {
    expect(to(`someone@${domain}`).action).toBe('deliver');
  });

  it('a subdomain of a real provider does not fire', () => {
    expect(to('x@eu.mail.yahoo.com').action).toBe('deliver');
  });

  it('internal domains never fire', () => {
    const v = decide(message({ rcpt: [{ address: 'ops@gmial.com', internal: true }] }), policy);
    expect(v.action).toBe('deliver');
  });

  it('directory domains are known: a lookalike of one fires, the domain itself does not', () => {
    const dirs = ['acme-corp.com', 'gmail.com'];
    const bad = decide(message({ rcpt: [{ address: 'x@acme-crop.com' }], directoryDomains: dirs }), policy);
    expect(bad.action).toBe('quarantine');
    expect(bad.reason).toMatch(/acme-corp\.com/);
    expect(decide(message({ rcpt: [{ address: 'x@acme-corp.com' }], directoryDomains: dirs }), policy).action).toBe(
      'deliver',
    );
  });

  it('a directory typo domain (gmial.com used by 3 customers) is not treated as known good', () => {
    const v = decide(message({ rcpt: [{ address: 'x@gmial.com' }], directoryDomains: ['gmial.com'] }), policy);
    expect(v.action).toBe('quarantine');
  });
});

describe('data in links', () => {
  const link = (
    kind: string,
    customers: string[],
    source = 'link:query:x',
    strength?: 'weak' | 'strong',
  ): FindingSpec => ({
    kind,
    customers,
    location: 'link',
    source,
    segment: 2,
    ...(strength ? { strength } : {}),
  });

  it.each([
    ['email', 'link:query:email'],
    ['order_id', 'link:path'],
    ['ticket_id', 'link:query:ticket'],
  ])("the recipient's own %s in a link (unsubscribe, view your order) is delivered", (kind, source) => {
    const v = decide(message({ rcpt: [customer('c1')], findings: [link(kind, ['c1'], source)] }), policy);
    expect(v.action).toBe('deliver');
    expect(v.hits).toEqual([]);
  });

  it.each(['phone', 'address', 'imei', 'card', 'iban'])("the recipient's own %s in a link is quarantined", (kind) => {
    const v = decide(
      message({ rcpt: [customer('c1')], findings: [link(kind, ['c1'], 'link:query:x', 'strong')] }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['data-in-links']);
    expect(v.reason).toMatch(new RegExp(`link carries the recipient's own sensitive data \\(${kind}\\)`));
    noPlaintext(v);
  });

  it("the recipient's own full name in a link is quarantined although a name alone is weak evidence", () => {
    const v = decide(
      message({ rcpt: [customer('c1')], findings: [link('full_name', ['c1'], 'link:query:name', 'weak')] }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['data-in-links']);
  });

  it("another customer's email in a link is quarantined by both rules", () => {
    const v = decide(
      message({ rcpt: [customer('c1')], findings: [link('email', ['c2'], 'link:query:email')] }),
      policy,
    );
    expect(v.rules).toEqual(['foreign-data', 'data-in-links']);
    expect(v.hits.find((h) => h.ruleId === 'data-in-links')!.reason).toMatch(
      /link carries personal data \(email\) of 1 customer/,
    );
  });

  it("a link with one recipient's email, sent to two customers, is held: it is the other one's foreign data", () => {
    const v = decide(
      message({ rcpt: [customer('c1'), customer('c3', 'bcc')], findings: [link('email', ['c1'], 'link:query:email')] }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(fired(v)).toContain('data-in-links');
  });

  it("another customer's order id in a link path fires both rules", () => {
    const v = decide(message({ rcpt: [customer('c1')], findings: [link('order_id', ['c2'], 'link:path')] }), policy);
    expect(v.rules).toEqual(['foreign-data', 'data-in-links']);
  });

  it("own_allowed: [none] holds the recipient's own email in a link too (the former default)", () => {
    const strict = compilePolicies([
      {
        name: 'strict.yaml',
        text: [
          'rules:',
          '  - id: links-strict',
          '    when: { check: data_in_links, own_allowed: [none] }',
          '    action: quarantine',
        ].join('\n'),
      },
    ]);
    const v = decide(
      message({ rcpt: [customer('c1')], findings: [link('email', ['c1'], 'link:query:email')] }),
      strict,
    );
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['links-strict']);
  });

  it('links with customer data to internal recipients only are delivered', () => {
    const v = decide(
      message({
        rcpt: [internal()],
        findings: [{ kind: 'email', customers: ['c1'], location: 'link', source: 'link:query:email', segment: 2 }],
      }),
      policy,
    );
    expect(v.action).toBe('deliver');
  });
});

describe('unscannable', () => {
  it('an unscannable part holds the message (fail closed)', () => {
    const v = decide(
      message({
        rcpt: [customer('c1')],
        unscannable: [{ source: 'attachment:secret.zip', reason: 'encrypted', detail: 'zip: encrypted entry' }],
      }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['unscannable']);
    expect(v.reason).toMatch(/1 part could not be scanned \(encrypted\)/);
    expect(v.hits[0]!.notify).toEqual({ sender: false, admins: true });
  });

  it('detection-side unscannable parts count too', () => {
    const input = message({ rcpt: [internal()] });
    input.detection.unscannable.push({ source: 'body:html', reason: 'timeout', detail: 'directory lookup timed out' });
    expect(decide(input, policy).action).toBe('quarantine');
  });
});

describe('ticket drift', () => {
  it("another customer's order id in the subject is quarantined as ticket drift", () => {
    const v = decide(
      message({
        rcpt: [customer('c1')],
        subject: 'Re: [Ticket #48213] Your order',
        findings: [
          {
            kind: 'ticket_id',
            customers: ['c2'],
            location: 'subject',
            source: 'subject',
            segment: 0,
            strength: 'weak',
          },
        ],
      }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['ticket-drift']);
    expect(v.reason).toMatch(/ticket drift/);
  });

  it("the recipient's own ticket id in the subject is fine", () => {
    const v = decide(
      message({
        rcpt: [customer('c1')],
        findings: [{ kind: 'order_id', customers: ['c1'], location: 'subject', source: 'subject', segment: 0 }],
      }),
      policy,
    );
    expect(v.action).toBe('deliver');
  });

  it('an order id in a header (X-Ticket) of another customer fires', () => {
    const v = decide(
      message({
        rcpt: [customer('c1')],
        findings: [{ kind: 'order_id', customers: ['c3'], location: 'header', source: 'header:x-ticket', segment: 3 }],
      }),
      policy,
    );
    expect(v.rules).toEqual(['ticket-drift', 'foreign-data']);
  });
});

describe('greeting drift', () => {
  const body = 'Hi Bob Brown,\n\nyour replacement device ships today.\n';

  it('"Hi <another customer>" at the top is quarantined', () => {
    const v = decide(
      message({
        rcpt: [customer('c1')],
        body,
        findings: [{ kind: 'full_name', customers: ['c2'], offset: 3, length: 9 }],
      }),
      policy,
    );
    expect(v.action).toBe('quarantine');
    expect(v.rules).toEqual(['greeting-drift']);
    noPlaintext(v);
  });

  it.each([
    ['Dear Mr. Bob Brown,', 9],
    ['Hello Bob Brown', 6],
    ['Sehr geehrter Herr Bob Brown,', 19],
    ['\n\nHey Bob Brown!', 6],
  ])('greeting %j fires', (text, offset) => {
    const v = decide(
      message({ rcpt: [customer('c1')], body: text, findings: [{ kind: 'full_name', customers: ['c2'], offset }] }),
      policy,
    );
    expect(v.rules).toEqual(['greeting-drift']);
  });

  it('the recipient own name in the greeting is fine', () => {
    const v = decide(
      message({ rcpt: [customer('c2')], body, findings: [{ kind: 'full_name', customers: ['c2'], offset: 3 }] }),
      policy,
    );
    expect(v.action).toBe('deliver');
  });

  it('a name later in the body, or not after a greeting, is only weak evidence', () => {
    const late = `${'x'.repeat(250)} Hi Bob Brown`;
    const v1 = decide(
      message({
        rcpt: [customer('c1')],
        body: late,
        findings: [{ kind: 'full_name', customers: ['c2'], offset: 254 }],
      }),
      policy,
    );
    expect(v1.action).toBe('tag');
    const v2 = decide(
      message({
        rcpt: [customer('c1')],
        body: 'As discussed with Bob Brown, ...',
        findings: [{ kind: 'full_name', customers: ['c2'], offset: 18 }],
      }),
      policy,
    );
    expect(v2.action).toBe('tag');
  });

  it('an unresolved recipient (customer writing from a new address) is not greeting drift', () => {
    const v = decide(
      message({
        rcpt: [{ address: 'bob.new@example.org' }],
        body,
        findings: [{ kind: 'full_name', customers: ['c2'], offset: 3 }],
      }),
      policy,
    );
    expect(v.action).toBe('tag');
  });
});

describe('partners and sender groups', () => {
  const base = readFileSync(join(POLICIES_DIR, 'default.yaml'), 'utf8');

  it('a partner domain may receive customer data', () => {
    const set = compilePolicies([
      { name: 'default.yaml', text: base },
      { name: 'partners.yaml', text: 'partners: [lawfirm.example, "@repair-partner.example"]\n' },
    ]);
    const data = [{ kind: 'imei', customers: ['c2'] }];
    expect(decide(message({ rcpt: [{ address: 'counsel@lawfirm.example' }], findings: data }), set).action).toBe(
      'deliver',
    );
    expect(decide(message({ rcpt: [{ address: 'desk@eu.repair-partner.example' }], findings: data }), set).action).toBe(
      'deliver',
    );
    // Without the allow-list: held. With a partner plus a customer: the customer still counts.
    expect(decide(message({ rcpt: [{ address: 'counsel@lawfirm.example' }], findings: data }), policy).action).toBe(
      'quarantine',
    );
    expect(
      decide(message({ rcpt: [{ address: 'counsel@lawfirm.example' }, customer('c1', 'bcc')], findings: data }), set)
        .action,
    ).toBe('quarantine');
  });

  it('a sender group exception rule (order + stop) lets the DPO send anything', () => {
    const set = compilePolicies([
      { name: 'default.yaml', text: base },
      {
        name: '00-exceptions.yaml',
        text: [
          'groups:',
          '  dpo: [dpo@corp.example, "@privacy.corp.example"]',
          'rules:',
          '  - id: dpo-requests',
          '    description: Data subject access requests from the DPO team',
          '    order: 10',
          '    when: { sender_group: dpo, recipients: { max_count: 1 } }',
          '    action: deliver',
          '    stop: true',
        ].join('\n'),
      },
    ]);
    expect(set.rules[0]!.id).toBe('dpo-requests');
    const data = [{ kind: 'email', customers: ['c2'] }];
    const v = decide(message({ from: 'dpo@corp.example', rcpt: [customer('c1')], findings: data }), set);
    expect(v.action).toBe('deliver');
    expect(v.rules).toEqual(['dpo-requests']);
    expect(v.reason).toMatch(/Delivered: Data subject access requests/);
    expect(
      decide(message({ from: 'x@privacy.corp.example', rcpt: [customer('c1')], findings: data }), set).action,
    ).toBe('deliver');
    expect(decide(message({ from: 'agent@corp.example', rcpt: [customer('c1')], findings: data }), set).action).toBe(
      'quarantine',
    );
    // Two recipients: the exception does not apply.
    expect(
      decide(message({ from: 'dpo@corp.example', rcpt: [customer('c1'), customer('c3', 'bcc')], findings: data }), set)
        .action,
    ).toBe('quarantine');
  });

  it('unless with a sender group exempts one rule only', () => {
    const set = compilePolicies([
      {
        name: 'p.yaml',
        text: [
          'groups: { escalation: ["@escalation.corp.example"] }',
          'rules:',
          '  - id: foreign',
          '    when: { check: foreign_data }',
          '    unless: { sender_group: escalation }',
          '    action: quarantine',
          '  - id: links',
          '    when: { check: data_in_links }',
          '    action: quarantine',
        ].join('\n'),
      },
    ]);
    const link = { kind: 'email', customers: ['c2'], location: 'link' as const, source: 'link:query', segment: 2 };
    const v = decide(message({ from: 'lead@escalation.corp.example', rcpt: [customer('c1')], findings: [link] }), set);
    expect(v.rules).toEqual(['links']);
    const w = decide(
      message({
        from: 'lead@escalation.corp.example',
        rcpt: [customer('c1')],
        findings: [{ kind: 'email', customers: ['c2'] }],
      }),
      set,
    );
    expect(w.action).toBe('deliver');
  });

  it('the authenticated user also identifies the sender', () => {
    const set = compilePolicies([
      {
        name: 'p.yaml',
        text: 'rules:\n  - id: f\n    when: { check: foreign_data }\n    unless: { sender: [boss@corp.example] }\n    action: quarantine\n',
      },
    ]);
    const input = message({
      from: 'noreply@helpdesk.example',
      clientUser: 'boss@corp.example',
      rcpt: [customer('c1')],
      findings: [{ kind: 'email', customers: ['c2'] }],
    });
    expect(decide(input, set).action).toBe('deliver');
  });
});

describe('monitor mode', () => {
  const base = readFileSync(join(POLICIES_DIR, 'default.yaml'), 'utf8');

  it('global monitor: hits are recorded as monitor, the message is delivered tagged', () => {
    const v = decide(
      message({
        rcpt: [customer('c1')],
        findings: ['c2', 'c3', 'c4', 'c5', 'c6'].map((c) => ({ kind: 'email', customers: [c] })),
      }),
      policy,
      { monitor: true },
    );
    expect(v.action).toBe('tag');
    expect(v.reply).toBeUndefined();
    expect(v.hits.map((h) => [h.ruleId, h.mode, h.action])).toEqual([
      ['bulk', 'monitor', 'reject'],
      ['foreign-data', 'monitor', 'quarantine'],
    ]);
    expect(v.headers!['X-Postguard-Monitor']).toBe('reject; rules=bulk,foreign-data');
    expect(v.rules).toEqual(['bulk', 'foreign-data']);
    expect(v.reason).toMatch(/^Monitor mode: would have rejected/);
    noPlaintext(v);
  });

  it('global monitor with nothing found delivers plainly', () => {
    const v = decide(message({ rcpt: [customer('c1')] }), policy, { monitor: true });
    expect(v.action).toBe('deliver');
    expect(v.headers).toBeUndefined();
  });

  it('per-rule monitor: that rule is recorded, enforced rules still decide', () => {
    const set = compilePolicies([
      { name: 'default.yaml', text: base.replace(/(id: exposure\n)/, '$1    mode: monitor\n') },
    ]);
    expect(set.rules.find((r) => r.id === 'exposure')!.mode).toBe('monitor');
    const only = decide(message({ rcpt: [customer('c1', 'to'), customer('c2', 'cc')] }), set);
    expect(only.action).toBe('tag');
    expect(only.hits[0]!.mode).toBe('monitor');
    expect(only.headers).toMatchObject({ 'X-Postguard-Monitor': 'quarantine; rules=exposure' });

    const both = decide(
      message({ rcpt: [customer('c1', 'to'), customer('c2', 'cc')], findings: [{ kind: 'phone', customers: ['c3'] }] }),
      set,
    );
    expect(both.action).toBe('quarantine');
    expect(both.rules).toEqual(['foreign-data']);
    expect(both.hits.map((h) => `${h.ruleId}:${h.mode}`)).toEqual(['exposure:monitor', 'foreign-data:enforce']);
  });

  it('a monitor-mode stop rule does not stop enforcement', () => {
    const set = compilePolicies([
      { name: 'default.yaml', text: base },
      {
        name: '00.yaml',
        text: 'rules:\n  - id: trial-allow\n    order: 1\n    mode: monitor\n    stop: true\n    when: { recipients: { min_count: 1 } }\n    action: deliver\n',
      },
    ]);
    const v = decide(message({ rcpt: [customer('c1')], findings: [{ kind: 'email', customers: ['c2'] }] }), set);
    expect(v.action).toBe('quarantine');
  });
});

describe('first-time recipient', () => {
  const base = readFileSync(join(POLICIES_DIR, 'default.yaml'), 'utf8');
  const enabled = base.replace(/(id: first-time-recipient\n[\s\S]*?)enabled: false/, '$1enabled: true');

  it('is off by default', () => {
    const v = decide(
      message({ rcpt: [customer('c1')], findings: [{ kind: 'email', customers: ['c1'] }], firstTime: () => true }),
      policy,
    );
    expect(v.action).toBe('deliver');
  });

  it('when enabled, tags a first mail carrying customer data', () => {
    const set = compilePolicies([{ name: 'default.yaml', text: enabled }]);
    const data = [{ kind: 'email', customers: ['c1'] }];
    const v = decide(message({ rcpt: [customer('c1')], findings: data, firstTime: () => true }), set);
    expect(v.action).toBe('tag');
    expect(v.rules).toEqual(['first-time-recipient']);
    expect(decide(message({ rcpt: [customer('c1')], findings: data, firstTime: () => false }), set).action).toBe(
      'deliver',
    );
    expect(decide(message({ rcpt: [customer('c1')], firstTime: () => true }), set).action).toBe('deliver');
    expect(decide(message({ rcpt: [customer('c1')], findings: data }), set).action).toBe('deliver');
    expect(decide(message({ rcpt: [internal()], findings: data, firstTime: () => true }), set).action).toBe('deliver');
  });
});

it('test directory has distinct customers', () => {
  expect(new Set(Object.values(CUSTOMERS).map((c) => c.email)).size).toBe(Object.keys(CUSTOMERS).length);
});
