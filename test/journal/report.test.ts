/**
 * End to end over real processes: `postguard serve` holds a message carrying another customer's data (real SMTP),
 * the webhook receiver gets the signed verdict, `postguard quarantine release` (CLI) releases it, and
 * `postguard report customer` / `report incident` (child processes) show the verdict and the release with actor.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/notify/webhook.js';
import {
  BIN,
  cleanupChildren,
  freePort,
  POLICIES,
  startChildRelay,
  tempDir,
  waitUntil,
} from '../helpers/child-relay.js';
import { message } from '../helpers/relay.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { sendRaw } from '../helpers/smtp-client.js';

const CSV = [
  'customer_id,full_name,email,phone,street,city,postal_code,country,imei,order_id',
  'C001,Maria Gonzalez,maria.gonzalez@gmail.com,+1 415 555 0171,12 Market Street,San Francisco,94105,US,356938035643809,ORD-100234',
  'C002,Jürgen Müller,juergen.mueller@web.de,030 1234567,Hauptstraße 5,Berlin,10115,DE,490154203237518,ORD-100235',
  ...[3, 4, 5, 6, 7].map((i) => `C00${i},Person Number${i},person.number${i}@example.org,,,,,,,ORD-20000${i}`),
].join('\n');
const SECRET = 'e2e-webhook-secret';

let sink: Sink | undefined;
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await cleanupChildren();
  for (const c of closers) await c();
  await sink?.close();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, POSTGUARD_LOG_LEVEL: 'warn' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('report over a real relay, quarantine CLI and journal', () => {
  it(
    'held → released by the CLI → report customer and report incident show both, with the actor',
    { timeout: 180_000 },
    async () => {
      sink = await startSink();
      const hooks: { headers: IncomingMessage['headers']; body: string }[] = [];
      const receiver = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
          res.end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      closers.push(() => new Promise((r) => receiver.close(r)));
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/siem`;

      const dir = tempDir('pg-report-');
      const dataDir = join(dir, 'data');
      writeFileSync(join(dir, 'customers.csv'), CSV);
      const port = await freePort();
      const relay = await startChildRelay({
        args: [
          '--listen',
          `127.0.0.1:${port}`,
          '--data-dir',
          dataDir,
          '--upstream',
          sink.url,
          '--admin-listen',
          '',
          '--hostname',
          'relay.test',
          '--policies',
          POLICIES,
          '--internal-domain',
          'support.example',
          '--directory',
          join(dir, 'customers.csv'),
          '--notify-webhook',
          hookUrl,
          '--notify-sender-batch',
          '0',
          '--notify-admins',
          'sec@corp.example',
          '--notify-digest-every',
          '1s',
        ],
        env: { POSTGUARD_NOTIFY_WEBHOOK_SECRET: SECRET },
      });

      const leak = await sendRaw(relay.smtpPort, {
        from: 'agent@support.example',
        to: ['maria.gonzalez@gmail.com'],
        body: message({
          to: 'maria.gonzalez@gmail.com',
          subject: 'Your device',
          body: 'Hi Maria, the IMEI on file is 4901 5420 3237 518.',
        }),
      });
      expect(leak.code).toBe(250);
      const ref = /held for review, ref ([0-9A-Z]{22})/.exec(leak.text)![1]!;

      // the sender's notice and the signed webhook event arrive
      await sink.waitFor(1, 30_000);
      expect(sink.messages[0]!.rcptTo).toEqual(['agent@support.example']);
      await waitUntil(() => hooks.length >= 1, 30_000, 'webhook call');
      const h0 = hooks[0]!;
      expect(
        verifyWebhook(
          SECRET,
          {
            timestamp: h0.headers['x-postguard-timestamp'] as string,
            signature: h0.headers['x-postguard-signature'] as string,
          },
          h0.body,
        ),
      ).toBe(true);
      const event = JSON.parse(h0.body) as Record<string, unknown>;
      expect(event).toMatchObject({
        type: 'postguard.verdict',
        ref,
        event: 'held',
        action: 'quarantine',
        recipients: ['m•••@gmail.com'],
      });
      expect(event.customers).toContain('C002');
      expect(h0.body).not.toContain('maria.gonzalez');
      expect(h0.body).not.toContain('4901');

      // release from the CLI while the relay runs
      const rel = await cli([
        'quarantine',
        'release',
        ref,
        '--reason',
        'checked with the customer',
        '--actor',
        'alice',
        '--data-dir',
        dataDir,
        '--upstream',
        sink.url,
      ]);
      expect(rel.stderr).toBe('');
      expect(rel.code).toBe(0);
      await sink.waitFor(2, 30_000);

      // report customer: text and JSON lines
      const text = await cli(['report', 'customer', 'C002', '--data-dir', dataDir]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`ref ${ref}  quarantine → released (delivered)`);
      expect(text.stdout).toContain('to:    m•••@gmail.com');
      expect(text.stdout).toMatch(/released by cli:alice/);
      const json = await cli([
        'report',
        'customer',
        'C002',
        '--since',
        new Date(Date.now() - 3_600_000).toISOString(),
        '--json',
        '--data-dir',
        dataDir,
      ]);
      const lines = json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.length).toBe(1);
      expect(lines[0]).toMatchObject({
        customer: 'C002',
        ref,
        verdict: 'quarantine',
        status: 'released',
        delivered: true,
        recipients: ['m•••@gmail.com'],
      });
      expect(lines[0]!.actions).toEqual([expect.objectContaining({ event: 'released', actor: 'cli:alice' })]);
      expect(
        (await cli(['report', 'customer', 'C002', '--since', '2999-01-01', '--json', '--data-dir', dataDir])).stdout,
      ).toBe('');

      // report incident: Art. 33(3) summary with the timeline and who acted
      const inc = await cli(['report', 'incident', ref, '--data-dir', dataDir]);
      expect(inc.code).toBe(0);
      expect(inc.stdout).toContain(`Incident evidence for message ${ref}`);
      expect(inc.stdout).toMatch(/Verdict: +quarantine \(rules foreign-data/);
      expect(inc.stdout).toMatch(/Outcome: +DELIVERED to its recipients/);
      expect(inc.stdout).toMatch(/Kinds of data: .*imei/);
      expect(inc.stdout).toMatch(/Data subjects: +\d+ \(customer ids: .*C002/);
      expect(inc.stdout).toMatch(/held +by relay/);
      expect(inc.stdout).toMatch(/released +by cli:alice/);
      const incJson = JSON.parse((await cli(['report', 'incident', ref, '--json', '--data-dir', dataDir])).stdout) as {
        timeline: { event: string; actor?: string }[];
        dataSubjects: { customers: string[] };
      };
      expect(incJson.timeline.map((e) => `${e.event}/${e.actor}`)).toEqual([
        'verdict/relay',
        'held/relay',
        'released/cli:alice',
      ]);
      expect(incJson.dataSubjects.customers).toContain('C002');
      const missing = await cli(['report', 'incident', '0000000000000000000000', '--data-dir', dataDir]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/the journal has no message/);

      // the journal files hold no plaintext customer data
      const files = readdirSync(join(dataDir, 'journal'));
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        const content = readFileSync(join(dataDir, 'journal', f), 'utf8');
        for (const secret of [
          'maria.gonzalez',
          'Maria',
          '4901',
          '490154203237518',
          'checked with the customer',
          'Your device',
        ])
          expect(content).not.toContain(secret);
      }
      // a bulk leak (5 other customers) is rejected in-session; the admins get it in their digest, the SIEM too
      const bulk = await sendRaw(relay.smtpPort, {
        from: 'agent@support.example',
        to: ['maria.gonzalez@gmail.com'],
        body: message({
          to: 'maria.gonzalez@gmail.com',
          subject: 'List',
          body: [3, 4, 5, 6, 7].map((i) => `person.number${i}@example.org`).join('\n'),
        }),
      });
      expect(bulk.code).toBe(550);
      const bulkRef = /ref ([0-9A-Z]{22})/.exec(bulk.text)![1]!;
      await waitUntil(() => sink!.messages.some((m) => m.rcptTo.includes('sec@corp.example')), 30_000, 'admin digest');
      const digest = sink.messages.find((m) => m.rcptTo.includes('sec@corp.example'))!.raw.toString();
      expect(digest).toContain(`ref ${bulkRef}`);
      expect(digest).toMatch(/customers: C003, C004, C005, C006, C007/);
      expect(digest).not.toContain('person.number');
      await waitUntil(() => hooks.some((h) => h.body.includes(bulkRef)), 30_000, 'webhook reject event');
      expect(JSON.parse(hooks.find((h) => h.body.includes(bulkRef))!.body)).toMatchObject({
        type: 'postguard.verdict',
        event: 'rejected',
        action: 'reject',
        rules: ['bulk'],
      });
      const c5 = JSON.parse(
        (await cli(['report', 'customer', 'C005', '--json', '--data-dir', dataDir])).stdout,
      ) as Record<string, unknown>;
      expect(c5).toMatchObject({ ref: bulkRef, verdict: 'reject', status: 'rejected', delivered: false });

      const wrongDir = await cli(['report', 'customer', 'C002', '--data-dir', join(dir, 'no-such-data')]);
      expect(wrongDir.code).toBe(1);
      expect(wrongDir.stderr).toMatch(/no verdict journal at .*no-such-data/);
      await relay.kill('SIGTERM');
    },
  );
});
