/**
 * The start-up upstream check names each cause for what it is, over real sockets: a name that does not resolve,
 * a closed port, TLS required from a plain-text server, implicit TLS to a plain-text server, credentials refused,
 * and an unwritable outbox.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { checkUpstream } from '../../src/deliver/upstream-check.js';
import { freePort } from '../helpers/child-relay.js';
import { startSink, type Sink } from '../helpers/sink.js';

const config = (flags: Record<string, unknown>) => loadConfig({ env: {}, flags: { upstreamTimeout: '10s', ...flags } });

let sink: Sink;
let authServer: SMTPServer;
let authPort: number;
beforeAll(async () => {
  sink = await startSink();
  // Offers AUTH over plain text and refuses every credential, as a mail server with a changed password does.
  authServer = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(_auth, _session, cb) {
      cb(new Error('Authentication credentials invalid'));
    },
  });
  authServer.on('error', () => undefined);
  await new Promise<void>((r) => authServer.listen(0, '127.0.0.1', () => r()));
  authPort = (authServer.server.address() as { port: number }).port;
});
afterAll(async () => {
  await sink.close();
  await new Promise<void>((r) => authServer.close(() => r()));
});

describe('checkUpstream', () => {
  it('passes for a reachable SMTP server', async () => {
    expect(await checkUpstream(config({ upstream: `smtp://127.0.0.1:${sink.port}` }))).toEqual({ ok: true });
  }, 30_000);

  it('a name that does not resolve is a DNS problem', async () => {
    const r = await checkUpstream(config({ upstream: 'smtp://relay.postguard-test.invalid:25' }));
    expect(r).toMatchObject({ ok: false, problem: 'dns' });
    expect(r.ok || ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME'].includes(r.errCode)).toBe(true);
  }, 30_000);

  it('a closed port is "refused", not the same code as DNS', async () => {
    const port = await freePort();
    expect(await checkUpstream(config({ upstream: `smtp://127.0.0.1:${port}` }))).toMatchObject({
      ok: false,
      problem: 'refused',
      errCode: 'ECONNREFUSED',
    });
  }, 30_000);

  it('STARTTLS required from a plain-text server is a TLS problem', async () => {
    const r = await checkUpstream(config({ upstream: `smtp://127.0.0.1:${sink.port}`, upstreamStartTls: 'required' }));
    expect(r).toMatchObject({ ok: false, problem: 'tls', errCode: 'ETLS' });
  }, 30_000);

  it('implicit TLS (smtps://) to a plain-text server is a TLS problem', async () => {
    const r = await checkUpstream(config({ upstream: `smtps://127.0.0.1:${sink.port}` }));
    expect(r).toMatchObject({ ok: false, problem: 'tls', errCode: 'ETLS' });
  }, 30_000);

  it('refused credentials are an AUTH problem, and the password is not in the reason', async () => {
    const r = await checkUpstream(
      config({ upstream: `smtp://127.0.0.1:${authPort}`, upstreamUser: 'relay', upstreamPassword: 'hunter2-secret' }),
    );
    expect(r).toMatchObject({ ok: false, problem: 'auth', errCode: 'EAUTH' });
    expect(JSON.stringify(r)).not.toContain('hunter2-secret');
  }, 30_000);

  it('an outbox that can be created passes; one under a file (not a folder) is an outbox problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-upcheck-'));
    try {
      expect(await checkUpstream(config({ upstream: `dir:${join(dir, 'new', 'outbox')}` }))).toEqual({ ok: true });
      writeFileSync(join(dir, 'file'), 'x');
      expect(await checkUpstream(config({ upstream: `dir:${join(dir, 'file', 'outbox')}` }))).toMatchObject({
        ok: false,
        problem: 'outbox',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
