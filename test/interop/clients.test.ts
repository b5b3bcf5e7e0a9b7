/**
 * Clients no one here wrote: swaks and Python's smtplib, against the real relay and a real upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSink, type Sink } from '../helpers/sink.js';
import { startTestRelay, type TestRelay } from '../helpers/relay.js';

const run = promisify(execFile);

describe('interop with real clients', () => {
  let sink: Sink;
  let relay: TestRelay;

  beforeAll(async () => {
    sink = await startSink();
    relay = await startTestRelay({ upstream: sink.url, 'limits.maxSize': '1MB' });
  });
  afterAll(async () => {
    await relay.close();
    await sink.close();
  });

  it('swaks sends a message with an attachment through the relay', async () => {
    const { stdout } = await run('swaks', [
      '--server',
      `127.0.0.1:${relay.port}`,
      '--from',
      'agent@support.example',
      '--to',
      'customer@example.com',
      '--header',
      'Subject: swaks test',
      '--body',
      'Hello from swaks',
      '--attach-type',
      'text/csv',
      '--attach-name',
      'list.csv',
      '--attach',
      '@/dev/null',
    ]);
    expect(stdout).toMatch(/<- {2}250 2\.6\.0 OK queued as [0-9A-Z]{22}/);
    const [m] = await sink.waitFor(1);
    expect(m!.rcptTo).toEqual(['customer@example.com']);
    expect(m!.raw.toString()).toMatch(/Subject: swaks test/);
  });

  it('swaks sees 552 for an over-size message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-swaks-'));
    writeFileSync(join(dir, 'big.txt'), ('x'.repeat(76) + '\n').repeat(15_000));
    const { stdout } = await run('swaks', [
      '--server',
      `127.0.0.1:${relay.port}`,
      '--from',
      'a@support.example',
      '--to',
      'c@example.com',
      '--body',
      `@${join(dir, 'big.txt')}`,
      '--suppress-data',
    ]).catch((e: { stdout: string }) => e);
    rmSync(dir, { recursive: true, force: true });
    expect(stdout).toMatch(/<\*\* 552 5\.3\.4 Message exceeds the size limit/);
  });

  it("Python's smtplib sends with SMTPUTF8 and sees the reply codes", async () => {
    const script = `
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m['From'] = 'agent@support.example'
m['To'] = 'kunde@example.de'
m['Subject'] = 'Grüße aus Python'
m.set_content('Hallo Jürgen, Ihre Bestellung ist unterwegs.')
with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:
    s.ehlo('python.test')
    assert s.has_extn('smtputf8') and s.has_extn('pipelining') and s.has_extn('size')
    refused = s.send_message(m, mail_options=['SMTPUTF8'])
    print('refused', refused)
    code, text = s.noop()
    print('noop', code)
    try:
        s.sendmail('agent@support.example', ['<bad'], 'Subject: x\\r\\n\\r\\nx')
    except smtplib.SMTPRecipientsRefused as e:
        print('bad-rcpt', list(e.recipients.values())[0][0])
`;
    const { stdout } = await run('python3', ['-c', script, String(relay.port)]);
    expect(stdout).toMatch(/refused \{\}/);
    expect(stdout).toMatch(/noop 250/);
    expect(stdout).toMatch(/bad-rcpt 5\d\d/);
    const msgs = await sink.waitFor(2);
    expect(msgs.some((m) => m.rcptTo[0] === 'kunde@example.de')).toBe(true);
  });
});
