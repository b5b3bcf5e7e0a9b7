/**
 * Interop with Debian's Postfix, both ways: Postfix as the sending MTA, relaying through postguard (relayhost =
 * [127.0.0.1]:RELAY) to an smtp-server sink; and Postfix's smtpd as postguard's upstream (our SMTP client against
 * a real MTA), relaying on to the sink. A private instance: its own config_directory/queue_directory/data_directory under a temp dir,
 * smtpd on a loopback non-25 port, no chroot, run as `postfix -c DIR start-fg` (a tracked child whose log goes
 * to stdout: no syslog here), stopped with `postfix -c DIR stop`. Checks:
 *   - a clean mail arrives at the sink through postguard (trace header present),
 *   - a policy 5xx (bulk customer data) becomes a bounce (status=bounced, a DSN back to the sender),
 *   - a 4xx (upstream deferring) becomes a deferral (status=deferred, listed by `postqueue -c DIR -p`), and is
 *     delivered once the upstream is back and the queue is flushed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanupChildren,
  freePort,
  POLICIES,
  spawnTracked,
  startChildRelay,
  tempDir,
  waitUntil,
} from '../helpers/child-relay.js';
import { messageIdOf } from '../helpers/retrying-client.js';
import { sendRaw } from '../helpers/smtp-client.js';
import { startSink } from '../helpers/sink.js';

const HAVE_POSTFIX =
  existsSync('/usr/sbin/postfix') && existsSync('/etc/postfix/master.cf') && process.getuid?.() === 0;
const configDirs: string[] = [];

afterAll(async () => {
  for (const d of configDirs) spawnSync('/usr/sbin/postfix', ['-c', d, 'stop'], { stdio: 'ignore' });
  await cleanupChildren();
});

const CUSTOMERS = Array.from({ length: 6 }, (_, i) => ({
  id: `c${i}`,
  name: `Person${i} Sample`,
  email: `person${i}.sample@example.net`,
  phone: `+1 415 555 01${String(10 + i)}`,
}));

function writePostfixConfig(dir: string, smtpdPort: number, relayPort: number): string {
  const etc = join(dir, 'etc');
  for (const d of ['etc', 'spool', 'data']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(dir, 0o755);
  const pf = Number(execFileSync('/usr/bin/id', ['-u', 'postfix']).toString().trim());
  chownSync(join(dir, 'data'), pf, 0);
  writeFileSync(
    join(etc, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${dir}/spool`,
      `data_directory = ${dir}/data`,
      'mail_owner = postfix',
      'setgid_group = postdrop',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'myhostname = pg-postfix.test',
      'mydomain = pg-postfix.test',
      'myorigin = support.example',
      'mydestination =',
      `relayhost = [127.0.0.1]:${relayPort}`,
      'mynetworks = 127.0.0.0/8',
      'smtpd_relay_restrictions = permit_mynetworks, reject',
      'maillog_file = /dev/stdout',
      'alias_maps =',
      'alias_database =',
      'smtp_tls_security_level = none',
      'smtpd_tls_security_level = none',
      'queue_run_delay = 1s',
      'minimal_backoff_time = 1s',
      'maximal_backoff_time = 2s',
      'smtp_connection_cache_on_demand = no',
      'shlib_directory = /usr/lib/postfix',
      'meta_directory = /etc/postfix',
      '',
    ].join('\n'),
  );
  // the distribution's master.cf, with the smtpd on a loopback port and chroot off for every service
  const master = readFileSync('/etc/postfix/master.cf', 'utf8')
    .split('\n')
    .map((l) => {
      if (/^smtp\s+inet\s/.test(l)) return `127.0.0.1:${smtpdPort} inet n - n - - smtpd`;
      const m = /^(\S+)\s+(unix|inet|fifo|unix-dgram|pass)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(l);
      return m ? `${m[1]} ${m[2]} ${m[3]} ${m[4]} n ${m[6]}` : l;
    })
    .join('\n');
  writeFileSync(join(etc, 'master.cf'), master);
  return etc;
}

/** Starts the private Postfix in the foreground (a tracked child); its log is the child's output. */
async function startPostfix(etc: string): Promise<{ log: () => string; stop: () => Promise<void> }> {
  // maillog_file=/dev/stdout needs a real pipe: Node's child stdio is a socketpair, which open("/dev/stdout")
  // refuses (ENXIO), so the log goes through `| cat`.
  const pf = spawnTracked('/bin/sh', ['-c', `/usr/sbin/postfix -c '${etc}' start-fg 2>&1 | cat`]);
  const log = () => pf.out();
  let pfExit: number | null | undefined;
  void pf.exited.then((c) => (pfExit = c));
  const stop = async () => {
    spawnSync('/usr/sbin/postfix', ['-c', etc, 'stop'], { stdio: 'ignore' });
    await Promise.race([pf.exited, new Promise((r) => setTimeout(r, 5000))]);
  };
  try {
    await waitUntil(() => /daemon started/.test(log()) || pfExit !== undefined, 20_000, 'postfix master start').catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${log().slice(-2000)}`);
      },
    );
    if (pfExit !== undefined) throw new Error(`postfix start-fg exited with ${pfExit}:\n${log().slice(-2000)}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { log, stop };
}

function postqueue(etc: string): string {
  return spawnSync('/usr/sbin/postqueue', ['-c', etc, '-p'], { encoding: 'utf8' }).stdout;
}

describe.skipIf(!HAVE_POSTFIX)('Postfix as a client of postguard', () => {
  it('relays clean mail, bounces a policy 5xx, defers on a 4xx and delivers after the fault clears', async () => {
    const dir = tempDir('pg-postfix-');
    const sink = await startSink();
    const relayPort = await freePort();
    const smtpdPort = await freePort();
    const csv = join(dir, 'directory.csv');
    writeFileSync(
      csv,
      'customer_id,full_name,email,phone\n' +
        CUSTOMERS.map((c) => [c.id, c.name, c.email, c.phone].join(',')).join('\n') +
        '\n',
    );
    const relay = await startChildRelay({
      args: [
        '--listen',
        `127.0.0.1:${relayPort}`,
        '--admin-listen',
        '',
        '--upstream',
        sink.url,
        '--data-dir',
        join(dir, 'relay'),
        '--directory',
        csv,
        '--policies',
        POLICIES,
        '--internal-domain',
        'support.example',
        '--hostname',
        'relay.test',
      ],
    });
    chmodSync(dir, 0o755); // Postfix daemons (user postfix) must traverse to their queue and data directories
    const etc = writePostfixConfig(join(dir, 'pf'), smtpdPort, relayPort);
    configDirs.push(etc);
    const postfix = await startPostfix(etc);
    const log = postfix.log;
    try {
      const submit = (to: string, subject: string, body: string) => {
        const id = `pf-${Math.random().toString(36).slice(2)}@support.example`;
        const data = `From: agent@support.example\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\n\r\n${body}\r\n`;
        return sendRaw(smtpdPort, { from: 'agent@support.example', to: [to], body: data }).then((r) => ({ ...r, id }));
      };
      const figures: Record<string, unknown> = {};

      // 1. clean mail: through Postfix and postguard to the sink
      const clean = await submit('someone@example.com', 'Your ticket', 'Hello, your ticket is solved.');
      expect(clean.code).toBe(250);
      await waitUntil(
        () => sink.messages.some((m) => messageIdOf(m.raw) === clean.id),
        20_000,
        'clean mail at the sink',
      );
      const got = sink.messages.find((m) => messageIdOf(m.raw) === clean.id)!;
      expect(got.raw.toString()).toMatch(/by relay\.test \(postguard\)/);
      expect(got.raw.toString()).toMatch(/by pg-postfix\.test \(Postfix\)/);
      figures.clean = 'delivered';

      // 2. bulk customer data to a stranger: postguard 550 5.7.1 → Postfix bounces to the sender
      const list = CUSTOMERS.map((c) => `${c.name}, ${c.email}, ${c.phone}`).join('\r\n');
      const bulk = await submit('stranger@example.com', 'The list you asked for', `Here is the list:\r\n${list}`);
      expect(bulk.code).toBe(250); // Postfix accepted it from us; the relay decides later
      await waitUntil(() => /status=bounced/.test(log()), 20_000, 'bounce in the Postfix log');
      const bounceLine = log()
        .split('\n')
        .find((l) => /status=bounced/.test(l))!;
      expect(bounceLine).toMatch(/550 5\.7\.1/);
      // the DSN goes back to agent@support.example — through postguard again — and reaches the sink
      await waitUntil(
        () =>
          sink.messages.some(
            (m) =>
              m.mailFrom === '' && m.rcptTo.includes('agent@support.example') && m.raw.toString().includes(bulk.id),
          ),
        20_000,
        'bounce at the sink',
      );
      expect(sink.messages.some((m) => messageIdOf(m.raw) === bulk.id)).toBe(false);
      figures.bulk = bounceLine.replace(/^.*?(to=)/, '$1').slice(0, 200);

      // 3. upstream deferring: postguard 451 4.4.1 → Postfix defers and keeps it queued
      sink.faults.dataCode = 451;
      const later = await submit('someone@example.com', 'Later', 'This one waits.');
      expect(later.code).toBe(250);
      await waitUntil(() => /status=deferred/.test(log()), 20_000, 'deferral in the Postfix log');
      const deferLine = log()
        .split('\n')
        .find((l) => /status=deferred/.test(l))!;
      expect(deferLine).toMatch(/451 4\.4\.1/);
      const queue = postqueue(etc);
      expect(queue).toMatch(/451 4\.4\.1/);
      expect(queue).toMatch(/someone@example\.com/);
      figures.deferred = {
        log: deferLine.replace(/^.*?(to=)/, '$1').slice(0, 200),
        postqueue: queue.split('\n').filter(Boolean).slice(0, 4),
      };
      // the upstream comes back: the queued message is delivered (flush instead of waiting for the backoff)
      delete sink.faults.dataCode;
      spawnSync('/usr/sbin/postqueue', ['-c', etc, '-f']);
      await waitUntil(
        () => sink.messages.some((m) => messageIdOf(m.raw) === later.id),
        30_000,
        'deferred mail delivered',
      );
      await waitUntil(() => /Mail queue is empty/.test(postqueue(etc)), 10_000, 'empty queue');
      figures.afterFlush = 'delivered, queue empty';
      console.log('[postfix]', JSON.stringify(figures));
    } catch (err) {
      console.log('[postfix] log tail:\n' + log().slice(-3000));
      throw err;
    } finally {
      await postfix.stop();
      await relay.kill();
      await sink.close();
    }
  }, 120_000);
});

describe.skipIf(!HAVE_POSTFIX)("Postfix as postguard's upstream", () => {
  it('our SMTP client delivers through a real Postfix smtpd: pipelined, multi-recipient, dots, 8-bit, SMTPUTF8, in parallel', async () => {
    const dir = tempDir('pg-postfix-up-');
    const sink = await startSink();
    const relayPort = await freePort();
    const smtpdPort = await freePort();
    chmodSync(dir, 0o755);
    // Postfix relays everything it receives to the sink; postguard's upstream is that Postfix.
    const etc = writePostfixConfig(join(dir, 'pf'), smtpdPort, sink.port);
    configDirs.push(etc);
    const postfix = await startPostfix(etc);
    const relay = await startChildRelay({
      args: [
        '--listen',
        `127.0.0.1:${relayPort}`,
        '--admin-listen',
        '',
        '--upstream',
        `smtp://127.0.0.1:${smtpdPort}`,
        '--upstream-pool',
        '3',
        '--data-dir',
        join(dir, 'relay'),
        '--policies',
        POLICIES,
        '--internal-domain',
        'support.example',
        '--hostname',
        'relay.test',
      ],
    });
    try {
      const body = (id: string, text: string) =>
        `From: agent@support.example\r\nTo: customers@example.com\r\nSubject: through Postfix\r\nMessage-ID: <${id}>\r\nDate: Sun, 22 Nov 2026 05:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}\r\n`;
      const afterHeaders = (raw: Buffer) => raw.subarray(raw.indexOf('\r\n\r\n') + 4);
      // 1. three recipients, lines starting with dots, 8-bit text: arrives once, body byte for byte
      const text = 'Grüße aus dem Support — 日本語.\r\n.\r\n..two dots\r\n.leading dot\r\nend';
      const one = await sendRaw(relayPort, {
        from: 'agent@support.example',
        to: ['a@example.com', 'b@example.net', 'c@example.org'],
        body: body('pf-up-1@support.example', text).replace(/^\./gm, '..'),
      });
      expect(one.code).toBe(250);
      await waitUntil(
        () => sink.messages.some((m) => messageIdOf(m.raw) === 'pf-up-1@support.example'),
        20_000,
        'message through Postfix',
      );
      const got = sink.messages.filter((m) => messageIdOf(m.raw) === 'pf-up-1@support.example');
      expect(got.flatMap((m) => m.rcptTo).sort()).toEqual(['a@example.com', 'b@example.net', 'c@example.org']);
      expect(afterHeaders(got[0]!.raw).toString('utf8')).toBe(text + '\r\n');
      expect(got[0]!.raw.toString()).toMatch(/by pg-postfix\.test \(Postfix\)/);
      expect(got[0]!.raw.toString()).toMatch(/by relay\.test \(postguard\)/);
      // 2. an internationalised recipient (Postfix offers SMTPUTF8)
      const utf8 = await sendRaw(relayPort, {
        from: 'agent@support.example',
        to: ['kündé@exämple.com'],
        body: body('pf-up-2@support.example', 'utf8 address'),
        smtputf8: true,
      });
      expect(utf8.code).toBe(250);
      await waitUntil(
        () => sink.messages.some((m) => messageIdOf(m.raw) === 'pf-up-2@support.example'),
        20_000,
        'SMTPUTF8 message through Postfix',
      );
      // 3. twenty messages at once over a pool of three connections: each arrives exactly once
      const ids = Array.from({ length: 20 }, (_, i) => `pf-up-par-${i}@support.example`);
      const replies = await Promise.all(
        ids.map((id) =>
          sendRaw(relayPort, {
            from: 'agent@support.example',
            to: ['someone@example.com'],
            body: body(id, 'parallel'),
          }),
        ),
      );
      expect(replies.map((r) => r.code)).toEqual(ids.map(() => 250));
      await waitUntil(
        () => ids.every((id) => sink.messages.some((m) => messageIdOf(m.raw) === id)),
        30_000,
        'parallel messages through Postfix',
      );
      for (const id of ids) expect(sink.messages.filter((m) => messageIdOf(m.raw) === id).length).toBe(1);
      // Postfix saw a well-behaved client: no pipelining complaints, no dropped sessions
      expect(postfix.log()).not.toMatch(/improper command pipelining|lost connection after|timeout after/);
      // 22 messages over a pool of 3: Postfix saw at most 3 SMTP sessions for them (connections are reused), plus
      // the one session of the relay's start-up upstream check
      const smtpdSessions = (postfix.log().match(/smtpd\[\d+\]: connect from/g) ?? []).length;
      expect(smtpdSessions).toBeGreaterThan(1);
      expect(smtpdSessions).toBeLessThanOrEqual(3 + 1);
      console.log('[postfix-upstream]', JSON.stringify({ delivered: sink.messages.length, smtpdSessions }));
    } catch (err) {
      console.log('[postfix-upstream] log tail:\n' + postfix.log().slice(-3000));
      throw err;
    } finally {
      await relay.kill();
      await postfix.stop();
      await sink.close();
    }
  }, 120_000);
});
