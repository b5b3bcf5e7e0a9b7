/**
 * The relay end to end over real sockets: client → postguard → a real SMTP upstream (smtp-server).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startSink, type Sink } from '../helpers/sink.js';
import { RawSmtp, sendRaw } from '../helpers/smtp-client.js';
import { message, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { waitUntil } from '../helpers/child-relay.js';
import { traceIdOf } from '../../src/deliver/trace-header.js';
import type { Inspector } from '../../src/core/types.js';
import { canonicalAddress } from '../../src/core/address.js';

const TRACE = /^Received: from [^\r\n]*\r\n\tby relay\.test \(postguard\) with [^\r\n]*\r\n\t[^\r\n]*\r\n/;

function stripTrace(raw: Buffer): Buffer {
  const s = raw.toString('latin1');
  const m = TRACE.exec(s);
  expect(m, 'trace header at the top').not.toBeNull();
  return raw.subarray(m![0].length);
}

describe('relay through a real upstream', () => {
  let sink: Sink;
  let relay: TestRelay;

  beforeAll(async () => {
    sink = await startSink();
    relay = await startTestRelay({
      upstream: sink.url,
      upstreamTimeout: '2s',
      'limits.maxSize': '64KB',
      'limits.maxRecipients': '5',
    });
  });
  afterAll(async () => {
    await relay.close();
    await sink.close();
  });
  afterEach(() => {
    sink.messages.length = 0;
    for (const k of Object.keys(sink.faults)) delete sink.faults[k as keyof typeof sink.faults];
  });

  it('delivers the bytes unchanged apart from the trace header, with exactly the envelope', async () => {
    const body =
      message({ body: 'Line one\r\n  indented line with trailing space \r\n\tTabbed\r\n\r\nLast line' }) + '\r\n';
    const reply = await sendRaw(relay.port, {
      from: 'agent@support.example',
      to: ['Customer@Example.com', 'second@example.net'],
      body,
    });
    expect(reply.code).toBe(250);
    const [m] = await sink.waitFor(1);
    expect(m!.mailFrom).toBe('agent@support.example');
    // local parts exactly as given; domains may be normalised (case, IDNA) by the SMTP client library
    expect(m!.rcptTo.map((a) => a.toLowerCase())).toEqual(['customer@example.com', 'second@example.net']);
    expect(m!.rcptTo[0]!.startsWith('Customer@')).toBe(true);
    expect(stripTrace(m!.raw).toString('latin1')).toBe(body);
    // the id in the reply is the id in the trace header and in the log line
    const id = /queued as ([0-9A-Z]+)/.exec(reply.text)![1]!;
    expect(traceIdOf(m!.raw)).toBe(id);
    const line = relay.logs.find((l) => l.tx === id && l.msg === 'transaction');
    expect(line).toMatchObject({
      verdict: 'deliver',
      reply: 250,
      upstreamCode: 250,
      rcptCount: 2,
      rcptDomains: ['example.com', 'example.net'],
    });
  });

  it('keeps dot-stuffed lines intact', async () => {
    const body = message({ body: '.leading dot\r\n..two dots\r\n.\r\nend' }) + '\r\n';
    // dot-stuff for the wire
    const wire = body.replace(/^\./gm, '..');
    const reply = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: wire });
    expect(reply.code).toBe(250);
    const [m] = await sink.waitFor(1);
    expect(stripTrace(m!.raw).toString('latin1')).toBe(body);
  });

  it('accepts pipelined commands in one write', async () => {
    const c = await RawSmtp.open(relay.port);
    await c.read();
    const ehlo = await c.cmd('EHLO pipeliner.test');
    expect(ehlo.text).toMatch(/PIPELINING/);
    expect(ehlo.text).toMatch(/8BITMIME/);
    expect(ehlo.text).toMatch(/SMTPUTF8/);
    expect(ehlo.text).toMatch(/ENHANCEDSTATUSCODES/);
    expect(ehlo.text).toMatch(/SIZE 65536/);
    c.write('MAIL FROM:<a@support.example>\r\nRCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n');
    expect((await c.read()).code).toBe(250);
    expect((await c.read()).code).toBe(250);
    expect((await c.read()).code).toBe(250);
    expect((await c.read()).code).toBe(354);
    c.write(message() + '\r\n.\r\nQUIT\r\n');
    expect((await c.read()).code).toBe(250);
    expect((await c.read()).code).toBe(221);
    c.close();
    const [m] = await sink.waitFor(1);
    expect(m!.rcptTo).toEqual(['b@example.com', 'c@example.com']);
  });

  it('carries 8-bit content and SMTPUTF8 addresses', async () => {
    const body = Buffer.from(
      message({ subject: 'Grüße', body: 'Ünïcödé bödy — 日本語\r\n' }).replace(
        'charset=utf-8',
        'charset=utf-8\r\nContent-Transfer-Encoding: 8bit',
      ) + '\r\n',
      'utf8',
    );
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO utf8.test');
    expect((await c.cmd('MAIL FROM:<agënt@support.example> SMTPUTF8 BODY=8BITMIME')).code).toBe(250);
    expect((await c.cmd('RCPT TO:<kündé@exämple.com>')).code).toBe(250);
    expect((await c.cmd('DATA')).code).toBe(354);
    c.write(body);
    c.write('.\r\n');
    expect((await c.read()).code).toBe(250);
    c.close();
    const [m] = await sink.waitFor(1);
    expect(m!.mailFrom).toBe('agënt@support.example');
    expect(m!.rcptTo.length).toBe(1);
    expect(canonicalAddress(m!.rcptTo[0]!)).toBe(canonicalAddress('kündé@exämple.com'));
    expect(stripTrace(m!.raw).equals(body)).toBe(true);
  });

  it('enforces the size limit while streaming: just under passes, just over gets 552 at the end of DATA', async () => {
    const head = message({ body: '' });
    const fill = (n: number) => {
      const lines: string[] = [];
      let size = head.length + 2;
      while (size + 80 <= n) {
        lines.push('x'.repeat(78));
        size += 80;
      }
      lines.push('y'.repeat(Math.max(0, n - size - 2)));
      return head + '\r\n' + lines.join('\r\n') + '\r\n';
    };
    const under = fill(64 * 1024 - 10);
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(64 * 1024);
    expect((await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: under })).code).toBe(
      250,
    );
    const over = fill(64 * 1024 + 100);
    const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: over });
    expect(r.code).toBe(552);
    expect(r.text).toMatch(/5\.3\.4/);
    expect(sink.messages.length).toBe(1);
    // far over: 1 MB, still answered (drained, not buffered)
    const huge = head + '\r\n' + ('z'.repeat(998) + '\r\n').repeat(1100);
    expect((await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: huge })).code).toBe(
      552,
    );
  });

  it('refuses SIZE= above the limit at MAIL FROM', async () => {
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO s.test');
    const r = await c.cmd('MAIL FROM:<a@support.example> SIZE=999999999');
    expect(r.code).toBe(552);
    c.close();
  });

  // Bare LF (accepted and normalised by default, or refused with smtp.bareNewline=reject): test/smtp/data-reader.test.ts.
  it('rejects bare CR in DATA (SMTP smuggling) and delivers nothing', async () => {
    for (const body of [
      message() + '\r\nline\r.\rmore\r\n',
      message() + '\r\nlone CR\rhere\r\n',
      message() + '\r\nCR LF-dot\r\n.\rMAIL FROM:<x@evil.example>\r\n',
    ]) {
      const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body });
      expect(r.code).toBe(550);
      expect(r.text).toMatch(/5\.6\.0 Bare CR or LF/);
    }
    expect(sink.messages.length).toBe(0);
  });

  it('limits recipients per message with 452', async () => {
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO r.test');
    await c.cmd('MAIL FROM:<a@support.example>');
    for (let i = 0; i < 5; i++) expect((await c.cmd(`RCPT TO:<r${i}@example.com>`)).code).toBe(250);
    const r = await c.cmd('RCPT TO:<r5@example.com>');
    expect(r.code).toBe(452);
    c.close();
  });

  it('refuses malformed and injected addresses', async () => {
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO r.test');
    await c.cmd('MAIL FROM:<a@support.example>');
    expect((await c.cmd('RCPT TO:<"a@b"@example.com>')).code).toBeGreaterThanOrEqual(500);
    expect((await c.cmd('RCPT TO:<a@b@example.com>')).code).toBeGreaterThanOrEqual(500);
    expect((await c.cmd('RCPT TO:<nodomain>')).code).toBeGreaterThanOrEqual(500);
    c.close();
  });

  it('refuses a source route (issue 17: an address that routes elsewhere is not passed on), nothing delivered', async () => {
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO r.test');
    await c.cmd('MAIL FROM:<a@support.example>');
    const r = await c.cmd('RCPT TO:<@relay.example:victim@example.com>');
    expect(r.code).toBe(553);
    expect(r.text).toMatch(/^553 5\.1\.3 Recipient address routes elsewhere/);
    expect((await c.cmd('RCPT TO:<victim@example.com>')).code).toBe(250);
    expect((await c.cmd('DATA')).code).toBe(354);
    c.write(message() + '\r\n.\r\n');
    expect((await c.read()).code).toBe(250);
    c.close();
    const [m] = await sink.waitFor(1);
    expect(m!.rcptTo).toEqual(['victim@example.com']);
  });

  it('mirrors the upstream: 4xx at DATA → 451 4.4.1, nothing delivered', async () => {
    sink.faults.dataCode = 452;
    const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() });
    expect(r.code).toBe(451);
    expect(r.text).toMatch(/4\.4\.1/);
    expect(r.text).not.toMatch(/127\.0\.0\.1|Try again later/);
    expect(sink.messages.length).toBe(0);
  });

  it('mirrors the upstream: 5xx at DATA → 5xx, nothing delivered', async () => {
    sink.faults.dataCode = 554;
    const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() });
    expect(r.code).toBe(554);
    expect(sink.messages.length).toBe(0);
  });

  it('reports recipients the upstream refused with a DSN to the sender, delivers to the rest', async () => {
    sink.faults.refuseRcpt = ['gone@example.com'];
    const r = await sendRaw(relay.port, {
      from: 'agent@support.example',
      to: ['ok@example.com', 'gone@example.com'],
      body: message(),
    });
    expect(r.code).toBe(250);
    const msgs = await sink.waitFor(2);
    const delivered = msgs.find((m) => m.rcptTo.includes('ok@example.com'))!;
    expect(delivered.rcptTo).toEqual(['ok@example.com']);
    const dsn = msgs.find((m) => m.rcptTo.includes('agent@support.example'))!;
    expect(dsn.mailFrom).toBe('');
    expect(dsn.raw.toString()).toMatch(/multipart\/report; report-type=delivery-status/);
    expect(dsn.raw.toString()).toMatch(/Final-Recipient: rfc822; gone@example.com/);
  });

  it('all recipients refused upstream → the client gets 5xx', async () => {
    sink.faults.refuseRcpt = ['gone@example.com'];
    const r = await sendRaw(relay.port, { from: 'agent@support.example', to: ['gone@example.com'], body: message() });
    expect(r.code).toBe(550);
    expect(sink.messages.length).toBe(0);
  });

  it('works with nodemailer as a client', async () => {
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: relay.port, secure: false, ignoreTLS: true });
    const info = await t.sendMail({ from: 'agent@support.example', to: 'c@example.com', subject: 'hi', text: 'hello' });
    expect(info.response).toMatch(/^250 /);
    t.close();
    await sink.waitFor(1);
  });
});

describe('upstream faults', () => {
  let relay: TestRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  it('upstream down (connection refused) → 451 4.4.1', async () => {
    const sink = await startSink();
    const url = sink.url;
    await sink.close();
    relay = await startTestRelay({ upstream: url, upstreamTimeout: '2s' });
    const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() });
    expect(r.code).toBe(451);
    expect(r.text).toMatch(/^451 4\.4\.1 Upstream mail server unavailable/);
    expect(r.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it('upstream greets with 421 → 451, then recovers when it comes back', async () => {
    const sink = await startSink({ connectCode: 421 });
    relay = await startTestRelay({ upstream: sink.url, upstreamTimeout: '2s' });
    const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() });
    expect(r.code).toBe(451);
    expect(sink.messages.length).toBe(0);
    sink.faults.connectCode = undefined;
    const r2 = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() });
    expect(r2.code).toBe(250);
    await sink.waitFor(1);
    await sink.close();
  });

  it('upstream slower than the timeout → 451 and the client is not told it was delivered', async () => {
    const sink = await startSink({ dataDelayMs: 3000 });
    relay = await startTestRelay({ upstream: sink.url, upstreamTimeout: '500ms' });
    const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() });
    expect(r.code).toBe(451);
    await sink.close();
  });
});

describe('decision stage', () => {
  let relay: TestRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  it('an inspector that throws fails closed with 451 4.3.0', async () => {
    const inspector: Inspector = async () => {
      throw new Error('extractor exploded');
    };
    relay = await startTestRelay({}, { inspector });
    const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() });
    expect(r.code).toBe(451);
    expect(r.text).toMatch(/4\.3\.0 Message could not be scanned/);
    expect(r.text).not.toMatch(/exploded/);
    expect(existsSync(join(relay.dataDir, 'outbox'))).toBe(false);
  });

  it('an inspector that hangs past scanTimeout fails closed with 451', async () => {
    const inspector: Inspector = () => new Promise(() => undefined);
    relay = await startTestRelay({ 'limits.scanTimeout': '300ms' }, { inspector });
    const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() });
    expect(r.code).toBe(451);
  });

  it('a reject verdict is answered in-session with its code and the reference', async () => {
    const inspector: Inspector = async () => ({
      action: 'reject',
      rules: ['bulk'],
      reason: 'bulk',
      hits: [],
      reply: {
        code: 550,
        enhanced: '5.7.1',
        text: 'Message carries personal data of 7 other customers (bulk); not sent',
      },
    });
    relay = await startTestRelay({}, { inspector });
    const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() });
    expect(r.code).toBe(550);
    expect(r.text).toMatch(
      /^550 5\.7\.1 Message carries personal data of 7 other customers \(bulk\); not sent, ref [0-9A-Z]{22}$/,
    );
  });

  it('a tag verdict adds X-Postguard headers and delivers', async () => {
    const inspector: Inspector = async () => ({
      action: 'tag',
      rules: ['weak'],
      reason: 'names',
      hits: [],
      headers: { 'X-Postguard-Verdict': 'tag', 'X-Postguard-Rules': 'weak', Bcc: 'evil@example.com' },
    });
    relay = await startTestRelay({}, { inspector });
    const r = await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() });
    expect(r.code).toBe(250);
    const dir = join(relay.dataDir, 'outbox');
    const eml = readdirSync(dir).find((f) => f.endsWith('.eml'))!;
    const text = readFileSync(join(dir, eml), 'utf8');
    expect(text).toMatch(/\r\nX-Postguard-Verdict: tag\r\nX-Postguard-Rules: weak\r\n/);
    expect(text).not.toMatch(/^Bcc:/m); // only our own header namespace is ever added
  });

  it('a quarantine verdict without a store fails closed; with a store it is held and answered 250 only after the write', async () => {
    const inspector: Inspector = async () => ({ action: 'quarantine', rules: ['foreign-data'], reason: 'x', hits: [] });
    relay = await startTestRelay({}, { inspector });
    expect(
      (await sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() })).code,
    ).toBe(451);
    await relay.close();
    const held: string[] = [];
    let release!: () => void;
    let holding = false;
    const gate = new Promise<void>((r) => (release = r));
    relay = await startTestRelay(
      {},
      {
        inspector,
        quarantine: {
          hold: async (m) => {
            holding = true;
            await gate;
            held.push(m.id);
          },
        },
      },
    );
    let answered = false;
    const pending = sendRaw(relay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() }).finally(
      () => (answered = true),
    );
    await waitUntil(() => holding, 30_000, 'the hold to start');
    expect(held.length).toBe(0);
    expect(answered).toBe(false);
    release();
    const r = await pending;
    expect(r.code).toBe(250);
    expect(r.text).toMatch(/held for review/);
    expect(held.length).toBe(1);
    expect(existsSync(join(relay.dataDir, 'outbox'))).toBe(false);
  });
});

describe('the upstream transaction opened while the message arrives (upstreamEarlyTransaction)', () => {
  /** An upstream (smtp-server) that records what it saw, in order, and its open connections. */
  async function recordingUpstream() {
    const events: string[] = [];
    const messages: Buffer[] = [];
    let open = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onMailFrom: (_a, _s, cb) => (events.push('MAIL'), cb()),
      onRcptTo: (_a, _s, cb) => (events.push('RCPT'), cb()),
      onData(stream, _s, cb) {
        events.push('DATA');
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (!stream.sizeExceeded) messages.push(Buffer.concat(chunks));
          events.push('message');
          cb(null, 'queued');
        });
      },
    });
    server.server.on('connection', (s: Socket) => (open++, s.on('close', () => open--)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return {
      url: `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}`,
      events,
      messages,
      open: () => open,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  /** Client up to the 354, then waits `until` before sending the body. */
  async function sendWithPause(
    port: number,
    until: () => Promise<void>,
    body = message(),
  ): Promise<{ code: number; text: string }> {
    const c = await RawSmtp.open(port);
    await c.read();
    await c.cmd('EHLO client.test');
    await c.cmd('MAIL FROM:<agent@support.example>');
    await c.cmd('RCPT TO:<customer@example.com>');
    expect((await c.cmd('DATA')).code).toBe(354);
    await until();
    c.write(body + '\r\n.\r\n');
    const r = await c.read();
    c.close();
    return r;
  }

  const waitFor = async (pred: () => boolean, what: string) => {
    const end = Date.now() + 3000;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  let relay: TestRelay | undefined;
  let up: Awaited<ReturnType<typeof recordingUpstream>> | undefined;
  afterEach(async () => {
    await relay?.close();
    await up?.close();
    relay = up = undefined;
  });

  it('the upstream is in DATA before the client sends the body; the message is delivered once, with the trace header', async () => {
    up = await recordingUpstream();
    relay = await startTestRelay({ upstream: up.url });
    const u = up;
    const body = message();
    const r = await sendWithPause(
      relay.port,
      () => waitFor(() => u.events.includes('DATA'), 'upstream DATA while the client waits'),
      body,
    );
    expect(r.code).toBe(250);
    expect(u.events).toEqual(['MAIL', 'RCPT', 'DATA', 'message']);
    expect(u.messages).toHaveLength(1);
    expect(stripTrace(u.messages[0]!).toString('latin1')).toBe(body + '\r\n');
  });

  it('a held message is never delivered: the upstream saw MAIL, RCPT and DATA, then the connection closed without a message', async () => {
    up = await recordingUpstream();
    const inspector: Inspector = async () => ({ action: 'quarantine', rules: ['foreign-data'], reason: 'x', hits: [] });
    relay = await startTestRelay({ upstream: up.url }, { inspector, quarantine: { hold: async () => undefined } });
    const u = up;
    const r = await sendWithPause(relay.port, () => waitFor(() => u.events.includes('DATA'), 'upstream DATA'));
    expect(r.code).toBe(250);
    expect(r.text).toMatch(/held for review/);
    await waitFor(() => u.open() === 0, 'the upstream connection closed');
    expect(u.events).toEqual(['MAIL', 'RCPT', 'DATA']);
    expect(u.messages).toHaveLength(0);
    // and the next message goes through on a fresh connection
    const plainRelay = await startTestRelay({ upstream: up.url });
    try {
      expect(
        (await sendRaw(plainRelay.port, { from: 'a@support.example', to: ['c@example.com'], body: message() })).code,
      ).toBe(250);
      expect(u.messages).toHaveLength(1);
    } finally {
      await plainRelay.close();
    }
  });

  it('a client that drops the connection in the middle of DATA: the upstream transaction is abandoned, nothing delivered', async () => {
    up = await recordingUpstream();
    relay = await startTestRelay({ upstream: up.url });
    const u = up;
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO client.test');
    await c.cmd('MAIL FROM:<agent@support.example>');
    await c.cmd('RCPT TO:<customer@example.com>');
    await c.cmd('DATA');
    await waitFor(() => u.events.includes('DATA'), 'upstream DATA');
    c.write('Subject: half a message\r\n\r\nsome of the bo');
    c.close();
    await waitFor(() => u.open() === 0, 'the upstream connection closed');
    expect(u.messages).toHaveLength(0);
  });

  it('upstreamEarlyTransaction false: the upstream sees nothing until the message is complete', async () => {
    up = await recordingUpstream();
    relay = await startTestRelay({ upstream: up.url, upstreamEarlyTransaction: false });
    const u = up;
    const r = await sendWithPause(relay.port, async () => {
      await new Promise((res) => setTimeout(res, 300));
      expect(u.events).toEqual([]);
    });
    expect(r.code).toBe(250);
    expect(u.events).toEqual(['MAIL', 'RCPT', 'DATA', 'message']);
    expect(u.messages).toHaveLength(1);
  });
});
