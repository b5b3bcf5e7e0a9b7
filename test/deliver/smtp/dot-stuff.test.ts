import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { wireBody } from '../../../src/deliver/smtp/dot-stuff.js';

/** What goes on the wire after DATA, as one string (latin1: one char per byte). */
function wire(body: string | Buffer): string {
  return Buffer.concat(wireBody(typeof body === 'string' ? Buffer.from(body, 'latin1') : body)).toString('latin1');
}

/**
 * What an SMTP server makes of the bytes after DATA (RFC 5321 §4.5.2): lines up to the first line that is a lone
 * '.', a leading '.' removed from the others. `rest` is whatever followed the terminator (must be nothing).
 */
function unstuff(w: string): { body: string; rest: string } | null {
  let body = '';
  let pos = 0;
  for (;;) {
    const end = w.indexOf('\r\n', pos);
    if (end === -1) return null; // never terminated
    const line = w.slice(pos, end);
    pos = end + 2;
    if (line === '.') return { body, rest: w.slice(pos) };
    body += (line.startsWith('.') ? line.slice(1) : line) + '\r\n';
  }
}

/** The body with every CRLF, bare CR and bare LF as CRLF, and a final CRLF when it has content. */
function normalized(body: string): string {
  const b = body.replace(/\r\n|\r|\n/g, '\r\n');
  return b === '' || b.endsWith('\r\n') ? b : b + '\r\n';
}

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

describe('wireBody (dot-stuffing)', () => {
  it('adds only the terminator to a CRLF message', () => {
    expect(wire('Subject: hi\r\n\r\nhello\r\n')).toBe('Subject: hi\r\n\r\nhello\r\n.\r\n');
  });

  it('passes a message without dots at line starts through as the same Buffer (zero copy), plus the terminator', () => {
    const raw = Buffer.from('Subject: a.b\r\n\r\nend. of. line.\r\n');
    const out = wireBody(raw);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(raw);
    expect(out[1]!.toString('latin1')).toBe('.\r\n');
  });

  it('does not copy the message around doubled dots either (slices of the same memory)', () => {
    const raw = Buffer.from('a\r\n.b\r\nc\r\n');
    const out = wireBody(raw);
    for (const part of out) {
      if (part.length > 1 && part.toString('latin1') !== '.\r\n') expect(part.buffer).toBe(raw.buffer);
    }
    expect(Buffer.concat(out).toString('latin1')).toBe('a\r\n..b\r\nc\r\n.\r\n');
  });

  it('doubles a dot at the start of the first line', () => {
    expect(wire('.hidden\r\n')).toBe('..hidden\r\n.\r\n');
    expect(wire('.')).toBe('..\r\n.\r\n');
  });

  it('doubles dots after every CRLF, and only at a line start', () => {
    expect(wire('a\r\n.b\r\n..c\r\nd.e\r\n.\r\n')).toBe('a\r\n..b\r\n...c\r\nd.e\r\n..\r\n.\r\n');
  });

  it('never lets a CRLF.CRLF inside the body end the data early (SMTP smuggling)', () => {
    const body =
      'Subject: x\r\n\r\nhi\r\n.\r\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\n\r\nspoofed\r\n.\r\n';
    const w = wire(body);
    expect(count(w, '\r\n.\r\n')).toBe(1);
    expect(w.endsWith('\r\n.\r\n')).toBe(true);
    expect(unstuff(w)).toEqual({ body, rest: '' });
  });

  it('normalises bare LF and bare CR to CRLF, so no line end or terminator can hide in them', () => {
    expect(wire('a\nb\n')).toBe('a\r\nb\r\n.\r\n');
    expect(wire('a\rb\r')).toBe('a\r\nb\r\n.\r\n');
    expect(wire('a\r\r\nb')).toBe('a\r\n\r\nb\r\n.\r\n');
    expect(wire('a\n\rb')).toBe('a\r\n\r\nb\r\n.\r\n');
    // smuggling variants with bare line ends: the dot is a line start after normalisation, so it is doubled
    expect(wire('hi\n.\nMAIL FROM:<x@y>\n')).toBe('hi\r\n..\r\nMAIL FROM:<x@y>\r\n.\r\n');
    expect(wire('hi\r\n.\rMAIL FROM:<x@y>\r\n')).toBe('hi\r\n..\r\nMAIL FROM:<x@y>\r\n.\r\n');
    expect(wire('hi\r.\r\nx')).toBe('hi\r\n..\r\nx\r\n.\r\n');
  });

  it('does not change the caller’s buffer when normalising', () => {
    const raw = Buffer.from('a\nb');
    wireBody(raw);
    expect(raw.toString('latin1')).toBe('a\nb');
  });

  it('adds the missing final CRLF before the terminator', () => {
    expect(wire('no newline at the end')).toBe('no newline at the end\r\n.\r\n');
    expect(wire('a\r\nb')).toBe('a\r\nb\r\n.\r\n');
    expect(wire('x')).toBe('x\r\n.\r\n');
  });

  it('sends only the terminator for an empty body', () => {
    expect(wire('')).toBe('.\r\n');
    expect(wire('\r\n')).toBe('\r\n.\r\n');
  });

  it('keeps 8-bit bytes as they are', () => {
    const raw = Buffer.from('Subject: Grüße\r\n\r\n.Ünïcødé 😀\r\n', 'utf8');
    const w = Buffer.concat(wireBody(raw));
    expect(
      w.equals(Buffer.concat([Buffer.from('Subject: Grüße\r\n\r\n..Ünïcødé 😀\r\n', 'utf8'), Buffer.from('.\r\n')])),
    ).toBe(true);
  });

  describe('properties (random bodies rich in dots, CR and LF)', () => {
    const bodyBytes = fc
      .array(
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(46, 13, 10) },
          { weight: 2, arbitrary: fc.integer({ min: 0, max: 255 }) },
        ),
        { maxLength: 60 },
      )
      .map((a) => Buffer.from(a));

    it('un-stuffing the wire output (what a server does) gives back the CRLF-normalised body, with nothing after the terminator', () => {
      fc.assert(
        fc.property(bodyBytes, (raw) => {
          const body = raw.toString('latin1');
          expect(unstuff(wire(raw))).toEqual({ body: normalized(body), rest: '' });
        }),
        { numRuns: 2000 },
      );
    });

    it('the wire output has exactly one CRLF.CRLF, at its end, and no bare CR or LF', () => {
      fc.assert(
        fc.property(bodyBytes, (raw) => {
          const w = wire(raw);
          expect(w.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
          if (normalized(raw.toString('latin1')) === '') {
            expect(w).toBe('.\r\n');
          } else {
            expect(count(w, '\r\n.\r\n')).toBe(1);
            expect(w.endsWith('\r\n.\r\n')).toBe(true);
            expect(w.startsWith('.\r\n')).toBe(false);
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});
