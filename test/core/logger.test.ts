/**
 * The logger's redaction: sensitive field names are censored at the top of a line and one level down, in any
 * log line; other fields are written as given.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createLogger, redactFields } from '../../src/core/logger.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
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
    for (const secret of ['hunter2', 'ORD-1', 'jane@example.com', 'max@example.org'])
      expect(text).not.toContain(secret);
  });

  it("returns the same object when nothing is sensitive, and never changes the caller's object", () => {
    const clean = { tx: 'T', rcptCount: 2, rules: ['r1'], nested: { size: 1 } };
    expect(redactFields(clean)).toBe(clean);
    const dirty = { tx: 'T', nested: { raw: 'body' } };
    const red = redactFields(dirty);
    expect(red).toEqual({ tx: 'T', nested: { raw: '[redacted]' } });
    expect(dirty.nested.raw).toBe('body');
  });
});

describe('logger destination', () => {
  it('writes each line to stdout before the call returns: a process killed right after logging loses nothing', () => {
    // The built logger in a child process: log, then SIGKILL itself (no exit handler can flush anything).
    const logger = resolve('dist/src/core/logger.js');
    const script = `import { createLogger } from ${JSON.stringify(pathToFileURL(logger).href)};
      const log = createLogger('info');
      for (let i = 0; i < 50; i++) log.info({ tx: 'T' + i }, 'transaction');
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    const lines = child.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tx: string });
    expect(lines.map((l) => l.tx)).toEqual(Array.from({ length: 50 }, (_, i) => `T${i}`));
  });
});
