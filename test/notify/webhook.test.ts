/** The SIEM webhook against a real HTTP receiver on 127.0.0.1: signature, retries, the bounded queue. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookSender } from '../../src/notify/webhook.js';
import type { JournalEntry } from '../../src/journal/types.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const SECRET = 'whsec-test-0123456789';
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; got: Received[]; waitFor(n: number): Promise<Received[]> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    async waitFor(n) {
      const end = Date.now() + 20_000;
      while (got.length < n) {
        if (Date.now() > end) throw new Error(`receiver got ${got.length}, expected ${n}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return got;
    },
  };
}

const entry = (over: Partial<JournalEntry> = {}): JournalEntry => ({
  time: new Date().toISOString(),
  ref: '0ABCDEFGHJKMNPQRSTVWXY',
  event: 'held',
  action: 'quarantine',
  rules: ['foreign-data'],
  customers: ['C001'],
  kinds: ['iban'],
  recipients: ['m•••@gmail.com'],
  delivered: false,
  actor: 'relay',
  ...over,
});

describe('webhook', () => {
  it('posts a signed JSON event that the receiver verifies over the raw body and timestamp', async () => {
    const r = await receiver();
    const hook = new WebhookSender({ url: r.url, secret: SECRET });
    cleanups.push(() => hook.close());
    hook.send(entry());
    const [got] = await r.waitFor(1);
    const ts = got!.headers['x-postguard-timestamp'] as string;
    const sig = got!.headers['x-postguard-signature'] as string;
    // recomputed here independently of the sender's code
    expect(sig).toBe('sha256=' + createHmac('sha256', SECRET).update(`${ts}.${got!.body}`).digest('hex'));
    expect(verifyWebhook(SECRET, { timestamp: ts, signature: sig }, got!.body)).toBe(true);
    expect(verifyWebhook(SECRET, { timestamp: ts, signature: sig }, got!.body.replace('C001', 'C002'))).toBe(false);
    expect(verifyWebhook('other-secret', { timestamp: ts, signature: sig }, got!.body)).toBe(false);
    // replayed an hour later: refused
    expect(verifyWebhook(SECRET, { timestamp: ts, signature: sig }, got!.body, 300, Date.now() + 3_600_000)).toBe(
      false,
    );
    const body = JSON.parse(got!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'postguard.verdict',
      ref: '0ABCDEFGHJKMNPQRSTVWXY',
      event: 'held',
      action: 'quarantine',
      customers: ['C001'],
      recipients: ['m•••@gmail.com'],
    });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-postguard-event']).toBe(body.id);
  });

  it('sends no delivered-clean verdicts and no pre-action verdict lines; sends tags, rejects and actions', async () => {
    const r = await receiver();
    const hook = new WebhookSender({ url: r.url, secret: SECRET });
    cleanups.push(() => hook.close());
    hook.send(entry({ event: 'delivered', action: 'deliver', ref: 'DELIVER' }));
    hook.send(entry({ event: 'verdict', action: 'reject', ref: 'PRE' }));
    hook.send(entry({ event: 'delivered', action: 'tag', ref: 'TAG' }));
    hook.send(entry({ event: 'rejected', action: 'reject', ref: 'REJ' }));
    hook.send(entry({ event: 'released', actor: 'admin:rita', ref: 'REL' }));
    const got = await r.waitFor(3);
    await hook.close();
    const bodies = got.map((g) => JSON.parse(g.body) as { ref: string; type: string });
    expect(bodies.map((b) => [b.ref, b.type])).toEqual([
      ['TAG', 'postguard.verdict'],
      ['REJ', 'postguard.verdict'],
      ['REL', 'postguard.action'],
    ]);
  });

  it('retries a 500 with backoff and succeeds, the same event id and a fresh signature on each attempt', async () => {
    const r = await receiver([500, 503]);
    const registry = new Registry();
    const hook = new WebhookSender({ url: r.url, secret: SECRET, baseDelayMs: 50, registry });
    cleanups.push(() => hook.close());
    hook.send(entry());
    const got = await r.waitFor(3);
    expect(new Set(got.map((g) => g.headers['x-postguard-event'])).size).toBe(1);
    for (const g of got)
      expect(
        verifyWebhook(
          SECRET,
          {
            timestamp: g.headers['x-postguard-timestamp'] as string,
            signature: g.headers['x-postguard-signature'] as string,
          },
          g.body,
        ),
      ).toBe(true);
    while (hook.counts.sent === 0) await new Promise((res) => setTimeout(res, 10)); // the 3rd response is being read
    expect(hook.counts).toEqual({ sent: 1, dropped: 0, failed: 0 });
    expect(await registry.getSingleMetricAsString('postguard_webhook_events_total')).toMatch(/result="sent"} 1/);
  });

  it('gives up on a 4xx other than 408/429 without retrying, and drops (counts) what does not fit the queue', async () => {
    const r = await receiver([400]);
    const registry = new Registry();
    const hook = new WebhookSender({ url: r.url, secret: SECRET, queueMax: 2, baseDelayMs: 10_000, registry });
    cleanups.push(() => hook.close(0));
    for (let i = 0; i < 5; i++) hook.send(entry({ ref: `R${i}` }));
    expect(hook.counts.dropped).toBe(3);
    await r.waitFor(2);
    await hook.close();
    expect(r.got.map((g) => (JSON.parse(g.body) as { ref: string }).ref)).toEqual(['R0', 'R1']);
    expect(hook.counts).toEqual({ sent: 1, dropped: 3, failed: 1 });
    expect(await registry.getSingleMetricAsString('postguard_webhook_events_total')).toMatch(/result="dropped"} 3/);
  });

  it('never blocks: send() returns at once while the receiver is down', async () => {
    const hook = new WebhookSender({ url: 'http://127.0.0.1:9/none', secret: SECRET, baseDelayMs: 20, maxAttempts: 3 });
    for (let i = 0; i < 100; i++) hook.send(entry({ ref: `D${i}` }));
    expect(hook.queued).toBeGreaterThan(90); // send() returned with the events still queued: nothing waited for the network
    await hook.close(0);
    expect(hook.queued).toBe(0);
    expect(hook.counts.dropped + hook.counts.failed).toBe(100);
  });
});
