/**
 * SMTP + MIME fuzzing against the whole relay as `serve` composes it (startServer: directory, policies,
 * inspector, quarantine, notices), in-process, on loopback, with an smtp-server sink as upstream.
 *
 * A case is one SMTP session: a generated sequence of commands (valid, malformed, out of order, with control
 * characters) and, for DATA, a generated MIME tree (nested multiparts, message/rfc822, bad boundaries, broken
 * encodings, bare CR/LF, customer values). Properties, checked per case and at the end:
 *   1. the relay never crashes (no uncaught exception, still answers afterwards),
 *   2. every command line gets exactly one syntactically valid reply (NNN[ -]text, same code on every line of a
 *      multi-line reply, 2xx–5xx), or the connection is closed after a 421/221,
 *   3. every DATA ends with 250, 4xx or 5xx,
 *   4. nothing is delivered that was not answered 250 (and every plain 250 is delivered).
 * Imports only src/ and dependencies (used by bench/fuzz/run.ts and test/reliability/fuzz.test.ts).
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

// ---------------------------------------------------------------------------------------------------------
// target
// ---------------------------------------------------------------------------------------------------------

export const CUSTOMERS = [
  { id: 'c1', name: 'Jane Roe', email: 'jane.roe@example.net', phone: '+1 415 555 0100', order: 'ORD-778812' },
  { id: 'c2', name: 'Max Mustermann', email: 'max.m@example.org', phone: '+49 151 23456789', order: 'ORD-112233' },
  { id: 'c3', name: 'Amélie Dupont', email: 'amelie.d@example.fr', phone: '+33 6 12 34 56 78', order: 'ORD-445566' },
];

export interface FuzzTarget {
  port: number;
  /** X-Fuzz-Id → how many times it reached the upstream. */
  delivered: Map<string, number>;
  crashes: string[];
  server: RunningServer;
  close(): Promise<void>;
}

export async function startFuzzTarget(opts: { policiesDir?: string } = {}): Promise<FuzzTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-fuzz-'));
  const delivered = new Map<string, number>();
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 100 * 1024 * 1024,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const head = raw.slice(0, raw.indexOf('\r\n\r\n') >>> 0);
        const id = /^X-Fuzz-Id: (\S+)/im.exec(head)?.[1];
        if (id) delivered.set(id, (delivered.get(id) ?? 0) + 1);
        cb(null, 'queued');
      });
    },
  });
  sink.on('error', () => undefined);
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const sinkPort = (sink.server.address() as { port: number }).port;
  const csv = join(dir, 'directory.csv');
  writeFileSync(
    csv,
    'customer_id,full_name,email,phone,order_id\n' +
      CUSTOMERS.map((c) => [c.id, c.name, c.email, c.phone, c.order].join(',')).join('\n') +
      '\n',
  );
  const crashes: string[] = [];
  const onCrash = (err: unknown) => crashes.push(String((err as Error)?.stack ?? err).slice(0, 2000));
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const config = loadConfig({
    flags: {
      listen: '127.0.0.1:0',
      adminListen: '',
      upstream: `smtp://127.0.0.1:${sinkPort}`,
      upstreamStartTls: 'never',
      dataDir: join(dir, 'data'),
      directory: [csv],
      policies: opts.policiesDir ?? resolve('policies'),
      internalDomains: ['support.example'],
      hostname: 'fuzz.test',
      limits: { commandTimeout: '10s', maxConnectionsPerClient: 200, maxConnections: 400 },
    },
    env: {},
  });
  const server = await startServer(config, createLogger('silent'));
  return {
    port: server.relay.address.port,
    delivered,
    crashes,
    server,
    async close() {
      await server.close();
      await new Promise<void>((r) => sink.close(() => r()));
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// generators
// ---------------------------------------------------------------------------------------------------------

export type MimeNode =
  | { t: 'leaf'; ct: string; cte: string; charset: string; body: string; filename?: string }
  | { t: 'multi'; sub: string; boundary: string; parts: MimeNode[]; closeBoundary: boolean; preamble: string }
  | { t: 'rfc822'; headers: string[]; inner: MimeNode };

const word = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
const domain = fc.oneof(
  fc.constantFrom('example.com', 'example.net', 'support.example', 'gmial.com', 'xn--e1afmkfd.example', '[127.0.0.1]'),
  word.map((w) => `${w}.example`),
);
const mailbox = fc.oneof(
  fc.tuple(word, domain).map(([l, d]) => `${l}@${d}`),
  fc.constantFrom(
    ...CUSTOMERS.map((c) => c.email),
    'agent@support.example',
    '"quoted@local"@example.com',
    'a@b',
    '',
    'postmaster',
  ),
);
const controlish = fc.string({
  unit: fc.constantFrom('a', ' ', '\t', '\r', '\0', '\x7f', 'é', '<', '>', ':', '@', '"', '\\', '=', '?'),
  maxLength: 30,
});
const textish = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ...CUSTOMERS.flatMap((c) => [c.email, c.phone, c.name, c.order]),
      'Hello,',
      'Kind regards',
      '=?utf-8?q?x=40y?=',
      '\u202e',
      '\ufeff',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', '-', '1', ' .', '@'), fc.integer({ min: 100, max: 5000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

const leaf: fc.Arbitrary<MimeNode> = fc.record({
  t: fc.constant('leaf' as const),
  ct: fc.constantFrom(
    'text/plain',
    'text/html',
    'application/octet-stream',
    'application/zip',
    'application/pdf',
    'text/csv',
    'image/png',
    'x-bogus/type',
    '',
  ),
  cte: fc.constantFrom('7bit', '8bit', 'base64', 'quoted-printable', 'x-unknown', ''),
  charset: fc.constantFrom('utf-8', 'iso-8859-1', 'x-unknown', 'utf-7', 'shift_jis', ''),
  body: fc.array(textish, { maxLength: 6 }).map((a) => a.join(' ')),
  filename: fc.option(
    fc.oneof(word, fc.constantFrom('<img src=x onerror=alert(1)>.pdf', '../../etc/passwd', '=?utf-8?b?w6k=?=.txt')),
    { nil: undefined },
  ),
});

export const mimeTree: fc.Arbitrary<MimeNode> = fc.letrec<{ node: MimeNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      t: fc.constant('multi' as const),
      sub: fc.constantFrom('mixed', 'alternative', 'related', 'digest', 'report'),
      boundary: fc.oneof(word, fc.constant(''), fc.constant('a b "c"')),
      parts: fc.array(tie('node'), { maxLength: 4 }),
      closeBoundary: fc.boolean(),
      preamble: fc.constantFrom('', 'This is a multi-part message', '--not-the-boundary'),
    }),
    fc.record({
      t: fc.constant('rfc822' as const),
      headers: fc.array(
        fc
          .tuple(fc.constantFrom('Subject', 'From', 'To', 'Cc'), textish)
          .map(([k, v]) => `${k}: ${v.replace(/[\r\n]/g, ' ')}`),
        { maxLength: 3 },
      ),
      inner: tie('node'),
    }),
  ),
})).node;

function encode(body: string, cte: string): string {
  if (cte === 'base64')
    return Buffer.from(body, 'utf8')
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n');
  if (cte === 'quoted-printable')
    return body.replace(
      /[=\x80-\uffff]/g,
      (c) => '=' + (c.charCodeAt(0) & 0xff).toString(16).toUpperCase().padStart(2, '0'),
    );
  return body;
}

export function renderMime(n: MimeNode): { headers: string[]; body: string } {
  if (n.t === 'leaf') {
    const h: string[] = [];
    if (n.ct)
      h.push(
        `Content-Type: ${n.ct}${n.charset ? `; charset=${n.charset}` : ''}${n.filename ? `; name="${n.filename}"` : ''}`,
      );
    if (n.cte) h.push(`Content-Transfer-Encoding: ${n.cte}`);
    if (n.filename) h.push(`Content-Disposition: attachment; filename="${n.filename}"`);
    return { headers: h, body: encode(n.body, n.cte) };
  }
  if (n.t === 'rfc822') {
    const inner = renderMime(n.inner);
    return {
      headers: ['Content-Type: message/rfc822'],
      body: [...n.headers, ...inner.headers].join('\r\n') + '\r\n\r\n' + inner.body,
    };
  }
  const parts = n.parts.map((p) => {
    const r = renderMime(p);
    return `--${n.boundary}\r\n${r.headers.join('\r\n')}\r\n\r\n${r.body}\r\n`;
  });
  return {
    headers: [`Content-Type: multipart/${n.sub}; boundary="${n.boundary}"`],
    body: (n.preamble ? n.preamble + '\r\n' : '') + parts.join('') + (n.closeBoundary ? `--${n.boundary}--\r\n` : ''),
  };
}

export type Cmd =
  | { c: 'line'; line: string }
  | {
      c: 'data';
      tree: MimeNode;
      to: string;
      subject: string;
      lineEnding: 'crlf' | 'bare-lf' | 'bare-cr' | 'mixed';
      extraHeaders: string[];
    };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(domain, controlish).map((d) => ({ c: 'line' as const, line: `EHLO ${d}` })) },
  { weight: 1, arbitrary: fc.oneof(domain, controlish).map((d) => ({ c: 'line' as const, line: `HELO ${d}` })) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        mailbox,
        fc.constantFrom('', ' SIZE=100', ' BODY=8BITMIME', ' SMTPUTF8', ' SIZE=99999999999', ' FOO=bar', ' RET=HDRS'),
      )
      .map(([m, p]) => ({ c: 'line' as const, line: `MAIL FROM:<${m}>${p}` })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(mailbox, fc.constantFrom('', ' NOTIFY=NEVER', ' ORCPT=rfc822;x@y'))
      .map(([m, p]) => ({ c: 'line' as const, line: `RCPT TO:<${m}>${p}` })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('MAIL FROM:', 'RCPT TO:', 'MAIL FROM: ', 'RCPT TO:  ', 'mail from:', 'RCPT  TO:'),
        controlish,
      )
      .map(([v, a]) => ({ c: 'line' as const, line: v + a })),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      c: fc.constant('data' as const),
      tree: mimeTree,
      to: fc.oneof(
        { weight: 4, arbitrary: fc.tuple(word, domain).map(([l, d]) => `${l}@${d}`) },
        { weight: 2, arbitrary: mailbox },
      ),
      subject: textish.map((s) => s.replace(/[\r\n]/g, ' ').slice(0, 300)),
      lineEnding: fc.constantFrom(
        'crlf',
        'crlf',
        'crlf',
        'crlf',
        'crlf',
        'crlf',
        'crlf',
        'crlf',
        'bare-lf',
        'bare-cr',
        'mixed',
      ),
      extraHeaders: fc.array(
        fc
          .tuple(fc.constantFrom('Cc', 'Reply-To', 'X-Custom', 'Received', 'Content-ID', 'Date'), controlish)
          .map(([k, v]) => `${k}: ${v}`),
        { maxLength: 3 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        'RSET',
        'NOOP',
        'VRFY postmaster',
        'EXPN all',
        'HELP',
        'STARTTLS',
        'BDAT 10 LAST',
        'TURN',
        'AUTH PLAIN',
        'AUTH PLAIN AGhlbHBkZXNrAHdyb25n',
        'AUTH LOGIN',
        'AUTH CRAM-MD5',
        'DATA',
        'XCLIENT ADDR=1.2.3.4',
        '',
        ' ',
        'X'.repeat(2000),
      )
      .map((line) => ({ c: 'line' as const, line })),
  },
  { weight: 1, arbitrary: controlish.map((line) => ({ c: 'line' as const, line })) },
);

export interface FuzzCase {
  /** Greet with a valid EHLO first (most sessions), so transactions get as far as DATA. */
  ehlo: boolean;
  cmds: Cmd[];
  quit: boolean;
}

export const sessionArb: fc.Arbitrary<FuzzCase> = fc.record({
  ehlo: fc.constantFrom(true, true, true, false),
  cmds: fc.array(cmd, { minLength: 1, maxLength: 10 }),
  quit: fc.boolean(),
});

// ---------------------------------------------------------------------------------------------------------
// running a case
// ---------------------------------------------------------------------------------------------------------

export class PropertyViolation extends Error {}

interface Conn {
  sock: Socket;
  buf: string;
  closed: boolean;
  wake: (() => void) | null;
}

function open(port: number): Promise<Conn> {
  return new Promise((resolveConn, reject) => {
    const sock = connect({ port, host: '127.0.0.1' });
    const c: Conn = { sock, buf: '', closed: false, wake: null };
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      c.buf += d;
      c.wake?.();
    });
    sock.on('close', () => {
      c.closed = true;
      c.wake?.();
    });
    sock.on('error', () => undefined);
    sock.once('connect', () => resolveConn(c));
    sock.once('error', reject);
  });
}

const REPLY_LINE = /^([2-5]\d\d)([ -])([^\r\n]*)\r\n/;

/** Reads one complete reply and checks its syntax. Returns null if the connection closed first. */
async function readReply(c: Conn, timeoutMs: number): Promise<{ code: number; text: string } | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // parse as many complete lines as there are
    let rest = c.buf;
    let code: number | undefined;
    let text = '';
    let complete = false;
    while (rest.length) {
      const nl = rest.indexOf('\r\n');
      if (nl === -1) break;
      const m = REPLY_LINE.exec(rest.slice(0, nl + 2));
      if (!m) throw new PropertyViolation(`malformed reply line: ${JSON.stringify(rest.slice(0, nl + 2))}`);
      const lc = Number(m[1]);
      if (code !== undefined && lc !== code)
        throw new PropertyViolation(`multi-line reply changes code: ${JSON.stringify(c.buf.slice(0, 300))}`);
      code = lc;
      text += m[0];
      rest = rest.slice(nl + 2);
      if (m[2] === ' ') {
        complete = true;
        break;
      }
    }
    if (complete && code !== undefined) {
      c.buf = rest;
      return { code, text };
    }
    if (c.closed) {
      if (c.buf.length)
        throw new PropertyViolation(`connection closed mid-reply: ${JSON.stringify(c.buf.slice(0, 200))}`);
      return null;
    }
    if (Date.now() > deadline)
      throw new PropertyViolation(`no reply within ${timeoutMs} ms; pending ${JSON.stringify(c.buf.slice(0, 200))}`);
    await new Promise<void>((r) => {
      c.wake = r;
      setTimeout(r, 50);
    });
    c.wake = null;
  }
}

let idSeq = 0;

export interface CaseOutcome {
  /** X-Fuzz-Id → final DATA reply. */
  data: Map<string, { code: number; held: boolean }>;
  replies: number;
}

function withLineEnding(s: string, mode: Cmd & { c: 'data' }): string {
  if (mode.lineEnding === 'crlf') return s;
  if (mode.lineEnding === 'bare-lf') return s.replace(/\r\n/g, '\n');
  if (mode.lineEnding === 'bare-cr') return s.replace(/\r\n/g, '\r');
  let i = 0;
  return s.replace(/\r\n/g, () => (i++ % 3 === 1 ? '\n' : '\r\n'));
}

/** Runs one session. Throws PropertyViolation when a property fails. */
export async function runCase(
  port: number,
  fcase: FuzzCase,
  opts: { replyTimeoutMs?: number; runId?: string } = {},
): Promise<CaseOutcome> {
  const timeout = opts.replyTimeoutMs ?? 30_000;
  const out: CaseOutcome = { data: new Map(), replies: 0 };
  const c = await open(port);
  try {
    const greet = await readReply(c, timeout);
    if (!greet) throw new PropertyViolation('closed before greeting');
    if (greet.code !== 220) return out; // e.g. 421 too many connections: allowed, nothing else to check
    let inAuth = false;
    if (fcase.ehlo) {
      c.sock.write('EHLO fuzz.client\r\n');
      if (!(await readReply(c, timeout))) return out;
      out.replies++;
    }
    for (const k of fcase.cmds) {
      if (c.closed) break;
      if (k.c === 'line') {
        // one line, no line breaks inside (a bare LF would make two commands); bare CR stays
        const line = k.line.replace(/\n/g, ' ').replace(/\r$/, '');
        c.sock.write(line + '\r\n');
        const r = await readReply(c, timeout);
        if (!r) break;
        out.replies++;
        inAuth = r.code === 334;
        if (r.code === 354) {
          // a bare DATA accepted (only after MAIL+RCPT): finish it with an empty message
          c.sock.write('\r\n.\r\n');
          const fin = await readReply(c, timeout);
          if (!fin) break;
          if (!(fin.code === 250 || (fin.code >= 400 && fin.code < 600)))
            throw new PropertyViolation(`DATA ended with ${fin.code}`);
        }
        if (r.code === 421 || r.code === 221) break;
        continue;
      }
      if (inAuth) {
        c.sock.write('*\r\n'); // cancel the AUTH exchange
        const r = await readReply(c, timeout);
        if (!r) break;
        inAuth = false;
      }
      // a whole transaction: MAIL, RCPT, DATA, message
      const id = `${opts.runId ?? 'f'}-${++idSeq}`;
      c.sock.write('RSET\r\n'); // leave whatever state the previous commands left
      if (!(await readReply(c, timeout))) break;
      out.replies++;
      const mf = (c.sock.write('MAIL FROM:<agent@support.example>\r\n'), await readReply(c, timeout));
      if (!mf) break;
      const rc = (c.sock.write(`RCPT TO:<${k.to.replace(/[\r\n]/g, '')}>\r\n`), await readReply(c, timeout));
      if (!rc) break;
      c.sock.write('DATA\r\n');
      const d = await readReply(c, timeout);
      if (!d) break;
      out.replies += 3;
      if (d.code !== 354) continue;
      const mime = renderMime(k.tree);
      const head = [
        'From: Support <agent@support.example>',
        `To: ${k.to}`,
        `Subject: ${k.subject}`,
        `Message-ID: <${id}@fuzz.test>`,
        `X-Fuzz-Id: ${id}`,
        'MIME-Version: 1.0',
        ...k.extraHeaders.map((h) => h.replace(/[\r\n]/g, ' ')),
        ...mime.headers,
      ].join('\r\n');
      // dot-stuffing is the client's job; line endings may be broken on purpose
      const body = withLineEnding(`${head}\r\n\r\n${mime.body}`.replace(/(^|\r\n|\n|\r)\./g, '$1..'), k);
      c.sock.write(body + (body.endsWith('\r\n') ? '' : '\r\n') + '.\r\n');
      const fin = await readReply(c, timeout);
      if (!fin) throw new PropertyViolation('connection closed without a reply to the end of DATA');
      out.replies++;
      if (!(fin.code === 250 || (fin.code >= 400 && fin.code < 600)))
        throw new PropertyViolation(`DATA ended with ${fin.code}`);
      out.data.set(id, { code: fin.code, held: /held for review/.test(fin.text) });
      if (fin.code === 421) break;
    }
    if (fcase.quit && !c.closed) {
      c.sock.write('QUIT\r\n');
      await readReply(c, timeout);
    }
    return out;
  } finally {
    c.sock.destroy();
  }
}

/** Delivery property over all outcomes so far (call after the relay settled). */
export function checkDelivery(target: FuzzTarget, outcomes: Map<string, { code: number; held: boolean }>): string[] {
  const problems: string[] = [];
  for (const [id, n] of target.delivered) {
    const o = outcomes.get(id);
    if (!o || o.code !== 250 || o.held)
      problems.push(`${id} delivered ${n}× but answered ${o ? o.code + (o.held ? ' (held)' : '') : 'nothing'}`);
    else if (n > 1) problems.push(`${id} delivered ${n} times`);
  }
  for (const [id, o] of outcomes) {
    if (o.code === 250 && !o.held && !target.delivered.has(id)) problems.push(`${id} answered 250 but never delivered`);
  }
  return problems;
}

/** Waits until every plain-250 message reached the sink (or the timeout). */
export async function settle(
  target: FuzzTarget,
  outcomes: Map<string, { code: number; held: boolean }>,
  ms = 5000,
): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const missing = [...outcomes].some(([id, o]) => o.code === 250 && !o.held && !target.delivered.has(id));
    if (!missing || Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends a NOOP: the relay is still alive. */
export async function alive(port: number): Promise<boolean> {
  try {
    const c = await open(port);
    try {
      const g = await readReply(c, 5000);
      c.sock.write('NOOP\r\n');
      const r = await readReply(c, 5000);
      return g?.code === 220 && r?.code === 250;
    } finally {
      c.sock.destroy();
    }
  } catch {
    return false;
  }
}
