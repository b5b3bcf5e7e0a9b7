/**
 * The journal in the relay's path, over real SMTP: the verdict is journaled before the relay acts (a journal that
 * cannot be written gives 451 and nothing is delivered or held), the outcome after, and quarantine actions with
 * their actor.
 */
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAudit } from '../../src/audit/index.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Inspector, Verdict } from '../../src/core/types.js';
import { JournalRecorder, openJournal, type Journal } from '../../src/journal/index.js';
import { openQuarantine, type QuarantineRecord, type QuarantineStore } from '../../src/quarantine/index.js';
import { deleteMessage, releaseMessage, requestRelease } from '../../src/quarantine/release.js';
import { message, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { sendRaw } from '../helpers/smtp-client.js';
import { makeVerdict } from '../quarantine/helpers.js';
import { createUpstream } from '../../src/deliver/index.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  verdictFor: (body: string) => Verdict,
): Promise<{ relay: TestRelay; sink: Sink; journal: Journal; store: QuarantineStore; held: QuarantineRecord[] }> {
  const sink = await startSink();
  cleanups.push(() => sink.close());
  const inspector: Inspector = async (m) => verdictFor(m.raw.toString());
  const held: QuarantineRecord[] = [];
  // the relay's hooks are wired before the store and journal exist (they live in the relay's temp data dir)
  const late: { recorder?: JournalRecorder; store?: QuarantineStore } = {};
  const relay = await startTestRelay(
    { upstream: sink.url, upstreamEarlyTransaction: false },
    {
      inspector,
      quarantine: { hold: (m, v) => late.store!.hold(m, v) },
      hooks: {
        onVerdict: (m, v) => late.recorder!.verdict(m, v, { customers: ['C042'], kinds: ['iban'] }),
        onHeld: (_m, _v, r) => void held.push(r as QuarantineRecord),
        onFinished: (s) => void late.recorder!.outcome(s.id, s.reply.code),
      },
    },
  );
  cleanups.push(() => relay.close());
  const store = await openQuarantine({ dataDir: relay.dataDir, logger: silentLogger });
  late.store = store;
  cleanups.push(() => store.close());
  const journal = await openJournal({ dataDir: relay.dataDir });
  cleanups.push(() => journal.close());
  late.recorder = new JournalRecorder(journal, { relay: 'relay.test', logger: silentLogger });
  late.recorder.watch(store);
  return { relay, sink, journal, store, held };
}

async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const refOf = (text: string) => /(?:ref|queued as) ([0-9A-Z]{22})/.exec(text)![1]!;

describe('journal in the relay path', () => {
  it('journals verdict and outcome of delivered, held and rejected mail, and later actions with their actor', async () => {
    const { relay, journal, store, sink } = await setup((body) =>
      body.includes('HOLD')
        ? makeVerdict()
        : body.includes('REJECT')
          ? makeVerdict({ action: 'reject', rules: ['block'], hits: [] })
          : { action: 'deliver', rules: [], reason: 'clean', hits: [] },
    );
    const send = (body: string) =>
      sendRaw(relay.port, { from: 'agent@support.example', to: ['maria.gonzalez@gmail.com'], body: message({ body }) });
    const ok = await send('fine');
    const held = await send('HOLD this');
    const rej = await send('REJECT this');
    expect([ok.code, held.code, rej.code]).toEqual([250, 250, 550]);

    const d = await waitFor(
      async () =>
        (await journal.byReference(refOf(ok.text)))?.status === 'delivered' && journal.byReference(refOf(ok.text)),
      'delivered outcome',
    );
    expect(d).toMatchObject({
      action: 'deliver',
      delivered: true,
      customers: ['C042'],
      kinds: ['iban'],
      recipients: ['m•••@gmail.com'],
    });
    const r = await waitFor(
      async () =>
        (await journal.byReference(refOf(rej.text)))?.status === 'rejected' && journal.byReference(refOf(rej.text)),
      'reject outcome',
    );
    expect(r).toMatchObject({ action: 'reject', delivered: false, rules: ['block'] });
    expect(r.events.find((e) => e.event === 'rejected')?.reply).toBe(550);

    const id = refOf(held.text);
    await waitFor(async () => (await journal.byReference(id))?.status === 'held', 'held outcome');
    const audit = await openAudit({ dataDir: relay.dataDir });
    cleanups.push(() => audit.close());
    await requestRelease(store, id, { justification: 'the customer asked' }, audit);
    const upstream = createUpstream({ ...relay.config, upstream: sink.url });
    cleanups.push(() => upstream.close());
    await releaseMessage(store, upstream, id, { actor: 'admin:rita', reason: 'checked' }, audit);
    const h = (await journal.byReference(id))!;
    expect(h.status).toBe('released');
    expect(h.delivered).toBe(true);
    expect(h.customers).toEqual(['C042', 'c-17']);
    expect(h.events.map((e) => `${e.event}/${e.actor}`)).toEqual([
      'verdict/relay',
      'held/relay',
      'release-requested/sender',
      'released/admin:rita',
    ]);
    // nothing of the message in the journal files
    const raw = JSON.stringify(await journal.entries());
    expect(raw).not.toContain('maria.gonzalez');
    expect(raw).not.toContain('the customer asked');
  });

  it('fails closed: a journal that cannot be written gives 451 and nothing is delivered or held; the retry goes through once', async () => {
    const { relay, sink, journal, held } = await setup((body) =>
      body.includes('HOLD') ? makeVerdict() : { action: 'deliver', rules: [], reason: 'clean', hits: [] },
    );
    const dir = join(relay.dataDir, 'journal');
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'not a folder'); // a real write failure: the day file cannot be created
    const send = (body: string) =>
      sendRaw(relay.port, { from: 'agent@support.example', to: ['maria.gonzalez@gmail.com'], body: message({ body }) });
    const a = await send('fine');
    const b = await send('HOLD this');
    expect([a.code, b.code]).toEqual([451, 451]);
    expect(a.text).toMatch(/could not be recorded/);
    expect(relay.logText()).toMatch(/verdict journal write failed; message not accepted/);
    expect(sink.messages.length).toBe(0);
    expect(held.length).toBe(0);

    rmSync(dir);
    mkdirSync(dir, { mode: 0o700 });
    const again = await send('fine');
    expect(again.code).toBe(250);
    await sink.waitFor(1);
    await waitFor(
      async () => (await journal.byReference(refOf(again.text)))?.status === 'delivered',
      'delivered outcome',
    );
    expect(sink.messages.length).toBe(1);
    // the refused attempts left no journal entry behind
    expect(await journal.byReference(refOf(a.text))).toBeNull();
  });
});

describe('deletes and expiry', () => {
  it('journals a delete by its actor and an expiry by the system', async () => {
    const { relay, journal, store } = await setup(() => makeVerdict());
    const send = () =>
      sendRaw(relay.port, { from: 'agent@support.example', to: ['x@gmail.com'], body: message({ body: 'HOLD' }) });
    const one = refOf((await send()).text);
    const two = refOf((await send()).text);
    const audit = await openAudit({ dataDir: relay.dataDir });
    cleanups.push(() => audit.close());
    await deleteMessage(store, one, { actor: 'cli:ops', reason: 'wrong recipient' }, audit);
    await store.purge(new Date(Date.now() + 40 * 86_400_000));
    expect((await journal.byReference(one))?.events.at(-1)).toMatchObject({
      event: 'deleted',
      actor: 'cli:ops',
      delivered: false,
    });
    expect((await journal.byReference(two))?.events.at(-1)).toMatchObject({ event: 'expired', actor: 'system' });
  });
});
