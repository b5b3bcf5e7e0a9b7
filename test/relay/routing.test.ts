/**
 * Issue 17 over real SMTP: recipients that route elsewhere are refused at RCPT (class 9), and a Unicode address and
 * its punycode spelling are one recipient and one customer (class 6). Client → postguard (startServer: directory
 * import, shipped policies) → a real upstream.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { RawSmtp, sendRaw } from '../helpers/smtp-client.js';
import { message } from '../helpers/relay.js';

const OURS = 'ourdomain.example';
const ROUTED = [
  `someone%evil.example@${OURS}`,
  `evil.example!someone@${OURS}`,
  `@a.example:user@${OURS}`,
  `@a.example,@b.example:user@${OURS}`,
  `"a@evil.example"@${OURS}`,
];

describe('recipients over SMTP (issue 17: routing tricks, IDN)', () => {
  let sink: Sink;
  let server: RunningServer;
  let port: number;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pg-routing-'));
    const csv = join(tmp, 'customers.csv');
    writeFileSync(
      csv,
      [
        'customer_id,full_name,email,phone,country',
        'C-JUERGEN,Jürgen Müller,jürgen@müller.de,030 1234 5678,DE',
        'C-BOERSE,Bo Börse,kontakt@xn--brse-5qa.example,+49 40 9876 5432,DE',
        'C-PAUL,Paul Plain,paul@plain.example,+44 20 7946 0321,GB',
      ].join('\n') + '\n',
    );
    sink = await startSink();
    const config = loadConfig({
      flags: {
        listen: '127.0.0.1:0',
        adminListen: '',
        dataDir: join(tmp, 'data'),
        upstream: sink.url,
        directory: [csv],
        internalDomains: [OURS],
        policies: resolve('policies'),
        hostname: 'relay.routing.test',
      },
      env: {},
    });
    server = await startServer(config, silentLogger);
    expect(server.directory.stats().customers).toBe(3);
    port = server.relay.address.port;
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });
  afterEach(() => {
    sink.messages.length = 0;
  });

  async function rcpt(address: string): Promise<{ code: number; text: string }> {
    const c = await RawSmtp.open(port);
    try {
      await c.read();
      await c.cmd('EHLO client.test');
      expect((await c.cmd(`MAIL FROM:<agent@${OURS}> SMTPUTF8`)).code).toBe(250);
      return await c.cmd(`RCPT TO:<${address}>`);
    } finally {
      c.close();
    }
  }

  it.each(ROUTED)('RCPT TO:<%s> is refused with 553 5.1.3 and says why', async (address) => {
    const r = await rcpt(address);
    expect(r.code).toBe(553);
    expect(r.text).toMatch(/^553 5\.1\.3 Recipient address routes elsewhere/);
    expect(r.text).not.toContain('evil');
  });

  it('a message with a routed recipient among plain ones never reaches the upstream for it', async () => {
    const reply = await sendRaw(port, {
      from: `agent@${OURS}`,
      to: [`ops@${OURS}`, `someone%evil.example@${OURS}`],
      body: message({ to: `ops@${OURS}` }),
    });
    expect(reply.code).toBe(553);
    expect(sink.messages).toEqual([]);
  });

  it('a plain internal address is accepted and may receive customer data', async () => {
    expect((await rcpt(`ops@${OURS}`)).code).toBe(250);
    const body = message({
      from: `agent@${OURS}`,
      to: `ops@${OURS}`,
      body: 'Escalation: customer paul@plain.example, phone +44 20 7946 0321.',
    });
    const reply = await sendRaw(port, { from: `agent@${OURS}`, to: [`ops@${OURS}`], body });
    expect(reply.code).toBe(250);
    expect(reply.text).toMatch(/queued as/);
    const [m] = await sink.waitFor(1);
    expect(m!.rcptTo).toEqual([`ops@${OURS}`]);
  });

  it('the recipient in punycode receives their own address written in Unicode: delivered, not foreign', async () => {
    const body = message({
      to: 'Jürgen Müller <jürgen@xn--mller-kva.de>',
      body: 'Hallo Herr Müller,\r\nIhre Adresse jürgen@müller.de und Ihre Nummer 030 1234 5678 sind bestätigt.',
    });
    const reply = await sendRaw(port, { from: `agent@${OURS}`, to: ['jürgen@xn--mller-kva.de'], body, smtputf8: true });
    expect(reply.code).toBe(250);
    expect(reply.text).toMatch(/queued as/);
    await sink.waitFor(1);
  });

  it('the recipient in Unicode (SMTPUTF8) matches the directory row stored in punycode: delivered', async () => {
    const body = message({
      to: 'kontakt@börse.example',
      body: 'Guten Tag,\r\nwir haben kontakt@xn--brse-5qa.example und +49 40 9876 5432 gespeichert.',
    });
    const reply = await sendRaw(port, { from: `agent@${OURS}`, to: ['kontakt@börse.example'], body, smtputf8: true });
    expect(reply.code).toBe(250);
    expect(reply.text).toMatch(/queued as/);
    await sink.waitFor(1);
  });

  it("another customer's Unicode address in the body is foreign: held", async () => {
    const body = message({ to: 'paul@plain.example', body: 'Hello Paul,\r\nplease forward this to jürgen@müller.de.' });
    const reply = await sendRaw(port, { from: `agent@${OURS}`, to: ['paul@plain.example'], body });
    expect(reply.code).toBe(250);
    expect(reply.text).toMatch(/held for review/);
    expect(sink.messages.filter((m) => m.rcptTo.includes('paul@plain.example'))).toEqual([]);
  });
});
