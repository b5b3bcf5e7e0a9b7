/**
 * The logger's redaction: sensitive field names are censored at the top of a line and one level down, in any
 * log line; other fields are written as given.
 */
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, redactFields } from '../../src/core/logger.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger redaction', () => {
  it('censors secrets and message content at depth 0 and 1, keeps everything else', () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    logger.info(
      {
        tx: 'T1',
        password: 'hunter2',
        subject: 'Your order ORD-1',
        envelope: { mailFrom: 'jane@example.com', rcptTo: ['max@example.org'], size: 10 },
        findings: [{ kind: 'email', value: 'jane@example.com' }, 'plain'],
        rcptDomains: ['example.org'],
      },
      'transaction',
    );
    const [line] = out.lines();
    expect(line).toMatchObject({
      tx: 'T1',
      password: '[redacted]',
      subject: '[redacted]',
      envelope: { mailFrom: '[redacted]', rcptTo: '[redacted]', size: 10 },
      findings: [{ kind: 'email', value: '[redacted]' }, 'plain'],
      rcptDomains: ['example.org'],
      msg: 'transaction',
    });
    const text = JSON.stringify(line);
    for (const secret of ['hunter2', 'ORD-1', 'jane@example.com', 'max@example.org']) expect(text).not.toContain(secret);
  });

  it('returns the same object when nothing is sensitive, and never changes the caller\'s object', () => {
    const clean = { tx: 'T', rcptCount: 2, rules: ['r1'], nested: { size: 1 } };
    expect(redactFields(clean)).toBe(clean);
    const dirty = { tx: 'T', nested: { raw: 'body' } };
    const red = redactFields(dirty);
    expect(red).toEqual({ tx: 'T', nested: { raw: '[redacted]' } });
    expect(dirty.nested.raw).toBe('body');
  });
});
