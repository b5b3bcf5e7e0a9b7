/**
 * postguard must not become the leak: the labelled corpus (test/corpus/generate.ts: a directory of 300 customers
 * and ~870 support mails, many carrying other customers' data) goes through the built relay at log level debug;
 * then every log line (the child's stdout and stderr), the /metrics and /readyz output, the quarantine CLI's list
 * output, and every SMTP reply text is searched for every directory value in plaintext — e-mail addresses,
 * phone numbers as written in the CSV and in national/international forms, bare digits, full names, IMEIs,
 * order ids, street lines. None may appear.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  formatImei,
  formatPhone,
  generateCorpusAtFixedTime,
  writeDirectoryCsv,
  type Customer,
} from '../corpus/generate.js';
import { BIN, cleanupChildren, freePort, POLICIES, startChildRelay, tempDir } from '../helpers/child-relay.js';
import { sendAll, type OutMessage } from '../helpers/retrying-client.js';
import { startSink } from '../helpers/sink.js';

afterAll(cleanupChildren);

function needles(c: Customer): { kind: string; value: string }[] {
  const out: { kind: string; value: string }[] = [
    { kind: 'email', value: c.email },
    { kind: 'full_name', value: c.fullName },
    { kind: 'phone', value: c.phoneCsv },
    { kind: 'phone', value: formatPhone(c, 'intl') },
    { kind: 'phone', value: formatPhone(c, 'national') },
    { kind: 'phone-digits', value: c.nsn },
    { kind: 'imei', value: c.imei },
    { kind: 'imei', value: formatImei(c.imei, 1) },
    { kind: 'order_id', value: c.orderId },
    { kind: 'street', value: c.streetLine },
  ];
  return out.filter((n) => n.value.length >= 6);
}

function findLeaks(text: string, customers: Customer[]): { kind: string; customer: string; context: string }[] {
  const hay = text.toLowerCase();
  const leaks: { kind: string; customer: string; context: string }[] = [];
  for (const c of customers) {
    for (const n of needles(c)) {
      const i = hay.indexOf(n.value.toLowerCase());
      if (i >= 0)
        leaks.push({ kind: n.kind, customer: c.id, context: text.slice(Math.max(0, i - 60), i + n.value.length + 20) });
    }
  }
  return leaks;
}

describe('privacy: no directory value in logs, metrics or replies', () => {
  it('runs the labelled corpus through the relay and finds no plaintext customer data outside the mail itself', async () => {
    const dir = tempDir('pg-privacy-');
    const corpus = await generateCorpusAtFixedTime();
    const csv = writeDirectoryCsv(corpus.customers, dir);
    const dataDir = join(dir, 'data');
    const sink = await startSink();
    const port = await freePort();
    const relay = await startChildRelay({
      args: [
        '--listen',
        `127.0.0.1:${port}`,
        '--admin-listen',
        '127.0.0.1:0',
        '--upstream',
        sink.url,
        '--data-dir',
        dataDir,
        '--directory',
        csv,
        '--policies',
        POLICIES,
        '--internal-domain',
        'support.example',
        '--hostname',
        'relay.test',
        '--log-level',
        'debug',
      ],
      env: { POSTGUARD_LOG_LEVEL: 'debug' },
    });
    try {
      const messages: OutMessage[] = corpus.messages.map((m) => ({
        messageId: m.id,
        from: m.envelope.mailFrom,
        to: m.envelope.rcptTo,
        data: m.raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..'),
      }));
      const outcomes = await sendAll(messages, 4, { port, maxAttempts: 5 });
      const replies = outcomes.map((o) => o.text).join('\n');
      const metrics = await (await fetch(`http://127.0.0.1:${relay.adminPort}/metrics`)).text();
      const readyz = await (await fetch(`http://127.0.0.1:${relay.adminPort}/readyz`)).text();
      // some failures on purpose: an unknown API path and a bad login must not echo anything either
      const bad = await (
        await fetch(
          `http://127.0.0.1:${relay.adminPort}/api/messages/${encodeURIComponent(corpus.customers[0]!.email)}`,
        )
      ).text();
      await relay.kill('SIGTERM');
      const list = spawnSync(process.execPath, [BIN, 'quarantine', 'list', '--json', '--data-dir', dataDir], {
        encoding: 'utf8',
      });

      const codes: Record<number, number> = {};
      for (const o of outcomes) codes[o.code] = (codes[o.code] ?? 0) + 1;
      const surfaces: Record<string, string> = {
        'relay stdout+stderr (debug)': relay.out(),
        'SMTP replies': replies,
        '/metrics': metrics,
        '/readyz': readyz,
        'admin error body': bad,
        'quarantine list --json': list.stdout + list.stderr,
      };
      const figures: Record<string, unknown> = {
        messages: messages.length,
        replies: codes,
        held: outcomes.filter((o) => /held for review/.test(o.text)).length,
        atUpstream: sink.messages.length,
        customers: corpus.customers.length,
        needlesPerCustomer: needles(corpus.customers[0]!).length,
        bytesSearched: Object.fromEntries(Object.entries(surfaces).map(([k, v]) => [k, v.length])),
      };
      const leaks: Record<string, ReturnType<typeof findLeaks>> = {};
      for (const [name, text] of Object.entries(surfaces)) {
        const l = findLeaks(text, corpus.customers);
        if (l.length) leaks[name] = l.slice(0, 5);
      }
      figures.leaks = Object.fromEntries(Object.entries(leaks).map(([k, v]) => [k, v.length]));
      console.log('[privacy]', JSON.stringify(figures));
      // the search itself works: the mail that reached the upstream does carry directory values
      expect(
        findLeaks(sink.messages.map((m) => m.raw.toString('utf8')).join('\n'), corpus.customers).length,
      ).toBeGreaterThan(0);
      expect(list.status).toBe(0);
      expect(outcomes.every((o) => o.code >= 250)).toBe(true);
      expect(leaks).toEqual({});
    } finally {
      await relay.kill();
      await sink.close();
    }
  }, 240_000);
});
