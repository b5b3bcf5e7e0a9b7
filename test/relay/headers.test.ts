/**
 * Issue 17 (classes 7 and 8) over SMTP through the full relay (startServer: directory import, default policies,
 * quarantine): a clean body with another customer's data in a header the recipient receives is held; the
 * recipient's own email in a link is delivered, their own phone in a link is held.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { sendRaw, type Reply } from '../helpers/smtp-client.js';

const AGENT = 'agent@support.example';
const ANNA = {
  id: 'C1',
  name: 'Anna Schmidt',
  email: 'anna.schmidt@web.de',
  phone: '+49 30 12345678',
  order: 'ORD-480001',
};
const BERND = {
  id: 'C2',
  name: 'Bernd Vogel',
  email: 'bernd.vogel@gmx.de',
  phone: '+49 40 87654321',
  order: 'ORD-480002',
};
const CARLA = {
  id: 'C3',
  name: 'Carla Rossi',
  email: 'carla.rossi@libero.it',
  phone: '+39 06 1234 5678',
  order: 'ORD-480003',
};

let seq = 0;
function mail(
  headers: string[],
  body = 'Hello,\r\n\r\nthank you for your message. We will get back to you shortly.\r\n',
): string {
  return [
    `From: Support Team <${AGENT}>`,
    `Subject: Your request`,
    `Message-ID: <hdr-${++seq}@support.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...headers,
    '',
    body,
  ].join('\r\n');
}

describe('headers and links through the relay (issue 17)', () => {
  let tmp: string;
  let sink: Sink;
  let server: RunningServer;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pg-hdr-relay-'));
    const csv = join(tmp, 'customers.csv');
    writeFileSync(
      csv,
      [
        'customer_id,full_name,email,phone,order_id,country',
        ...[ANNA, BERND, CARLA].map((c) => `${c.id},${c.name},${c.email},${c.phone},${c.order},DE`),
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
        internalDomains: ['support.example'],
        policies: resolve('policies'),
        hostname: 'relay.headers.test',
      },
      env: {},
    });
    server = await startServer(config, silentLogger);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await sink?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const send = (to: string[], raw: string): Promise<Reply> =>
    sendRaw(server.relay.address.port, { from: AGENT, to, body: raw });
  const arrived = (n: number): boolean =>
    sink.messages.some((m) => m.raw.toString('utf8').includes(`<hdr-${n}@support.example>`));

  async function expectHeld(to: string[], raw: string): Promise<void> {
    const reply = await send(to, raw);
    expect(reply.code, reply.text).toBe(250);
    expect(reply.text).toMatch(/held for review/i);
    expect(arrived(seq)).toBe(false);
  }

  it('a clean reply to the customer, with their own address in To, is delivered (the control case)', async () => {
    const reply = await send([ANNA.email], mail([`To: Anna Schmidt <${ANNA.email}>`, `Reply-To: Support <${AGENT}>`]));
    expect(reply.code).toBe(250);
    expect(reply.text).toMatch(/queued/);
    await sink.waitFor(1);
    expect(arrived(seq)).toBe(true);
  });

  it.each([
    ['Cc (not an envelope recipient)', [`To: ${ANNA.email}`, `Cc: ${BERND.email}`]],
    ['Reply-To', [`To: ${ANNA.email}`, `Reply-To: ${BERND.email}`]],
    ['an X- header', [`To: ${ANNA.email}`, `X-Customer: ${BERND.email}`]],
    [
      'Comments (RFC 2047 encoded)',
      [`To: ${ANNA.email}`, `Comments: =?UTF-8?B?${Buffer.from(`Rückfrage von ${BERND.email}`).toString('base64')}?=`],
    ],
    ['X-Ticket (order id)', [`To: ${ANNA.email}`, `X-Ticket: ${BERND.order}`]],
    ['Keywords (phone)', [`To: ${ANNA.email}`, `Keywords: callback, ${BERND.phone}`]],
    ['Sender', [`To: ${ANNA.email}`, `Sender: ${BERND.email}`]],
    ['Resent-To', [`To: ${ANNA.email}`, `Resent-To: ${BERND.email}`]],
  ])("another customer's data in %s is held", async (_where, headers) => {
    await expectHeld([ANNA.email], mail(headers));
  });

  it('two customers in To, one of them not in the envelope, are an exposure too', async () => {
    await expectHeld([ANNA.email], mail([`To: ${ANNA.email}, ${CARLA.email}`]));
  });

  it("the recipient's own email in a link (unsubscribe, view your order) is delivered", async () => {
    const body = `Hello Anna,\r\n\r\nyour order: https://shop.example/orders/${ANNA.order}?email=${encodeURIComponent(ANNA.email)}\r\nUnsubscribe: https://shop.example/unsubscribe?u=${encodeURIComponent(ANNA.email)}\r\n`;
    const reply = await send(
      [ANNA.email],
      mail(
        [`To: ${ANNA.email}`, `List-Unsubscribe: <https://shop.example/unsub?email=${encodeURIComponent(ANNA.email)}>`],
        body,
      ),
    );
    expect(reply.code).toBe(250);
    expect(reply.text).toMatch(/queued/);
  });

  it("the recipient's own phone in a link is held", async () => {
    const body = `Hello Anna,\r\n\r\npay here: https://pay.example/checkout?phone=${encodeURIComponent(ANNA.phone)}&ref=1\r\n`;
    await expectHeld([ANNA.email], mail([`To: ${ANNA.email}`], body));
  });

  it("another customer's email in a link is held", async () => {
    const body = `Hello Anna,\r\n\r\nyour order: https://shop.example/orders?email=${encodeURIComponent(BERND.email)}\r\n`;
    await expectHeld([ANNA.email], mail([`To: ${ANNA.email}`], body));
  });
});
