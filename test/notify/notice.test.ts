import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHoldNotice, notifyHold, shouldNotifySender } from '../../src/notify/notice.js';
import { createLinkSigner } from '../../src/notify/signer.js';
import { makeMessage, makeVerdict, SECRET_SUBJECT } from '../quarantine/helpers.js';
import { apiLogin, startEnv, type Env } from '../admin/setup.js';

const FROM = 'postguard@relay.example';

describe('link signer', () => {
  it('verifies its own links and refuses forged, altered and expired ones', () => {
    const signer = createLinkSigner(Buffer.alloc(32, 1), 1000 * 60);
    const now = new Date('2026-01-01T00:00:00Z');
    const { exp, sig } = signer.sign('abc', now);
    expect(signer.verify('abc', String(exp), sig, now)).toBe(true);
    expect(signer.verify('abd', String(exp), sig, now)).toBe(false);
    expect(signer.verify('abc', String(exp + 1), sig, now)).toBe(false);
    expect(signer.verify('abc', String(exp), sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A'), now)).toBe(false);
    expect(signer.verify('abc', String(exp), sig, new Date(now.getTime() + 61_000))).toBe(false);
    expect(createLinkSigner(Buffer.alloc(32, 2)).verify('abc', String(exp), sig, now)).toBe(false);
  });
});

describe('shouldNotifySender', () => {
  const rec = { envelope: { mailFrom: 'agent@shop.example', rcptTo: ['x@gmail.com'] }, verdict: makeVerdict() };
  it('notifies held mail only, with a sender, unless the deciding rule says notify.sender: false', () => {
    expect(shouldNotifySender(rec)).toBe(true);
    expect(shouldNotifySender({ ...rec, verdict: makeVerdict({ action: 'reject' }) })).toBe(false);
    expect(shouldNotifySender({ ...rec, envelope: { mailFrom: '', rcptTo: ['x@gmail.com'] } })).toBe(false);
    const quiet = makeVerdict();
    quiet.hits[0]!.notify = { sender: false };
    expect(shouldNotifySender({ ...rec, verdict: quiet })).toBe(false);
    expect(shouldNotifySender({ ...rec, envelope: { mailFrom: FROM, rcptTo: ['x@gmail.com'] } }, { from: FROM })).toBe(
      false,
    );
  });
});

describe('hold notice end to end', () => {
  let env: Env;
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(() => env.close());

  it('sends the sender a masked notice with the reference and a working signed link', async () => {
    const msg = makeMessage();
    const record = await env.store.hold(msg, makeVerdict(), { subject: SECRET_SUBJECT });
    const sent = await notifyHold(env.upstream, record, {
      from: FROM,
      publicUrl: env.server.url + '/',
      signer: env.signer,
    });
    expect(sent).toBe(true);
    const [notice] = await env.sink.waitFor(1);
    expect(notice?.mailFrom).toBe(''); // null sender: no auto-reply loops
    expect(notice?.rcptTo).toEqual(['agent@shop.example']);
    const raw = notice!.raw.toString('utf8');
    for (const secret of ['Secret Lane', 'victim.customer', '490154203237518', '555 0171'])
      expect(raw).not.toContain(secret);
    const parsed = await simpleParser(notice!.raw);
    expect(parsed.subject).toBe(`Message held for review (ref ${msg.id})`);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    const text = parsed.text ?? '';
    expect(text).toContain(`Reference:  ${msg.id}`);
    expect(text).toContain(`Subject:    ${SECRET_SUBJECT}`); // the sender's own subject, so the agent recognises the message
    expect(text).toContain('Foreign strong identifier (rule foreign-data)');
    expect(text).toContain('phone: +1 415 ••• ••71');
    expect(text).toContain('v•••@gmail.com');
    const link = /(http:\/\/\S+\/request\/\S+)/.exec(text)?.[1];
    expect(link).toBeDefined();
    const linkUrl = new URL(link!);
    expect(linkUrl.pathname).toBe(`/request/${msg.id}`);

    // the link works: form, then request
    const form = await fetch(link!);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="justification"');
    const post = (fields: Record<string, string>, origin = env.server.url) =>
      fetch(`${env.server.url}/request/${msg.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams(fields).toString(),
      });
    const exp = linkUrl.searchParams.get('exp')!;
    const sig = linkUrl.searchParams.get('sig')!;
    expect((await post({ exp, sig, justification: 'x' }, 'http://evil.example')).status).toBe(403);
    expect(
      (await post({ exp, sig: sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), justification: 'x' })).status,
    ).toBe(403);
    expect((await post({ exp, sig, justification: '  ' })).status).toBe(400);
    const done = await post({ exp, sig, justification: 'The customer asked for this copy of their own order' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your request was recorded');
    const rec = await env.store.get(msg.id);
    expect(rec.status).toBe('release-requested');
    expect(rec.history.at(-1)).toMatchObject({
      action: 'release-requested',
      actor: 'sender:a•••@shop.example',
      reason: 'The customer asked for this copy of their own order',
    });
    expect(await post({ exp, sig, justification: 'again' }).then((r) => r.status)).toBe(409);

    // the request shows in the console for an admin
    const { cookie } = await apiLogin(env.server.url, 'alice');
    const page = await (
      await fetch(`${env.server.url}/messages?status=release-requested`, { headers: { cookie } })
    ).text();
    expect(page).toContain(msg.id);
    const view = await (await fetch(`${env.server.url}/messages/${msg.id}`, { headers: { cookie } })).text();
    expect(view).toContain('Release requested by the sender: The customer asked for this copy of their own order');
    expect((await env.audit.list()).find((e) => e.action === 'release-request')).toMatchObject({
      messageId: msg.id,
      actor: 'sender:a•••@shop.example',
    });
  });

  it('refuses expired and forged links', async () => {
    const msg = makeMessage();
    await env.store.hold(msg, makeVerdict());
    const old = env.signer.sign(msg.id, new Date(Date.now() - 8 * 24 * 60 * 60 * 1000)); // 7-day links, signed 8 days ago
    expect((await fetch(`${env.server.url}/request/${msg.id}?exp=${old.exp}&sig=${old.sig}`)).status).toBe(403);
    const other = createLinkSigner(Buffer.alloc(32, 9)).sign(msg.id);
    expect((await fetch(`${env.server.url}/request/${msg.id}?exp=${other.exp}&sig=${other.sig}`)).status).toBe(403);
    const good = env.signer.sign(msg.id);
    expect((await fetch(`${env.server.url}/request/${msg.id}?exp=${good.exp}&sig=${good.sig}`)).status).toBe(200);
    expect((await fetch(`${env.server.url}/request/${msg.id}?exp=${good.exp}`)).status).toBe(403);
    expect((await env.store.get(msg.id)).status).toBe('held');
  });

  it('builds no notice content from the body', async () => {
    const msg = makeMessage();
    const record = await env.store.hold(msg, makeVerdict(), { subject: SECRET_SUBJECT });
    const raw = (
      await buildHoldNotice(record, { from: FROM, publicUrl: 'https://pg.example', signer: env.signer })
    ).toString();
    expect(raw).toContain('https://pg.example/request/');
    expect(raw).not.toContain('12 Secret Lane');
    expect(raw).not.toContain('490154203237518');
  });
});
