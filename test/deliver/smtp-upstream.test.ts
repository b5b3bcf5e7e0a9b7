/**
 * SmtpUpstream (our pipelined SMTP client and its pool) against real SMTP servers on loopback: smtp-server for
 * everything it can do (STARTTLS, implicit TLS, AUTH, hidden extensions, refusals), the scripted raw-socket
 * upstream (test/helpers/fault-upstream.ts) for a server that goes silent or drops the connection mid-transaction,
 * a scripted STARTTLS server (injection, silence during and after the handshake), and the built module in a child
 * process for "close() lets the process exit".
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerAddressArgs, type SMTPServerOptions } from 'smtp-server';
import { SmtpUpstream, type SmtpUpstreamOptions } from '../../src/deliver/smtp-upstream.js';
import type { DeliveryResult } from '../../src/deliver/types.js';
import { startFaultUpstream, type FaultUpstream } from '../helpers/fault-upstream.js';

// ---------------------------------------------------------------------------------------------------------------
// A recording SMTP server

interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  /** Parameters of MAIL FROM as the server parsed them (false: none). */
  mailArgs: SMTPServerAddressArgs | false;
  secure: boolean;
  user: unknown;
}

interface ServerOptions {
  /** Passed to smtp-server (hidePIPELINING, hideSMTPUTF8, size, secure, authMethods, socketTimeout, …). */
  smtp?: Partial<SMTPServerOptions>;
  /** Offer STARTTLS with the test certificate (implicit TLS: `smtp: { secure: true }`). */
  tls?: boolean;
  /** Offer AUTH and accept only these credentials. */
  auth?: { user: string; pass: string };
  /** Refuse these recipients with the given code. */
  refuse?: Record<string, number>;
  mailCode?: number;
  dataCode?: number;
  dataDelayMs?: number;
}

interface TestServer {
  port: number;
  url: string;
  messages: Received[];
  /** Command lines as the server read them (after TLS), AUTH arguments redacted by smtp-server. */
  commands: string[];
  auths: { method: string; username?: string; secure: boolean }[];
  /** TCP connections accepted so far / open now / most open at once. */
  connections: number;
  open: number;
  maxOpen: number;
  /** Destroys every server-side socket (a server that drops idle connections). */
  dropAll(): void;
  close(): Promise<void>;
}

function smtpError(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

let tlsDir = '';
let tlsKey = '';
let tlsCert = '';
const servers = new Set<TestServer>();
const upstreams = new Set<SmtpUpstream>();
const faults = new Set<FaultUpstream>();

async function startServer(o: ServerOptions = {}): Promise<TestServer> {
  const messages: Received[] = [];
  const commands: string[] = [];
  const auths: TestServer['auths'] = [];
  const secure = o.smtp?.secure === true;
  const disabled: string[] = [];
  if (!o.tls) disabled.push('STARTTLS');
  if (!o.auth) disabled.push('AUTH');
  const options: SMTPServerOptions = {
    logger: {
      // smtp-server logs every command line it reads at debug level, tnx 'command'
      debug: (entry: { tnx?: string }, _msg: string, line: unknown) => {
        if (entry.tnx === 'command' && typeof line === 'string') commands.push(line);
      },
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    } as unknown as SMTPServerOptions['logger'],
    disabledCommands: disabled,
    authOptional: !o.auth,
    allowInsecureAuth: true,
    size: 10 * 1024 * 1024,
    ...(o.tls || secure ? { key: tlsKey, cert: tlsCert } : {}),
    onAuth(auth, session, cb) {
      auths.push({ method: auth.method, username: auth.username, secure: session.secure });
      if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass)
        return cb(null, { user: auth.username });
      cb(smtpError(535, 'Authentication failed'));
    },
    onMailFrom(_address, _session, cb) {
      if (o.mailCode) return cb(smtpError(o.mailCode, o.mailCode >= 500 ? 'Sender refused' : 'Sender deferred'));
      cb();
    },
    onRcptTo(address, _session, cb) {
      const code = o.refuse?.[address.address];
      if (code) return cb(smtpError(code, code >= 500 ? 'No such user' : 'Mailbox busy'));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const finish = () => {
          if (o.dataCode) return cb(smtpError(o.dataCode, o.dataCode >= 500 ? 'Message rejected' : 'Try again later'));
          const from = session.envelope.mailFrom;
          messages.push({
            mailFrom: from ? from.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
            mailArgs: from ? from.args : false,
            secure: session.secure,
            user: session.user,
          });
          cb(null, `2.0.0 Ok: queued as Q${messages.length}X`);
        };
        if (o.dataDelayMs) setTimeout(finish, o.dataDelayMs);
        else finish();
      });
    },
    ...o.smtp,
  };
  const server = new SMTPServer(options);
  server.on('error', () => undefined);
  const state: TestServer = {
    port: 0,
    url: '',
    messages,
    commands,
    auths,
    connections: 0,
    open: 0,
    maxOpen: 0,
    dropAll: () => {
      // The topmost socket of each session (the TLS one after STARTTLS or under smtps): destroying the TCP socket
      // under a TLS socket from below crashes Node (segfault). Sockets still in their TLS handshake have no
      // session yet; server.close() destroys those.
      for (const c of server.connections) (c as unknown as { _socket: Socket })._socket.destroy();
    },
    close: async () => {
      servers.delete(state);
      state.dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  // The raw TCP sockets (under TLS too): connection counts.
  server.server.on('connection', (sock: Socket) => {
    state.connections++;
    state.open++;
    state.maxOpen = Math.max(state.maxOpen, state.open);
    sock.on('close', () => state.open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.server.address() as { port: number }).port;
  state.url = `${secure ? 'smtps' : 'smtp'}://127.0.0.1:${state.port}`;
  servers.add(state);
  return state;
}

/**
 * A scripted STARTTLS server for what smtp-server will not do: 'inject' answers STARTTLS with its 220 and, in the
 * same packet, a forged plaintext reply (STARTTLS command injection: the client must not take it as a reply on
 * the encrypted session); 'silentAfterTls' completes the TLS handshake and then never answers;
 * 'silentInHandshake' says 220 to STARTTLS and then never answers the client's TLS hello.
 */
async function startTlsScripted(
  mode: 'inject' | 'silentAfterTls' | 'silentInHandshake',
): Promise<{ port: number; commands: string[]; close(): Promise<void> }> {
  const commands: string[] = [];
  const top = new Set<Socket>();
  const context = createSecureContext({ key: tlsKey, cert: tlsCert });
  const server: Server = createServer((sock) => {
    top.add(sock);
    sock.on('error', () => undefined);
    sock.write('220 scripted.test ESMTP\r\n');
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      for (let nl = buf.indexOf('\r\n'); nl !== -1; nl = buf.indexOf('\r\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        commands.push(line);
        if (/^EHLO/i.test(line)) sock.write('250-scripted.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
        else if (/^STARTTLS/i.test(line)) {
          sock.removeListener('data', onData);
          sock.write(
            mode === 'inject' ? '220 go ahead\r\n250-scripted.test\r\n250 AUTH PLAIN\r\n' : '220 go ahead\r\n',
          );
          if (mode === 'silentInHandshake') return;
          const secure = new TLSSocket(sock, { isServer: true, secureContext: context });
          top.delete(sock);
          top.add(secure); // destroy the TLS socket, never the TCP one under it (that crashes Node)
          secure.on('error', () => undefined);
          secure.on('data', (c: Buffer) =>
            commands.push(
              ...c
                .toString('latin1')
                .split('\r\n')
                .filter(Boolean)
                .map((l) => `TLS: ${l}`),
            ),
          );
          return;
        } else if (/^QUIT/i.test(line)) sock.end('221 bye\r\n');
        else sock.write('250 ok\r\n');
      }
    };
    sock.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    commands,
    close: () =>
      new Promise<void>((r) => {
        for (const s of top) s.destroy();
        server.close(() => r());
      }),
  };
}

function upstream(url: string, o: Partial<SmtpUpstreamOptions> = {}): SmtpUpstream {
  const u = new SmtpUpstream({
    url,
    startTls: 'opportunistic',
    tlsVerify: false,
    pool: 1,
    timeoutMs: 5000,
    maxRequeues: 1,
    hostname: 'relay.test.example',
    ...o,
  });
  upstreams.add(u);
  return u;
}

async function fault(mode: Parameters<typeof startFaultUpstream>[0]): Promise<FaultUpstream> {
  const f = await startFaultUpstream(mode);
  faults.add(f);
  return f;
}

/** A loopback port nothing listens on (bound a moment ago, then released). */
function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function until(pred: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Upper bound for "ended after about the timeout" with timeoutMs 300: generous (a loaded machine), it only tells
 * a timeout that fired from a hang; speed belongs in bench/.
 */
const ABOUT_THE_TIMEOUT_MS = 15_000;

const ENV = { mailFrom: 'sender@example.com', rcptTo: ['alice@example.net'] };

/** A message with dots at line starts, a lone-dot line, a CRLF.CRLF inside, and 8-bit UTF-8 in header and body. */
const RAW = Buffer.from(
  'From: Sender <sender@example.com>\r\nTo: alice@example.net\r\nSubject: Grüße aus Köln\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
    '.leading dot\r\n..two leading dots\r\n.\r\nthe line above is a lone dot\r\n\r\n.\r\nMAIL FROM:<smuggled@example.com>\r\n' +
    'Ünïcødé body 😀 ½\r\n.\r\n',
  'utf8',
);

function msg(n: number): Buffer {
  return Buffer.from(`Subject: message ${n}\r\nMessage-ID: <${n}@test>\r\n\r\nbody ${n}\r\n`);
}

function expectSent(r: DeliveryResult): void {
  expect(r, JSON.stringify(r)).toMatchObject({ status: 'sent', code: 250 });
}

beforeAll(() => {
  tlsDir = mkdtempSync(join(tmpdir(), 'pg-upstream-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(tlsDir, 'key.pem'),
      '-out',
      join(tlsDir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  tlsKey = readFileSync(join(tlsDir, 'key.pem'), 'utf8');
  tlsCert = readFileSync(join(tlsDir, 'cert.pem'), 'utf8');
});

afterEach(async () => {
  await Promise.all([...upstreams].map((u) => u.close()));
  upstreams.clear();
  await Promise.all([...servers].map((s) => s.close()));
  await Promise.all([...faults].map((f) => f.close()));
  faults.clear();
});

afterAll(() => {
  rmSync(tlsDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------

describe('SmtpUpstream: plain delivery', () => {
  it('delivers the bytes unchanged with the exact envelope, 8BITMIME and SIZE, and reports the queue id', async () => {
    const server = await startServer();
    const env = { mailFrom: 'sender@example.com', rcptTo: ['alice@example.net', 'bob@example.org'] };
    const r = await upstream(server.url).send(env, RAW);
    expect(r).toEqual({
      status: 'sent',
      code: 250,
      accepted: ['alice@example.net', 'bob@example.org'],
      rejected: [],
      upstreamResponse: '250 2.0.0 Ok: queued as Q1X',
      upstreamId: 'Q1X',
    });
    expect(server.messages).toHaveLength(1);
    const m = server.messages[0]!;
    expect(m.raw.equals(RAW), `received:\n${m.raw.toString('utf8')}`).toBe(true);
    expect(m.mailFrom).toBe('sender@example.com');
    expect(m.rcptTo).toEqual(['alice@example.net', 'bob@example.org']);
    expect(m.mailArgs).toEqual({ BODY: '8BITMIME', SIZE: String(RAW.length) });
    expect(m.secure).toBe(false);
  });

  it('does not claim 8BITMIME for a 7-bit message, and sends the null sender as MAIL FROM:<>', async () => {
    const server = await startServer();
    const raw = msg(1);
    expectSent(await upstream(server.url).send({ mailFrom: '', rcptTo: ['alice@example.net'] }, raw));
    expect(server.messages[0]!.mailFrom).toBe('');
    expect(server.messages[0]!.mailArgs).toEqual({ SIZE: String(raw.length) });
    expect(server.commands).toContain(`MAIL FROM:<> SIZE=${raw.length}`);
  });

  it('adds the final CRLF a message lacks, and normalises bare LF, so the server reads proper lines', async () => {
    const server = await startServer();
    expectSent(await upstream(server.url).send(ENV, Buffer.from('Subject: x\n\nline one\n.\nlast line without end')));
    expect(server.messages[0]!.raw.toString()).toBe('Subject: x\r\n\r\nline one\r\n.\r\nlast line without end\r\n');
  });
});

describe.each([
  { name: 'with PIPELINING', hidePIPELINING: false },
  { name: 'without PIPELINING', hidePIPELINING: true },
])('SmtpUpstream: refusals ($name)', ({ hidePIPELINING }) => {
  // the same options object: a test may change a fault between messages
  const start = (o: ServerOptions = {}) => startServer(Object.assign(o, { smtp: { hidePIPELINING, ...o.smtp } }));
  const env3 = { mailFrom: 'sender@example.com', rcptTo: ['a@example.net', 'gone@example.net', 'c@example.net'] };

  it('sends MAIL, RCPT and DATA in order (written at once when pipelining)', async () => {
    const server = await start();
    expectSent(await upstream(server.url).send(ENV, msg(1)));
    // pipelined: MAIL, RCPT and DATA written before any reply; the server still reads them in order
    expect(server.commands.filter((c) => /^(MAIL|RCPT|DATA)/.test(c))).toEqual([
      'MAIL FROM:<sender@example.com> SIZE=' + msg(1).length,
      'RCPT TO:<alice@example.net>',
      'DATA',
    ]);
  });

  it('one recipient refused (550): sent to the others, the refused one reported', async () => {
    const server = await start({ refuse: { 'gone@example.net': 550 } });
    const r = await upstream(server.url).send(env3, msg(1));
    expect(r).toMatchObject({
      status: 'sent',
      code: 250,
      accepted: ['a@example.net', 'c@example.net'],
      rejected: [{ address: 'gone@example.net', code: 550 }],
    });
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]!.rcptTo).toEqual(['a@example.net', 'c@example.net']);
  });

  it('every recipient refused with 550: permanent 550, nothing delivered, connection still usable', async () => {
    const server = await start({ refuse: { 'a@example.net': 550, 'b@example.net': 551 } });
    const up = upstream(server.url);
    const r = await up.send({ mailFrom: 'sender@example.com', rcptTo: ['a@example.net', 'b@example.net'] }, msg(1));
    expect(r).toMatchObject({
      status: 'permanent',
      code: 550,
      accepted: [],
      rejected: [
        { address: 'a@example.net', code: 550 },
        { address: 'b@example.net', code: 551 },
      ],
    });
    expect(server.messages).toHaveLength(0);
    // RSET left the connection clean: the next message goes through on the same connection, alone
    expectSent(await up.send({ mailFrom: 'other@example.com', rcptTo: ['ok@example.net'] }, msg(2)));
    expect(server.messages.map((m) => [m.mailFrom, m.rcptTo])).toEqual([['other@example.com', ['ok@example.net']]]);
    expect(server.connections).toBe(1);
  });

  it('one recipient 450, the other 550: temporary 450, nothing delivered', async () => {
    const server = await start({ refuse: { 'busy@example.net': 450, 'gone@example.net': 550 } });
    const r = await upstream(server.url).send(
      { mailFrom: 'sender@example.com', rcptTo: ['busy@example.net', 'gone@example.net'] },
      msg(1),
    );
    expect(r).toMatchObject({
      status: 'temporary',
      code: 450,
      accepted: [],
      rejected: [
        { address: 'busy@example.net', code: 450 },
        { address: 'gone@example.net', code: 550 },
      ],
    });
    expect(server.messages).toHaveLength(0);
  });

  it('MAIL refused with 5xx: permanent with that code', async () => {
    const server = await start({ mailCode: 553 });
    const r = await upstream(server.url).send(env3, msg(1));
    expect(r).toMatchObject({ status: 'permanent', code: 553, accepted: [] });
    expect(r.upstreamResponse).toContain('Sender refused');
    expect(server.messages).toHaveLength(0);
  });

  it('MAIL refused with 4xx: temporary with that code', async () => {
    const server = await start({ mailCode: 452 });
    const r = await upstream(server.url).send(env3, msg(1));
    expect(r).toMatchObject({ status: 'temporary', code: 452, accepted: [] });
    expect(server.messages).toHaveLength(0);
  });

  it('final reply 4xx after the data: temporary with that code', async () => {
    const server = await start({ dataCode: 451 });
    const r = await upstream(server.url).send(env3, msg(1));
    expect(r).toMatchObject({ status: 'temporary', code: 451 });
    expect(r.upstreamResponse).toContain('Try again later');
  });

  it('final reply 5xx after the data: permanent with that code, and the next message still goes through', async () => {
    const o: ServerOptions = { dataCode: 554 };
    const server = await start(o);
    const up = upstream(server.url);
    const r = await up.send(env3, msg(1));
    expect(r).toMatchObject({ status: 'permanent', code: 554 });
    expect(r.upstreamResponse).toContain('Message rejected');
    delete o.dataCode;
    expectSent(await up.send(env3, msg(2)));
    expect(server.messages.map((m) => m.raw.toString())).toEqual([msg(2).toString()]);
    expect(server.connections).toBe(1);
  });
});

describe('SmtpUpstream: TLS', () => {
  it('STARTTLS (opportunistic) with tlsVerify=false: delivered over an encrypted session', async () => {
    const server = await startServer({ tls: true });
    expectSent(await upstream(server.url, { startTls: 'opportunistic', tlsVerify: false }).send(ENV, RAW));
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]!.secure).toBe(true);
    expect(server.messages[0]!.raw.equals(RAW)).toBe(true);
    expect(server.commands).toContain('STARTTLS');
  });

  it('STARTTLS with tlsVerify=true against a self-signed certificate: temporary ETLS, nothing sent', async () => {
    const server = await startServer({ tls: true });
    const r = await upstream(server.url, { tlsVerify: true }).send(ENV, RAW);
    expect(r).toMatchObject({ status: 'temporary', code: 451, errorCode: 'ETLS', accepted: [] });
    expect(server.messages).toHaveLength(0);
    expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it("startTls 'required' against a server without STARTTLS: temporary ETLS, no mail command in clear text", async () => {
    const server = await startServer({ tls: false });
    const r = await upstream(server.url, { startTls: 'required' }).send(ENV, RAW);
    expect(r).toMatchObject({ status: 'temporary', code: 451, errorCode: 'ETLS' });
    expect(server.messages).toHaveLength(0);
    expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it("startTls 'required' with STARTTLS offered: delivered encrypted", async () => {
    const server = await startServer({ tls: true });
    expectSent(await upstream(server.url, { startTls: 'required' }).send(ENV, RAW));
    expect(server.messages[0]!.secure).toBe(true);
  });

  it("startTls 'never': plain text even though STARTTLS is offered", async () => {
    const server = await startServer({ tls: true });
    expectSent(await upstream(server.url, { startTls: 'never' }).send(ENV, RAW));
    expect(server.messages[0]!.secure).toBe(false);
    expect(server.commands).not.toContain('STARTTLS');
  });

  it('STARTTLS reply with injected plaintext after it: the forged lines are not taken as replies, nothing is sent', async () => {
    const server = await startTlsScripted('inject');
    try {
      const r = await upstream(`smtp://127.0.0.1:${server.port}`).send(ENV, msg(1));
      expect(r).toMatchObject({ status: 'temporary', code: 451 });
      expect(['EPROTOCOL', 'ETLS', 'ECONNECTION']).toContain(r.errorCode);
      // no mail command went out, in clear or encrypted
      expect(server.commands.filter((c) => /MAIL|RCPT|DATA/.test(c))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a server that goes silent after the STARTTLS handshake: temporary ETIMEDOUT after about the timeout', async () => {
    const server = await startTlsScripted('silentAfterTls');
    try {
      const t0 = Date.now();
      const r = await upstream(`smtp://127.0.0.1:${server.port}`, { timeoutMs: 300 }).send(ENV, msg(1));
      expect(r).toMatchObject({ status: 'temporary', code: 451, errorCode: 'ETIMEDOUT' });
      expect(Date.now() - t0).toBeLessThan(ABOUT_THE_TIMEOUT_MS);
      expect(server.commands).toContain('STARTTLS');
      expect(server.commands.some((c) => c.startsWith('TLS: EHLO'))).toBe(true); // it got through TLS, then waited
    } finally {
      await server.close();
    }
  });

  it('a server that says 220 to STARTTLS and never answers the TLS hello: temporary ETIMEDOUT, no hang', async () => {
    const server = await startTlsScripted('silentInHandshake');
    try {
      const t0 = Date.now();
      const r = await upstream(`smtp://127.0.0.1:${server.port}`, { timeoutMs: 300 }).send(ENV, msg(1));
      expect(r).toMatchObject({ status: 'temporary', code: 451, errorCode: 'ETIMEDOUT' });
      expect(Date.now() - t0).toBeLessThan(ABOUT_THE_TIMEOUT_MS);
    } finally {
      await server.close();
    }
  });

  it('implicit TLS (smtps://): delivered encrypted', async () => {
    const server = await startServer({ smtp: { secure: true } });
    expect(server.url).toMatch(/^smtps:/);
    const r = await upstream(server.url).send(ENV, RAW);
    expectSent(r);
    expect(server.messages[0]!.secure).toBe(true);
    expect(server.messages[0]!.raw.equals(RAW)).toBe(true);
    expect(server.commands).not.toContain('STARTTLS');
  });

  it('implicit TLS with tlsVerify=true against a self-signed certificate: temporary ETLS', async () => {
    const server = await startServer({ smtp: { secure: true } });
    const r = await upstream(server.url, { tlsVerify: true }).send(ENV, RAW);
    expect(r).toMatchObject({ status: 'temporary', code: 451, errorCode: 'ETLS' });
    expect(server.messages).toHaveLength(0);
  });
});

describe('SmtpUpstream: AUTH', () => {
  const auth = { user: 'relay@example.com', pass: 'p@ss:w/rd ü' };

  it('AUTH PLAIN with credentials from the options', async () => {
    const server = await startServer({ auth });
    expectSent(await upstream(server.url, { user: auth.user, password: auth.pass }).send(ENV, msg(1)));
    expect(server.auths).toEqual([{ method: 'PLAIN', username: auth.user, secure: false }]);
    expect(server.messages[0]!.user).toBe(auth.user);
  });

  it('AUTH PLAIN with credentials from the URL (percent-encoded)', async () => {
    const server = await startServer({ auth });
    const url = `smtp://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@127.0.0.1:${server.port}`;
    expectSent(await upstream(url).send(ENV, msg(1)));
    expect(server.auths).toEqual([{ method: 'PLAIN', username: auth.user, secure: false }]);
    expect(server.messages).toHaveLength(1);
  });

  it('AUTH LOGIN when the server offers only LOGIN', async () => {
    const server = await startServer({ auth, smtp: { authMethods: ['LOGIN'] } });
    expectSent(await upstream(server.url, { user: auth.user, password: auth.pass }).send(ENV, msg(1)));
    expect(server.auths).toEqual([{ method: 'LOGIN', username: auth.user, secure: false }]);
    expect(server.messages).toHaveLength(1);
  });

  it('authenticates after STARTTLS, not before', async () => {
    const server = await startServer({ auth, tls: true, smtp: { allowInsecureAuth: false } });
    expectSent(await upstream(server.url, { user: auth.user, password: auth.pass }).send(ENV, msg(1)));
    expect(server.auths).toEqual([{ method: 'PLAIN', username: auth.user, secure: true }]);
  });

  it('wrong password: temporary EAUTH (never a bounce), nothing delivered', async () => {
    const server = await startServer({ auth });
    const r = await upstream(server.url, { user: auth.user, password: 'wrong' }).send(ENV, msg(1));
    expect(r).toMatchObject({ status: 'temporary', code: 451, errorCode: 'EAUTH', accepted: [] });
    expect(r.upstreamResponse).toContain('535');
    expect(r.upstreamResponse).not.toContain('wrong');
    expect(server.messages).toHaveLength(0);
    expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it('LOGIN with a wrong password: temporary EAUTH', async () => {
    const server = await startServer({ auth, smtp: { authMethods: ['LOGIN'] } });
    const r = await upstream(server.url, { user: auth.user, password: 'wrong' }).send(ENV, msg(1));
    expect(r).toMatchObject({ status: 'temporary', errorCode: 'EAUTH' });
    expect(server.messages).toHaveLength(0);
  });
});

describe('SmtpUpstream: extensions', () => {
  it('a server without PIPELINING: multi-recipient delivery, one command at a time', async () => {
    const server = await startServer({ smtp: { hidePIPELINING: true }, refuse: { 'gone@example.net': 550 } });
    const env = { mailFrom: 'sender@example.com', rcptTo: ['a@example.net', 'gone@example.net', 'c@example.net'] };
    const r = await upstream(server.url).send(env, RAW);
    expect(r).toMatchObject({
      status: 'sent',
      accepted: ['a@example.net', 'c@example.net'],
      rejected: [{ address: 'gone@example.net', code: 550 }],
    });
    expect(server.messages[0]!.rcptTo).toEqual(['a@example.net', 'c@example.net']);
    expect(server.messages[0]!.raw.equals(RAW)).toBe(true);
  });

  it('a server without SMTPUTF8: IDN domain as punycode; a non-ASCII local part refused 553, the rest delivered', async () => {
    const server = await startServer({ smtp: { hideSMTPUTF8: true } });
    const env = {
      mailFrom: 'sender@example.com',
      rcptTo: ['user@exämple.com', 'üser@example.com', 'plain@example.com'],
    };
    const r = await upstream(server.url).send(env, msg(1));
    expect(r).toMatchObject({
      status: 'sent',
      accepted: ['user@exämple.com', 'plain@example.com'],
      rejected: [{ address: 'üser@example.com', code: 553 }],
    });
    // what went on the wire (smtp-server shows IDNs decoded in the envelope, so look at the command lines)
    const rcpts = server.commands.filter((c) => c.startsWith('RCPT'));
    expect(rcpts).toEqual(['RCPT TO:<user@xn--exmple-cua.com>', 'RCPT TO:<plain@example.com>']);
    expect(server.commands.find((c) => c.startsWith('MAIL'))).not.toContain('SMTPUTF8');
    expect(server.messages).toHaveLength(1);
  });

  it('a server without SMTPUTF8 and only non-ASCII local parts: permanent 553, nothing delivered', async () => {
    const server = await startServer({ smtp: { hideSMTPUTF8: true } });
    const r = await upstream(server.url).send({ mailFrom: 'sender@example.com', rcptTo: ['üser@example.com'] }, msg(1));
    expect(r).toMatchObject({ status: 'permanent', code: 553, rejected: [{ address: 'üser@example.com', code: 553 }] });
    expect(server.messages).toHaveLength(0);
  });

  it('a server with SMTPUTF8: non-ASCII addresses go as they are, with the SMTPUTF8 parameter', async () => {
    const server = await startServer();
    const env = { mailFrom: 'sénder@exämple.com', rcptTo: ['üser@exämple.com'] };
    expectSent(await upstream(server.url).send(env, msg(1)));
    expect(server.messages[0]!.mailArgs).toMatchObject({ SMTPUTF8: true });
    expect(server.commands.filter((c) => c.startsWith('RCPT'))).toEqual(['RCPT TO:<üser@exämple.com>']);
    expect(server.messages[0]!.mailFrom).toBe('sénder@exämple.com');
  });

  it('a message larger than the SIZE the server advertises: permanent 552, nothing sent', async () => {
    const server = await startServer({ smtp: { size: 1000 } });
    const r = await upstream(server.url).send(ENV, Buffer.alloc(2000, 'x'));
    expect(r).toMatchObject({ status: 'permanent', code: 552, accepted: [] });
    expect(server.commands.some((c) => /^(MAIL|RCPT|DATA)/.test(c))).toBe(false);
    expect(server.messages).toHaveLength(0);
  });
});

describe('SmtpUpstream: connection pool', () => {
  it('20 sequential messages over a pool of 1 use one TCP connection', async () => {
    const server = await startServer();
    const up = upstream(server.url, { pool: 1 });
    for (let i = 0; i < 20; i++) expectSent(await up.send(ENV, msg(i)));
    expect(server.messages.map((m) => m.raw.toString())).toEqual(
      Array.from({ length: 20 }, (_v, i) => msg(i).toString()),
    );
    expect(server.connections).toBe(1);
    expect(server.commands.filter((c) => c.startsWith('EHLO'))).toHaveLength(1);
  });

  it('30 parallel messages over a pool of 3: all delivered once, never more than 3 connections', async () => {
    const server = await startServer({ dataDelayMs: 15 });
    const up = upstream(server.url, { pool: 3 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_v, i) =>
        up.send({ mailFrom: 'sender@example.com', rcptTo: [`r${i}@example.net`] }, msg(i)),
      ),
    );
    for (const r of results) expectSent(r);
    expect(server.messages).toHaveLength(30);
    expect(new Set(server.messages.map((m) => m.raw.toString())).size).toBe(30);
    for (const m of server.messages)
      expect(m.raw.toString()).toContain(`body ${m.rcptTo[0]!.slice(1, m.rcptTo[0]!.indexOf('@'))}\r\n`);
    expect(server.maxOpen).toBeLessThanOrEqual(3);
    expect(server.maxOpen).toBeGreaterThan(1); // it did run in parallel
    expect(server.connections).toBeLessThanOrEqual(3);
    // distinct upstream ids: every reply went to the message it belongs to
    expect(new Set(results.map((r) => r.upstreamId)).size).toBe(30);
  });

  it('an idle connection the server dropped: the next message goes on a fresh one, once', async () => {
    const server = await startServer();
    const up = upstream(server.url);
    expectSent(await up.send(ENV, msg(1)));
    server.dropAll();
    await until(() => server.open === 0, 'server side closed');
    await sleep(20); // the client has seen the close
    expectSent(await up.send(ENV, msg(2)));
    expect(server.messages.map((m) => m.raw.toString())).toEqual([msg(1).toString(), msg(2).toString()]);
    expect(server.connections).toBe(2);
  });

  it('a connection dropped just as a message is sent on it (before any reply): requeued on a fresh one, once', async () => {
    const server = await startServer();
    const up = upstream(server.url, { maxRequeues: 1 });
    expectSent(await up.send(ENV, msg(1)));
    server.dropAll(); // the client cannot have noticed yet: it takes the idle connection and writes into it
    const r = await up.send(ENV, msg(2));
    expectSent(r);
    expect(server.messages.map((m) => m.raw.toString())).toEqual([msg(1).toString(), msg(2).toString()]);
    expect(server.connections).toBe(2);
  });

  it('(control for the test above) with maxRequeues 0 that same race is a temporary failure, nothing delivered', async () => {
    const server = await startServer();
    const up = upstream(server.url, { maxRequeues: 0 });
    expectSent(await up.send(ENV, msg(1)));
    server.dropAll();
    const r = await up.send(ENV, msg(2));
    expect(r).toMatchObject({ status: 'temporary', errorCode: 'ECONNECTION' });
    expect(server.messages).toHaveLength(1);
    // and the pool recovers
    expectSent(await up.send(ENV, msg(3)));
  });

  it('an idle connection the server timed out (421 then close): the next message still goes through', async () => {
    const server = await startServer({ smtp: { socketTimeout: 150 } });
    const up = upstream(server.url);
    expectSent(await up.send(ENV, msg(1)));
    await until(() => server.open === 0, 'server idle timeout');
    expectSent(await up.send(ENV, msg(2)));
    expect(server.messages).toHaveLength(2);
    expect(server.connections).toBe(2);
  });

  it('a reused connection dropped after the message was sent (no final reply): temporary, NOT sent again', async () => {
    const f = await fault('ok');
    const up = upstream(`smtp://127.0.0.1:${f.port}`, { maxRequeues: 3 });
    expectSent(await up.send(ENV, msg(1)));
    f.mode = 'dropAfterData';
    const r = await up.send(ENV, msg(2));
    expect(r).toMatchObject({ status: 'temporary', errorCode: 'ECONNECTION' });
    await sleep(100);
    expect(f.received).toHaveLength(2); // the second message once: a retry would be a duplicate
  });

  it('a 421 in the middle of a transaction: temporary 421, and the next message gets a fresh connection', async () => {
    const f = await fault('mail421');
    const up = upstream(`smtp://127.0.0.1:${f.port}`);
    const r = await up.send(ENV, msg(1));
    expect(r).toMatchObject({ status: 'temporary', code: 421 });
    f.mode = 'ok';
    expectSent(await up.send(ENV, msg(2)));
    expect(f.accepted).toHaveLength(1);
  });
});

describe('SmtpUpstream: a transaction opened before the message is complete (prepare)', () => {
  it('MAIL, RCPT and DATA go out at once; send then delivers the bytes unchanged, with BODY=8BITMIME and no SIZE', async () => {
    const server = await startServer();
    const up = upstream(server.url);
    const prepared = up.prepare(ENV)!;
    expect(prepared).toBeDefined();
    // the server is in DATA before the relay has the message
    await until(() => server.commands.includes('DATA'), 'DATA before send');
    expect(server.messages).toHaveLength(0);
    const r = await prepared.send(RAW);
    expectSent(r);
    expect(r.upstreamId).toBe('Q1X');
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]!.raw.equals(RAW)).toBe(true);
    expect(server.messages[0]).toMatchObject({ mailFrom: ENV.mailFrom, rcptTo: ENV.rcptTo });
    expect(server.messages[0]!.mailArgs).toEqual({ BODY: '8BITMIME' });
    // the connection goes back to the pool
    expectSent(await up.send(ENV, msg(2)));
    expect(server.connections).toBe(1);
  });

  it('abandon: nothing is delivered, the connection is closed, and the next message still goes through', async () => {
    const server = await startServer();
    const up = upstream(server.url);
    const prepared = up.prepare(ENV)!;
    await until(() => server.commands.includes('DATA'), 'DATA');
    prepared.abandon();
    await until(() => server.open === 0, 'the upstream connection closed');
    expect(server.messages).toHaveLength(0);
    prepared.abandon(); // twice is harmless
    expectSent(await up.send(ENV, msg(2)));
    expect(server.messages.map((m) => m.raw.toString())).toEqual([msg(2).toString()]);
    expect(server.connections).toBe(2);
  });

  it('abandoned before the server even answered: nothing delivered, no stray rejection', async () => {
    const server = await startServer({ smtp: { onMailFrom: (_a, _s, cb) => void setTimeout(() => cb(), 100) } });
    const up = upstream(server.url);
    const prepared = up.prepare(ENV)!;
    await until(() => server.commands.some((c) => c.startsWith('MAIL')), 'MAIL');
    prepared.abandon();
    await sleep(200);
    expect(server.messages).toHaveLength(0);
    expectSent(await up.send(ENV, msg(1)));
  });

  it('refusals are reported as by send: every recipient 550 → permanent 550, nothing delivered', async () => {
    const server = await startServer({ refuse: { 'alice@example.net': 550 } });
    const up = upstream(server.url);
    const r = await up.prepare(ENV)!.send(msg(1));
    expect(r).toMatchObject({ status: 'permanent', code: 550, accepted: [] });
    expect(server.messages).toHaveLength(0);
    expectSent(await up.send({ mailFrom: ENV.mailFrom, rcptTo: ['bob@example.net'] }, msg(2)));
  });

  it('the server drops the connection while the message is still being scanned: sent on a fresh connection, once', async () => {
    const server = await startServer();
    const up = upstream(server.url);
    const prepared = up.prepare(ENV)!;
    await until(() => server.commands.includes('DATA'), 'DATA');
    server.dropAll();
    await until(() => server.open === 0, 'dropped');
    await sleep(20);
    expectSent(await prepared.send(msg(1)));
    expect(server.messages.map((m) => m.raw.toString())).toEqual([msg(1).toString()]);
    expect(server.connections).toBe(2);
  });

  it('our idle timeout passes while the message is still arriving: sent on a fresh connection, once', async () => {
    const server = await startServer();
    const up = upstream(server.url, { timeoutMs: 200 });
    const prepared = up.prepare(ENV)!;
    await until(() => server.commands.includes('DATA'), 'DATA');
    await until(() => server.open === 0, 'the idle connection closed', 2000);
    expectSent(await prepared.send(msg(1)));
    expect(server.messages).toHaveLength(1);
    expect(server.connections).toBe(2);
  });

  it('an upstream that stops answering (MAIL): temporary ETIMEDOUT after one timeout, not retried', async () => {
    let mails = 0;
    const server = await startServer({ smtp: { onMailFrom: (_a, _s, cb) => void (++mails === 1 && cb()) } });
    // a long timeout, so "one, not two" has seconds of margin on a loaded machine
    const up = upstream(server.url, { timeoutMs: 3000 });
    expectSent(await up.send(ENV, msg(1))); // the pooled connection is open
    const t0 = Date.now();
    const r = await up.prepare(ENV)!.send(msg(2));
    expect(r).toMatchObject({ status: 'temporary', errorCode: 'ETIMEDOUT' });
    expect(Date.now() - t0).toBeLessThan(2 * 3000); // one timeout, not two
    expect(mails).toBe(2);
    expect(server.messages).toHaveLength(1);
  });

  it('every connection busy: prepare returns undefined (the message goes by send), and never opens more than the pool', async () => {
    const server = await startServer();
    const up = upstream(server.url, { pool: 1 });
    const first = up.prepare(ENV)!;
    expect(up.prepare(ENV)).toBeUndefined();
    const second = up.send(ENV, msg(2)); // waits for the connection
    expectSent(await first.send(msg(1)));
    expectSent(await second);
    expect(server.messages.map((m) => m.raw.toString())).toEqual([msg(1).toString(), msg(2).toString()]);
    expect(server.maxOpen).toBe(1);
  });

  it('nothing listening: send reports temporary ECONNECTION, as the ordinary way does', async () => {
    const up = upstream(`smtp://127.0.0.1:${await deadPort()}`);
    const r = await up.prepare(ENV)!.send(msg(1));
    expect(r).toMatchObject({ status: 'temporary', code: 451, errorCode: 'ECONNECTION' });
  });
});

describe('SmtpUpstream: upstream unreachable or broken', () => {
  it('nothing listening: temporary 451 ECONNECTION', async () => {
    const r = await upstream(`smtp://127.0.0.1:${await deadPort()}`).send(ENV, msg(1));
    expect(r).toMatchObject({ status: 'temporary', code: 451, errorCode: 'ECONNECTION', accepted: [], rejected: [] });
  });

  it('greets and then never answers: temporary ETIMEDOUT after about the timeout', async () => {
    const f = await fault('silentAfterGreeting');
    const t0 = Date.now();
    const r = await upstream(`smtp://127.0.0.1:${f.port}`, { timeoutMs: 300 }).send(ENV, msg(1));
    const elapsed = Date.now() - t0;
    expect(r).toMatchObject({ status: 'temporary', code: 451, errorCode: 'ETIMEDOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(ABOUT_THE_TIMEOUT_MS);
  });

  it('refuses at the greeting with 421: temporary 421 EGREETING', async () => {
    const f = await fault('greet421');
    const r = await upstream(`smtp://127.0.0.1:${f.port}`).send(ENV, msg(1));
    expect(r).toMatchObject({ status: 'temporary', code: 421, errorCode: 'EGREETING' });
  });

  it('refuses at the greeting with 554: still temporary (451), never a bounce', async () => {
    const server = await startServer({
      smtp: {
        onConnect(_s, cb) {
          cb(smtpError(554, 'No SMTP service here'));
        },
      },
    });
    const r = await upstream(server.url).send(ENV, msg(1));
    expect(r).toMatchObject({ status: 'temporary', code: 451, errorCode: 'EGREETING' });
  });
});

describe('SmtpUpstream: check()', () => {
  it('true against a healthy server, and leaves no connection open', async () => {
    const server = await startServer();
    expect(await upstream(server.url).check()).toBe(true);
    expect(server.connections).toBe(1);
    await until(() => server.open === 0, 'check connection closed');
  });

  it('true with the right AUTH credentials, false with wrong ones', async () => {
    const server = await startServer({ auth: { user: 'u', pass: 'right' } });
    expect(await upstream(server.url, { user: 'u', password: 'right' }).check()).toBe(true);
    expect(await upstream(server.url, { user: 'u', password: 'wrong' }).check()).toBe(false);
  });

  it('false when nothing listens', async () => {
    expect(await upstream(`smtp://127.0.0.1:${await deadPort()}`).check()).toBe(false);
  });

  it('false when the upstream never answers (within about the timeout)', async () => {
    const f = await fault('silentAfterGreeting');
    const t0 = Date.now();
    expect(await upstream(`smtp://127.0.0.1:${f.port}`, { timeoutMs: 300 }).check()).toBe(false);
    expect(Date.now() - t0).toBeLessThan(ABOUT_THE_TIMEOUT_MS);
  });
});

describe('SmtpUpstream: close()', () => {
  it('closes the pooled connections (QUIT), and later sends fail temporarily without connecting', async () => {
    const server = await startServer();
    const up = upstream(server.url, { pool: 2 });
    await Promise.all([up.send(ENV, msg(1)), up.send(ENV, msg(2))]);
    expect(server.open).toBe(2);
    await up.close();
    await until(() => server.open === 0, 'pooled connections closed');
    expect(server.commands.filter((c) => c === 'QUIT')).toHaveLength(2);
    const r = await up.send(ENV, msg(3));
    expect(r).toMatchObject({ status: 'temporary' });
    expect(server.connections).toBe(2);
    expect(server.messages).toHaveLength(2);
  });

  it('a message in flight during close() completes, then its connection closes too', async () => {
    const server = await startServer({ dataDelayMs: 200 });
    const up = upstream(server.url);
    const sending = up.send(ENV, msg(1));
    await until(() => server.commands.includes('DATA'), 'DATA sent');
    await up.close();
    expectSent(await sending);
    await until(() => server.open === 0, 'connection closed after the last message');
    expect(server.messages).toHaveLength(1);
  });
});

describe('SmtpUpstream: process exit (built code in a child process)', () => {
  // The built module, as `npm test` builds it first (like the child-relay tests); run `npm run build` before
  // running this file alone.
  const BUILT = resolve('dist/src/deliver/smtp-upstream.js');

  /** Runs a script that sends one message; resolves with its exit code, output and run time (killed after 8 s). */
  /** Well before the child's 20 s upstream timeout, which is what would keep it alive: generous on a loaded machine. */
  const EXIT_BOUND_MS = 15_000;

  function child(url: string, closeIt: boolean): Promise<{ code: number | null; out: string; ms: number }> {
    const script = `
      const { SmtpUpstream } = await import(${JSON.stringify(pathToFileURL(BUILT).href)});
      const up = new SmtpUpstream({ url: ${JSON.stringify(url)}, startTls: 'opportunistic', tlsVerify: false, pool: 2, timeoutMs: 20000, maxRequeues: 1 });
      const r = await up.send({ mailFrom: 'a@example.com', rcptTo: ['b@example.net'] }, Buffer.from('Subject: x\\r\\n\\r\\nhi\\r\\n'));
      console.log(r.status);
      ${closeIt ? 'await up.close();' : ''}
      // no process.exit(): the process must end on its own
    `;
    return new Promise((res) => {
      const t0 = Date.now();
      const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const kill = setTimeout(() => c.kill('SIGKILL'), EXIT_BOUND_MS + 2000);
      c.on('exit', (code) => {
        clearTimeout(kill);
        res({ code, out, ms: Date.now() - t0 });
      });
    });
  }

  it('built code is present (run npm run build)', () => {
    expect(existsSync(BUILT)).toBe(true);
  });

  it('after close() nothing keeps the process alive, and the server sees the connection end', async () => {
    const server = await startServer();
    const r = await child(server.url, true);
    expect(r.out.trim()).toBe('sent');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(EXIT_BOUND_MS);
    expect(server.messages).toHaveLength(1);
    await until(() => server.open === 0, 'connection ended');
  });

  it('an idle pooled connection alone does not keep the process alive either (timeout 20 s, exits at once)', async () => {
    const server = await startServer();
    const r = await child(server.url, false);
    expect(r.out.trim()).toBe('sent');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(EXIT_BOUND_MS);
  });
});
