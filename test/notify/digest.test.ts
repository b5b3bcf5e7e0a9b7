/** The admin digest through a real SMTP sink: one mail per window, masked, no plaintext customer data. */
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { createUpstream } from '../../src/deliver/index.js';
import { loadConfig } from '../../src/config/load.js';
import type { RecordedEntry } from '../../src/journal/recorder.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { AdminDigest } from '../../src/notify/digest.js';
import { startSink } from '../helpers/sink.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const rec = (over: Partial<JournalEntry>, notifyAdmins = false): RecordedEntry => ({
  entry: {
    time: new Date().toISOString(),
    ref: 'REF',
    event: 'held',
    action: 'quarantine',
    rules: ['foreign-data'],
    customers: ['C001'],
    kinds: ['iban'],
    recipients: ['m•••@gmail.com'],
    actor: 'relay',
    ...over,
  },
  notifyAdmins,
});

describe('admin digest', () => {
  it('collects release requests and rejects of one window into one mail to every admin', async () => {
    const sink = await startSink();
    cleanups.push(() => sink.close());
    const upstream = createUpstream(loadConfig({ flags: { upstream: sink.url, hostname: 'relay.test' }, env: {} }));
    cleanups.push(() => upstream.close());
    const digest = new AdminDigest({
      admins: ['sec@corp.example', 'dpo@corp.example'],
      from: 'postguard@relay.test',
      everyMs: 400,
      upstream,
      publicUrl: 'https://pg.corp.example',
    });
    cleanups.push(() => digest.close());

    digest.add(rec({ ref: 'REQ1', event: 'release-requested', actor: 'sender' }));
    digest.add(
      rec({
        ref: 'REJ1',
        event: 'rejected',
        action: 'reject',
        rules: ['block-card'],
        customers: ['C002', 'C003'],
        kinds: ['card'],
      }),
    );
    digest.add(rec({ ref: 'HELD-QUIET', event: 'held' })); // no notify.admins: not in the digest
    digest.add(rec({ ref: 'HELD-LOUD', event: 'held', rules: ['bulk-export'] }, true));
    digest.add(rec({ ref: 'CLEAN', event: 'delivered', action: 'deliver', rules: [] }));

    const [mail] = await sink.waitFor(1, 15_000);
    expect(mail!.mailFrom).toBe('');
    expect(mail!.rcptTo.sort()).toEqual(['dpo@corp.example', 'sec@corp.example']);
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.subject).toBe('postguard digest: 1 release request(s), 1 reject(s), 3 event(s)');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    const text = parsed.text ?? '';
    expect(text).toMatch(/Release requests waiting for review \(1\):\n- \S+ {2}release requested {2}ref REQ1/);
    expect(text).toMatch(
      /Rejected messages \(1\):\n- \S+ {2}rejected {2}ref REJ1\n {4}rules: block-card\n {4}customers: C002, C003 {3}data: card\n {4}recipients: m•••@gmail.com/,
    );
    expect(text).toContain('ref HELD-LOUD');
    expect(text).not.toContain('HELD-QUIET');
    expect(text).not.toContain('CLEAN');
    expect(text).toContain('https://pg.corp.example');

    // a later event opens the next window: a second digest, not one per event
    digest.add(rec({ ref: 'REQ2', event: 'release-requested', actor: 'sender' }));
    digest.add(rec({ ref: 'REQ3', event: 'release-requested', actor: 'sender' }));
    await sink.waitFor(2, 15_000);
    const second = (await simpleParser(sink.messages[1]!.raw)).text ?? '';
    expect(second).toContain('REQ2');
    expect(second).toContain('REQ3');
    await digest.close();
    expect(sink.messages.length).toBe(2);
  });

  it('sends nothing without admins, and flushes a waiting digest at close', async () => {
    const sink = await startSink();
    cleanups.push(() => sink.close());
    const upstream = createUpstream(loadConfig({ flags: { upstream: sink.url, hostname: 'relay.test' }, env: {} }));
    cleanups.push(() => upstream.close());
    const none = new AdminDigest({ admins: [], from: 'postguard@relay.test', everyMs: 1, upstream });
    none.add(rec({ event: 'release-requested' }));
    await none.close();
    const digest = new AdminDigest({
      admins: ['sec@corp.example'],
      from: 'postguard@relay.test',
      everyMs: 3_600_000,
      upstream,
    });
    digest.add(rec({ ref: 'AT-CLOSE', event: 'release-requested' }));
    await digest.close();
    await sink.waitFor(1);
    expect(sink.messages.length).toBe(1);
    expect(sink.messages[0]!.raw.toString()).toContain('AT-CLOSE');
  });
});
