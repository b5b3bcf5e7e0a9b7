import { describe, expect, it } from 'vitest';
import { ReplyParser, type SmtpResponse } from '../../../src/deliver/smtp/reply-parser.js';
import { UpstreamError } from '../../../src/deliver/smtp/errors.js';

/** Every reply the parser produces for these chunks, in order. */
function parse(...chunks: (string | Buffer)[]): SmtpResponse[] {
  const p = new ReplyParser();
  return chunks.flatMap((c) => p.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : c));
}

function protocolError(fn: () => unknown): UpstreamError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error('expected an UpstreamError, nothing was thrown');
}

const EHLO = '250-mx.example.com Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n';

describe('ReplyParser', () => {
  it('parses a one-line reply', () => {
    expect(parse('250 2.0.0 Ok: queued as ABC123\r\n')).toEqual([
      { code: 250, lines: ['2.0.0 Ok: queued as ABC123'], text: '250 2.0.0 Ok: queued as ABC123' },
    ]);
  });

  it('accepts a reply that is only a code, and a bare LF line end', () => {
    expect(parse('250\r\n')).toEqual([{ code: 250, lines: [''], text: '250' }]);
    expect(parse('354 go ahead\n')).toEqual([{ code: 354, lines: ['go ahead'], text: '354 go ahead' }]);
  });

  it('parses a multi-line reply into one response with every line', () => {
    const [r, ...rest] = parse(EHLO);
    expect(rest).toEqual([]);
    expect(r!.code).toBe(250);
    expect(r!.lines).toEqual(['mx.example.com Hello', 'PIPELINING', 'SIZE 10240000', '8BITMIME']);
    expect(r!.text).toBe('250 mx.example.com Hello 250 PIPELINING 250 SIZE 10240000 250 8BITMIME');
  });

  it('gives nothing until the final line of a reply has arrived', () => {
    const p = new ReplyParser();
    expect(p.push(Buffer.from('250-first\r\n250-second\r\n'))).toEqual([]);
    expect(p.push(Buffer.from('250 la'))).toEqual([]);
    expect(p.push(Buffer.from('st\r'))).toEqual([]);
    expect(p.push(Buffer.from('\n'))).toEqual([
      { code: 250, lines: ['first', 'second', 'last'], text: '250 first 250 second 250 last' },
    ]);
  });

  it('returns pipelined replies that arrive in one chunk together, in order', () => {
    const replies = parse(
      '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <x@example.com>: no such user\r\n451-4.3.0 busy\r\n451 4.3.0 try later\r\n354 End data with <CR><LF>.<CR><LF>\r\n',
    );
    expect(replies.map((r) => r.code)).toEqual([250, 250, 550, 451, 354]);
    expect(replies[2]!.lines).toEqual(['5.1.1 <x@example.com>: no such user']);
    expect(replies[3]!.lines).toEqual(['4.3.0 busy', '4.3.0 try later']);
  });

  const stream =
    EHLO + '250 2.1.0 Ok\r\n550 5.1.1 unknown\r\n354 go ahead\r\n' + '250 2.0.0 Ok: queued as Ünïcødé-ÄBC 😀\r\n';
  const bytes = Buffer.from(stream, 'utf8');
  const whole = parse(bytes);

  it('(reference) the whole stream parses into five replies', () => {
    expect(whole.map((r) => r.code)).toEqual([250, 250, 550, 354, 250]);
    expect(whole[4]!.text).toBe('250 2.0.0 Ok: queued as Ünïcødé-ÄBC 😀');
  });

  it('gives the same replies when the bytes are split in two at every offset (UTF-8 characters included)', () => {
    for (let i = 0; i <= bytes.length; i++) {
      expect(parse(bytes.subarray(0, i), bytes.subarray(i)), `split at byte ${i}`).toEqual(whole);
    }
  });

  it('gives the same replies when the bytes arrive one at a time', () => {
    const chunks = Array.from(bytes, (_b, i) => bytes.subarray(i, i + 1));
    expect(parse(...chunks)).toEqual(whole);
  });

  it('gives the same replies when split in three at many offset pairs', () => {
    for (let i = 0; i < bytes.length; i += 3) {
      for (let j = i; j <= bytes.length; j += 7) {
        expect(parse(bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)), `split at ${i}/${j}`).toEqual(
          whole,
        );
      }
    }
  });

  it.each([
    ['a banner that is not SMTP', 'SSH-2.0-OpenSSH_9.6\r\n'],
    ['an HTTP response', 'HTTP/1.1 400 Bad Request\r\n'],
    ['a code out of range (6xx)', '600 nope\r\n'],
    ['a code out of range (1xx)', '199 nope\r\n'],
    ['a non-digit code', '25x Ok\r\n'],
    ['a bad separator after the code', '250_Ok\r\n'],
    ['a code too short', '25\r\n'],
    ['an empty line', '\r\n'],
    ['garbage after a good reply', '250 Ok\r\nwhat?\r\n'],
    ['garbage inside a multi-line reply', '250-mx\r\nPIPELINING\r\n250 Ok\r\n'],
  ])('throws EPROTOCOL on %s', (_what, input) => {
    expect(protocolError(() => parse(input)).code).toBe('EPROTOCOL');
  });

  it('throws EPROTOCOL on a line longer than any SMTP reply, even before its line end arrives', () => {
    const p = new ReplyParser();
    p.push(Buffer.from('250 '));
    expect(protocolError(() => p.push(Buffer.alloc(5000, 'a'))).code).toBe('EPROTOCOL');
  });

  it('throws EPROTOCOL on a reply with an endless number of lines', () => {
    const p = new ReplyParser();
    expect(
      protocolError(() => {
        for (let i = 0; i < 1000; i++) p.push(Buffer.from('250-more\r\n'));
      }).code,
    ).toBe('EPROTOCOL');
  });

  it('still parses a long (but sane) multi-line reply', () => {
    const lines = Array.from({ length: 50 }, (_v, i) => `250-EXT${i}`).join('\r\n');
    const [r] = parse(`${lines}\r\n250 END\r\n`);
    expect(r!.lines).toHaveLength(51);
  });
});
