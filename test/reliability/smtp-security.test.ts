/**
 * SMTP security against the built relay (child process, real sockets, smtp-server sink upstream):
 * smuggling variants, CRLF injection in commands, envelope/header address-parser differentials, open relay from a
 * non-trusted loopback address (127.0.0.2), and AUTH brute-force throttling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BIN,
  cleanupChildren,
  freePort,
  POLICIES,
  startChildRelay,
  tempDir,
  waitUntil,
  type ChildRelay,
} from '../helpers/child-relay.js';
import { RawSmtp, type Reply } from '../helpers/smtp-client.js';
import { startSink, type Sink } from '../helpers/sink.js';

const DIRECTORY =
  'customer_id,full_name,email,phone,order_id\nc1,Jane Roe,jane.roe@example.net,+1 415 555 0100,ORD-778812\nc2,Max Mustermann,max.m@example.org,+49 151 23456789,ORD-112233\n';
const PASSWORD = 'correct horse battery staple';

let sink: Sink;
let relay: ChildRelay;
let port: number;

beforeAll(async () => {
  const dir = tempDir('pg-sec-');
  const dataDir = join(dir, 'data');
  const csv = join(dir, 'directory.csv');
  writeFileSync(csv, DIRECTORY);
  const add = spawn(process.execPath, [BIN, 'user', 'add', 'helpdesk', '--data-dir', dataDir]);
  add.stdin.end(PASSWORD + '\n');
  expect(await new Promise((r) => add.on('exit', r))).toBe(0);
  sink = await startSink();
  port = await freePort();
  relay = await startChildRelay({
    args: [
      '--listen',
      `127.0.0.1:${port}`,
      '--admin-listen',
      '',
      '--upstream',
      sink.url,
      '--data-dir',
      dataDir,
      '--directory',
      csv,
      '--policies',
      POLICIES,
      '--trusted-networks',
      '127.0.0.1/32',
      '--internal-domain',
      'support.example',
      '--hostname',
      'relay.test',
    ],
  });
}, 60_000);

afterAll(async () => {
  await relay?.kill('SIGKILL');
  await sink?.close();
  await cleanupChildren();
});

async function session(localAddress?: string): Promise<RawSmtp> {
  const c = await RawSmtp.open(port, '127.0.0.1', localAddress);
  expect((await c.read()).code).toBe(220);
  expect((await c.cmd('EHLO sec.test')).code).toBe(250);
  return c;
}

/** Every reply left on the connection after QUIT (to see replies to smuggled commands). */
async function drain(c: RawSmtp): Promise<Reply[]> {
  c.write('QUIT\r\n');
  const rs: Reply[] = [];
  for (;;) {
    try {
      rs.push(await c.read(2000));
    } catch {
      break;
    }
  }
  c.close();
  return rs;
}

function txLog(ref: string): Record<string, unknown> | undefined {
  for (const line of relay.stdout().split('\n')) {
    if (!line.includes(ref) || !line.includes('"msg":"transaction"')) continue;
    return JSON.parse(line) as Record<string, unknown>;
  }
  return undefined;
}

const SMUGGLED =
  'MAIL FROM:<agent@support.example>\r\nRCPT TO:<victim@evil.example>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled body\r\n';

describe('SMTP smuggling', () => {
  const variants: Record<string, string> = {
    'bare LF dot bare LF (\\n.\\n)': '\n.\n',
    'LF dot CRLF (\\n.\\r\\n)': '\n.\r\n',
    'CR dot CR (\\r.\\r)': '\r.\r',
    'CRLF dot LF (\\r\\n.\\n)': '\r\n.\n',
    'CRLF dot CR (\\r\\n.\\r)': '\r\n.\r',
    'CR dot CRLF (\\r.\\r\\n)': '\r.\r\n',
    'CRLF dot NUL CRLF': '\r\n.\0\r\n',
  };
  for (const [name, end] of Object.entries(variants)) {
    it(`${name}: never ends DATA, nothing smuggled (bare CR refused, bare LF normalised)`, async () => {
      const before = sink.messages.length;
      const c = await session();
      await c.cmd('MAIL FROM:<agent@support.example>');
      await c.cmd('RCPT TO:<someone@example.com>');
      expect((await c.cmd('DATA')).code).toBe(354);
      c.write(
        'From: agent@support.example\r\nTo: someone@example.com\r\nSubject: first\r\n\r\nfirst body' +
          end +
          SMUGGLED +
          '\r\n.\r\n',
      );
      const replies = await drain(c);
      // one reply to the DATA, one to QUIT: the smuggled MAIL/RCPT/DATA were never read as commands
      const codes = replies.map((r) => r.code);
      if (name === 'CRLF dot NUL CRLF') {
        // not a line ending problem: a '.\0' line is ordinary (dot-unstuffed) data; delivered as ONE message
        expect(codes).toEqual([250, 221]);
      } else if (!/\r(?!\n)/.test(end)) {
        // bare LF only (smtp.bareNewline = normalize, the default): DATA ends only at CRLF.CRLF, so the look-alike
        // and the "commands" after it are content of ONE message, handed on with CRLF line endings only
        expect(codes).toEqual([250, 221]);
        await sink.waitFor(before + 1);
        const got = sink.messages.slice(before);
        expect(got.map((m) => m.rcptTo)).toEqual([['someone@example.com']]);
        const raw = got[0]!.raw.toString('latin1');
        expect(raw).toContain('\r\nRCPT TO:<victim@evil.example>\r\n');
        expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      } else {
        expect(codes).toEqual([550, 221]);
        expect(replies[0]!.text).toMatch(/^550 5\.6\.0 /);
      }
      // the relay answers after the upstream's final reply (a held or refused message never gets its final dot
      // there), so nothing more of this session can reach the sink
      const added = sink.messages.slice(before);
      expect(added.filter((m) => m.rcptTo.includes('victim@evil.example'))).toEqual([]);
      expect(added.length).toBeLessThanOrEqual(1);
    });
  }

  it('delivers a correctly dot-stuffed look-alike as exactly one message', async () => {
    const before = sink.messages.length;
    const c = await session();
    await c.cmd('MAIL FROM:<agent@support.example>');
    await c.cmd('RCPT TO:<someone@example.com>');
    await c.cmd('DATA');
    c.write('Subject: stuffed\r\n\r\nbody\r\n..\r\n' + SMUGGLED + '\r\n.\r\n');
    const codes = (await drain(c)).map((r) => r.code);
    expect(codes).toEqual([250, 221]);
    await sink.waitFor(before + 1);
    const got = sink.messages.slice(before);
    expect(got.length).toBe(1);
    expect(got[0]!.rcptTo).toEqual(['someone@example.com']);
  });
});

describe('CRLF / control-character injection in commands', () => {
  it('refuses bare CR, NUL and embedded commands inside MAIL/RCPT/EHLO arguments', async () => {
    const c = await session();
    expect(
      (await c.cmd('MAIL FROM:<agent@support.example\rRCPT TO:<victim@evil.example>>')).code,
    ).toBeGreaterThanOrEqual(500);
    expect((await c.cmd('MAIL FROM:<agent@support.example>')).code).toBe(250);
    expect((await c.cmd('RCPT TO:<a@example.com\rRCPT TO:<victim@evil.example>>')).code).toBeGreaterThanOrEqual(500);
    expect((await c.cmd('RCPT TO:<a@example.com\0victim@evil.example>')).code).toBeGreaterThanOrEqual(500);
    expect((await c.cmd('EHLO foo\rX-Injected: yes')).code).toBeGreaterThanOrEqual(500);
    await drain(c);
  });

  it('never lets the HELO name inject a header into the delivered message', async () => {
    const before = sink.messages.length;
    const c = await RawSmtp.open(port);
    await c.read();
    // whatever the server accepts as HELO name must not become a header line
    const helo = await c.cmd('HELO x.test X-Injected: yes');
    if (helo.code !== 250) expect((await c.cmd('HELO x.test')).code).toBe(250);
    await c.cmd('MAIL FROM:<agent@support.example>');
    await c.cmd('RCPT TO:<someone@example.com>');
    await c.cmd('DATA');
    c.write('Subject: helo\r\n\r\nbody\r\n.\r\n');
    expect((await c.read()).code).toBe(250);
    await drain(c);
    await sink.waitFor(before + 1);
    const raw = sink.messages[sink.messages.length - 1]!.raw.toString('latin1');
    expect(raw).not.toMatch(/^X-Injected:/im);
  });
});

describe('address-parser differentials cannot route mail where the decision did not look', () => {
  // Each: accepted and delivered to exactly the address the relay decided on (its domain is in the transaction
  // log line), or refused at RCPT. Never a hidden second recipient.
  const tricky = [
    '<"victim@evil.example"@example.com>',
    '<victim@evil.example(comment)>',
    '<(comment)victim@evil.example>',
    '<@route.example:victim@evil.example>',
    '<victim%evil.example@example.com>',
    '<victim!evil.example@example.com>',
    '<a@example.com,victim@evil.example>',
    '<a@example.com> <victim@evil.example>',
    '<"a>b"@example.com>',
    '<"a\\"@evil.example"@example.com>',
    '<=?utf-8?q?victim=40evil.example?=@example.com>',
    '<a@example.com;victim@evil.example>',
    '<a@example.com.>',
    '<a@[127.0.0.1]>',
    '<A@EXAMPLE.COM>',
    'a@example.com',
  ];
  it.each(tricky)('RCPT TO:%s', async (addr) => {
    const before = sink.messages.length;
    const c = await session();
    expect((await c.cmd('MAIL FROM:<agent@support.example>')).code).toBe(250);
    const r = await c.cmd(`RCPT TO:${addr}`);
    if (r.code !== 250) {
      expect(r.code).toBeGreaterThanOrEqual(500);
      await drain(c);
      // the relay answers after the upstream's final reply (a held or refused message never gets its final dot
      // there), so nothing more of this session can reach the sink
      expect(sink.messages.length).toBe(before);
      return;
    }
    await c.cmd('DATA');
    c.write('From: agent@support.example\r\nTo: someone@example.com\r\nSubject: differential\r\n\r\nhello\r\n.\r\n');
    const fin = await c.read();
    await drain(c);
    if (fin.code !== 250) {
      expect(sink.messages.length).toBe(before);
      return;
    }
    await sink.waitFor(before + 1);
    const got = sink.messages.slice(before);
    expect(got.length).toBe(1);
    expect(got[0]!.rcptTo.length).toBe(1);
    const ref = /queued as (\S+)/.exec(fin.text)![1]!;
    await waitUntil(() => txLog(ref) !== undefined, 5000, 'transaction log line');
    const log = txLog(ref);
    // the domain the upstream got is the one the decision saw
    const delivered = got[0]!.rcptTo[0]!.toLowerCase();
    expect(log!.rcptDomains).toEqual([delivered.slice(delivered.lastIndexOf('@') + 1)]);
    expect(log!.rcptCount).toBe(1);
  });

  it('routes by the envelope only: encoded-word, comment and group tricks in To/Cc add no recipient', async () => {
    const before = sink.messages.length;
    const headers = [
      'To: =?utf-8?q?victim=40evil.example?= <someone@example.com>',
      'Cc: "victim@evil.example" <someone@example.com>, (victim@evil.example) someone@example.com',
      'Cc: undisclosed:victim@evil.example;',
      'Bcc: victim@evil.example',
      'Resent-To: victim@evil.example',
    ];
    const c = await session();
    await c.cmd('MAIL FROM:<agent@support.example>');
    await c.cmd('RCPT TO:<someone@example.com>');
    await c.cmd('DATA');
    c.write(`From: agent@support.example\r\n${headers.join('\r\n')}\r\nSubject: tricks\r\n\r\nhello\r\n.\r\n`);
    const fin = await c.read();
    await drain(c);
    // the relay may hold it (victim's address is visible), but it must not route to victim
    expect([250]).toContain(fin.code);
    // the relay answers after the upstream's final reply (a held or refused message never gets its final dot
    // there), so nothing more of this session can reach the sink
    for (const m of sink.messages.slice(before)) expect(m.rcptTo).not.toContain('victim@evil.example');
  });

  it('sees a customer address hidden in a To display name as an encoded word (foreign data → held, not delivered)', async () => {
    const before = sink.messages.length;
    const c = await session();
    await c.cmd('MAIL FROM:<agent@support.example>');
    await c.cmd('RCPT TO:<max.m@example.org>');
    await c.cmd('DATA');
    // Max sees Jane's address decoded in his mail client's To: line
    c.write(
      'From: agent@support.example\r\nTo: =?utf-8?q?jane=2Eroe=40example=2Enet?= <max.m@example.org>\r\nSubject: your order\r\n\r\nHello Max,\r\nyour parcel is on its way.\r\n.\r\n',
    );
    const fin = await c.read();
    await drain(c);
    expect(fin.code).toBe(250);
    expect(fin.text).toMatch(/held for review/);
    // the relay answers after the upstream's final reply (a held or refused message never gets its final dot
    // there), so nothing more of this session can reach the sink
    expect(sink.messages.slice(before).filter((m) => m.rcptTo.includes('max.m@example.org'))).toEqual([]);
  });
});

describe('open relay and AUTH', () => {
  it('refuses to relay for a client outside trustedNetworks (127.0.0.2 with only 127.0.0.1/32 trusted)', async () => {
    const before = sink.messages.length;
    const c = await session('127.0.0.2');
    const mf = await c.cmd('MAIL FROM:<agent@support.example>');
    expect(mf.code).toBe(530);
    expect(mf.text).toMatch(/5\.7\.0 Authentication required/);
    expect((await c.cmd('RCPT TO:<victim@evil.example>')).code).toBeGreaterThanOrEqual(500);
    expect((await c.cmd('DATA')).code).toBeGreaterThanOrEqual(500);
    // AUTH in cleartext from outside: refused, even with the right password
    const plain = Buffer.from(`\0helpdesk\0${PASSWORD}`).toString('base64');
    expect((await c.cmd(`AUTH PLAIN ${plain}`)).code).toBe(538);
    expect((await c.cmd('MAIL FROM:<agent@support.example>')).code).toBe(530);
    await drain(c);
    // the same client from the trusted address works
    const t = await session('127.0.0.1');
    expect((await t.cmd('MAIL FROM:<agent@support.example>')).code).toBe(250);
    await drain(t);
    // the relay answers after the upstream's final reply (a held or refused message never gets its final dot
    // there), so nothing more of this session can reach the sink
    expect(sink.messages.length).toBe(before);
  });

  it('throttles AUTH guessing: growing delay per failure, connection closed after maxAuthFailures (5)', async () => {
    const c = await session();
    const times: number[] = [];
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t0 = Date.now();
      let r: Reply;
      try {
        r = await c.cmd(`AUTH PLAIN ${Buffer.from(`\0helpdesk\0wrong-${i}`).toString('base64')}`);
      } catch {
        codes.push(-1); // closed
        break;
      }
      times.push(Date.now() - t0);
      codes.push(r.code);
    }
    console.log('[auth-throttle]', JSON.stringify({ codes, delaysMs: times }));
    expect(codes.slice(0, 4)).toEqual([535, 535, 535, 535]);
    expect(codes[4]).toBe(421);
    await waitUntil(() => c.closed, 3000, 'connection close');
    // delays grow: 250 ms × failure number
    for (let i = 0; i < 4; i++) expect(times[i]!).toBeGreaterThanOrEqual(250 * (i + 1) - 30);
    // the right password still works on a fresh connection
    const ok = await session();
    expect((await ok.cmd(`AUTH PLAIN ${Buffer.from(`\0helpdesk\0${PASSWORD}`).toString('base64')}`)).code).toBe(235);
    await drain(ok);
  });
});
