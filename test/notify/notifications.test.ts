/** Sender notices through a real SMTP sink: several holds of one sender within the window → one notice. */
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from '../../src/config/load.js';
import { createNotifications, type NotificationSettings } from '../../src/notify/notifications.js';
import { createLinkSigner } from '../../src/notify/signer.js';
import { openQuarantine } from '../../src/quarantine/index.js';
import { makeMessage, makeVerdict, sinkUpstream, startSink, tempDir } from '../quarantine/helpers.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SETTINGS: NotificationSettings = {
  admins: [],
  digestEvery: 60_000,
  from: 'Postguard <guard@relay.example>',
  senderBatch: 500,
  webhook: '',
  webhookSecret: '',
  webhookQueue: 10,
};

async function env(settings: Partial<NotificationSettings> = {}) {
  const sink = await startSink();
  cleanups.push(() => sink.close());
  const tmp = await tempDir();
  cleanups.push(() => tmp.cleanup());
  const store = await openQuarantine({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  const upstream = sinkUpstream(sink.port);
  cleanups.push(() => upstream.close());
  const n = createNotifications(
    { ...SETTINGS, ...settings },
    { upstream, notice: { publicUrl: 'https://pg.example', signer: createLinkSigner(Buffer.alloc(32, 3)) } },
  );
  cleanups.push(() => n.close());
  return { sink, store, n };
}

describe('sender notices', () => {
  it('batches several holds of one sender within the window into one notice with every subject and reference', async () => {
    const { sink, store, n } = await env();
    const subjects = ['Invoice March', 'Re: your ticket 4411', 'Delivery note'];
    const records = [];
    for (const subject of subjects) records.push(await store.hold(makeMessage(), makeVerdict(), { subject }));
    const other = await store.hold(
      makeMessage({ envelope: { mailFrom: 'other.agent@shop.example', rcptTo: ['x@gmail.com'] } }),
      makeVerdict(),
      { subject: 'Other agent' },
    );
    // the holds arrive within the window (the relay calls held() right after each durable hold)
    for (const r of records) n.held(r);
    n.held(other);

    const mails = await sink.waitFor(2, 15_000);
    const toAgent = mails.filter((m) => m.rcptTo.includes('agent@shop.example'));
    expect(toAgent.length).toBe(1);
    const parsed = await simpleParser(toAgent[0]!.raw);
    expect(parsed.from?.value[0]).toMatchObject({ name: 'Postguard', address: 'guard@relay.example' });
    expect(parsed.subject).toBe(`3 messages held for review (refs ${records.map((r) => r.id).join(', ')})`);
    const text = parsed.text ?? '';
    for (const [i, r] of records.entries()) {
      expect(text).toContain(`Reference:  ${r.id}`);
      expect(text).toContain(`Subject:    ${subjects[i]}`);
      expect(text).toContain(`https://pg.example/request/${r.id}?exp=`);
    }
    expect(text).toContain('--- Message 3 of 3 ---');
    const toOther = mails.filter((m) => m.rcptTo.includes('other.agent@shop.example'));
    expect(toOther.length).toBe(1);
    expect((await simpleParser(toOther[0]!.raw)).subject).toBe(`Message held for review (ref ${other.id})`);
    await n.close();
    expect(sink.messages.length).toBe(2);
  });

  it('with senderBatch 0 sends one notice per hold, and never one to the null sender', async () => {
    const { sink, store, n } = await env({ senderBatch: 0 });
    n.held(await store.hold(makeMessage(), makeVerdict(), { subject: 'One' }));
    n.held(await store.hold(makeMessage(), makeVerdict(), { subject: 'Two' }));
    n.held(await store.hold(makeMessage({ envelope: { mailFrom: '', rcptTo: ['x@gmail.com'] } }), makeVerdict()));
    await sink.waitFor(2, 15_000);
    await n.close();
    expect(sink.messages.length).toBe(2);
    expect(sink.messages.every((m) => m.rcptTo[0] === 'agent@shop.example')).toBe(true);
  });
});

describe('notify and journal configuration', () => {
  it('refuses a webhook without a secret, a non-http webhook, a non-postgres journal URL and bad admin addresses', () => {
    const load = (flags: Record<string, unknown>, env: Record<string, string> = {}) => loadConfig({ flags, env });
    expect(() => load({ 'notify.webhook': 'https://siem.example/hook' })).toThrow(/notify\.webhookSecret.*needs/);
    expect(() => load({ 'notify.webhook': 'ftp://siem.example/hook', 'notify.webhookSecret': 's' })).toThrow(
      /notify\.webhook.*http/,
    );
    expect(() => load({ 'journal.postgres': 'mysql://db/x' })).toThrow(/journal\.postgres/);
    expect(() => load({}, { POSTGUARD_NOTIFY_ADMINS: 'sec@corp.example,not-an-address' })).toThrow(/notify\.admins/);
    const ok = load(
      { 'notify.webhook': 'https://siem.example/hook' },
      {
        POSTGUARD_NOTIFY_WEBHOOK_SECRET: 's3cret',
        POSTGUARD_NOTIFY_ADMINS: 'sec@corp.example,dpo@corp.example',
        POSTGUARD_NOTIFY_DIGEST_EVERY: '5m',
        POSTGUARD_JOURNAL_RETENTION: '30d',
      },
    );
    expect(ok.notify).toMatchObject({
      admins: ['sec@corp.example', 'dpo@corp.example'],
      digestEvery: 300_000,
      senderBatch: 60_000,
      webhookSecret: 's3cret',
    });
    expect(ok.journal.retention).toBe(30 * 86_400_000);
    expect(JSON.stringify(redactConfig(ok))).not.toContain('s3cret');
  });
});
