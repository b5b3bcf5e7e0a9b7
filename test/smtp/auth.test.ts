/**
 * Relay permission: trusted networks, AUTH PLAIN/LOGIN with scrypt users, TLS for AUTH from outside, limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { startSink, type Sink } from '../helpers/sink.js';
import { RawSmtp } from '../helpers/smtp-client.js';
import { message, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { UserStore } from '../../src/smtp/users.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('untrusted clients', () => {
  let sink: Sink;
  let relay: TestRelay;
  let tlsDir: string;

  beforeAll(async () => {
    sink = await startSink();
    tlsDir = mkdtempSync(join(tmpdir(), 'pg-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(tlsDir, 'key.pem'),
        '-out',
        join(tlsDir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=relay.test',
      ],
      { stdio: 'ignore' },
    );
    // 127.0.0.1 is NOT trusted here: every client must authenticate.
    relay = await startTestRelay({
      upstream: sink.url,
      trustedNetworks: ['10.99.0.0/16'],
      'tls.cert': join(tlsDir, 'cert.pem'),
      'tls.key': join(tlsDir, 'key.pem'),
      'limits.maxAuthFailures': '3',
      'limits.maxConnectionsPerClient': '3',
    });
    await new UserStore(join(relay.dataDir, 'users.json')).add('helpdesk', 'correct horse battery');
  });
  afterAll(async () => {
    await relay.close();
    await sink.close();
    rmSync(tlsDir, { recursive: true, force: true });
  });

  it('stores users as scrypt hashes in a 0600 file', () => {
    const file = join(relay.dataDir, 'users.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/"hash": "scrypt\$16384\$8\$1\$/);
    expect(text).not.toContain('correct horse');
  });

  it('refuses to relay without AUTH (no open relay)', async () => {
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO anon.test');
    const r = await c.cmd('MAIL FROM:<spammer@evil.example>');
    expect(r.code).toBe(530);
    expect(r.text).toMatch(/5\.7\.0 Authentication required/);
    expect((await c.cmd('RCPT TO:<victim@example.com>')).code).toBeGreaterThanOrEqual(500);
    c.close();
  });

  it('refuses AUTH in cleartext from outside the trusted networks with 538 5.7.11, before any credential is read', async () => {
    const c = await RawSmtp.open(relay.port);
    expect((await c.read()).text).toBe('220 relay.test ESMTP postguard');
    const ehlo = await c.cmd('EHLO anon.test');
    expect(ehlo.text).toMatch(/STARTTLS/);
    expect(ehlo.text).not.toMatch(/AUTH/);
    const r = await c.cmd(`AUTH PLAIN ${b64('\0helpdesk\0wrong password')}`);
    expect(r.text).toBe('538 5.7.11 Encryption required for requested authentication mechanism');
    // AUTH LOGIN would prompt (334) for the user name and password: refused before the first prompt
    expect((await c.cmd('AUTH LOGIN')).text).toMatch(/^538 5\.7\.11 /);
    c.close();
    // the password was never checked: no failed attempt was counted or logged
    expect(relay.logs.filter((l) => l.msg === 'authentication failed')).toEqual([]);
  });

  it('a real client (python3 smtplib): no AUTH in EHLO before STARTTLS, AUTH PLAIN LOGIN after it, login works', async () => {
    const script = [
      'import smtplib, ssl, sys',
      's = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)',
      's.ehlo("py.test")',
      'print("before", s.has_extn("auth"), s.esmtp_features.get("auth", "").strip())',
      'ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE',
      's.starttls(context=ctx)',
      's.ehlo("py.test")',
      'print("after", s.has_extn("auth"), s.esmtp_features.get("auth", "").strip())',
      'print("login", s.login("helpdesk", "correct horse battery")[0])',
      's.quit()',
    ].join('\n');
    // asynchronously: the relay runs in this process
    const { stdout: out } = await promisify(execFile)('python3', ['-c', script, String(relay.port)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => l.trim()),
    ).toEqual(['before False', 'after True PLAIN LOGIN', 'login 235']);
  });

  it('relays after STARTTLS + AUTH PLAIN and AUTH LOGIN', async () => {
    for (const method of ['PLAIN', 'LOGIN']) {
      const t = nodemailer.createTransport({
        host: '127.0.0.1',
        port: relay.port,
        secure: false,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
        auth: { user: 'helpdesk', pass: 'correct horse battery', method },
      });
      const info = await t.sendMail({
        envelope: { from: 'agent@support.example', to: ['c@example.com'] },
        raw: message(),
      });
      expect(info.response).toMatch(/^250 /);
      t.close();
    }
    await sink.waitFor(2);
    // the trace header records an authenticated TLS session
    expect(sink.messages[0]!.raw.toString()).toMatch(/with ESMTPSA id /);
  });

  it('rejects wrong passwords and closes the connection after the limit', async () => {
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port: relay.port,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'helpdesk', pass: 'wrong' },
    });
    await expect(t.verify()).rejects.toMatchObject({ responseCode: 535 });
    t.close();
    const unknown = nodemailer.createTransport({
      host: '127.0.0.1',
      port: relay.port,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'nobody', pass: 'wrong' },
    });
    await expect(unknown.verify()).rejects.toMatchObject({ responseCode: 535 });
    unknown.close();
    const line = relay.logs.find((l) => l.msg === 'authentication failed');
    expect(line).toBeDefined();
    expect(JSON.stringify(relay.logs)).not.toContain('wrong"');
  });

  it('limits connections per client address with 421', async () => {
    const conns = await Promise.all([0, 1, 2].map(() => RawSmtp.open(relay.port)));
    for (const c of conns) expect((await c.read()).code).toBe(220);
    const extra = await RawSmtp.open(relay.port);
    const r = await extra.read();
    expect(r.code).toBe(421);
    for (const c of [...conns, extra]) c.close();
  });
});

describe('AUTH brute force across connections', () => {
  it('refuses AUTH from an address after its failure budget, even with the right password, until the window ends', async () => {
    const sink = await startSink();
    const relay = await startTestRelay({
      upstream: sink.url,
      trustedNetworks: ['10.99.0.0/16'],
      authRequireTls: 'false',
      'limits.maxAuthFailuresPerClient': '3',
      'limits.maxAuthFailures': '2',
    });
    await new UserStore(join(relay.dataDir, 'users.json')).add('helpdesk', 'correct horse battery');
    const attempt = async (password: string) => {
      const c = await RawSmtp.open(relay.port);
      await c.read();
      await c.cmd('EHLO brute.test');
      const r = await c.cmd(`AUTH PLAIN ${b64(`\0helpdesk\0${password}`)}`);
      c.close();
      return r;
    };
    expect((await attempt('correct horse battery')).code).toBe(235);
    for (let i = 0; i < 3; i++) expect((await attempt(`guess-${i}`)).code).toBe(535); // three new connections
    const blocked = await attempt('correct horse battery');
    expect(blocked.code).toBe(454);
    expect(blocked.text).toMatch(/Too many failed authentication attempts/);
    await relay.close();
    await sink.close();
  });
});

describe('trusted networks', () => {
  it('loopback relays without AUTH by default', async () => {
    const sink = await startSink();
    const relay = await startTestRelay({ upstream: sink.url });
    const c = await RawSmtp.open(relay.port);
    await c.read();
    await c.cmd('EHLO local.test');
    expect((await c.cmd('MAIL FROM:<a@support.example>')).code).toBe(250);
    expect((await c.cmd('RCPT TO:<b@example.com>')).code).toBe(250);
    c.close();
    await relay.close();
    await sink.close();
  });
});
