import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/core/errors.js';
import {
  cleanupRedis,
  makeMessage,
  makeVerdict,
  redisPrefix,
  SECRET_SUBJECT,
  startSink,
  type Sink,
} from '../quarantine/helpers.js';
import { apiLogin, startEnv, type Env } from './setup.js';

describe('admin server over HTTP', () => {
  let env: Env;
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(() => env.close());

  it('serves health, readiness and metrics without login, with no customer data', async () => {
    const msg = makeMessage();
    await env.store.hold(msg, makeVerdict(), { subject: SECRET_SUBJECT });
    expect((await fetch(`${env.server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${env.server.url}/readyz`)).status).toBe(200);
    env.ready.upstream = false;
    const notReady = await fetch(`${env.server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, checks: { store: true, upstream: false } });
    env.metrics.observeMessage('quarantine', 12, undefined, ['foreign-data']);
    env.metrics.upstreamError('temporary');
    const text = await (await fetch(`${env.server.url}/metrics`)).text();
    expect(text).toContain('postguard_quarantine_messages{status="held"} 1');
    expect(text).toContain('postguard_messages_total{verdict="quarantine"} 1');
    expect(text).toContain('postguard_rule_hits_total{rule="foreign-data"} 1');
    expect(text).toContain('postguard_upstream_errors_total{kind="temporary"} 1');
    expect(text).not.toMatch(/victim|shop\.example|SECRET/);
  });

  it('requires a login everywhere else and sets security headers', async () => {
    const api = await fetch(`${env.server.url}/api/messages`);
    expect(api.status).toBe(401);
    const page = await fetch(`${env.server.url}/messages`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
    const login = await fetch(`${env.server.url}/login`);
    expect(login.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(login.headers.get('x-frame-options')).toBe('DENY');
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
    const bad = await fetch(`${env.server.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"alice","password":"nope-nope-nope"}',
    });
    expect(bad.status).toBe(401);
    expect((await env.audit.list())[0]).toMatchObject({ action: 'login-failed', actor: 'admin:alice' });
  });

  it('lists masked records, refuses state changes without CSRF token or from another origin, then releases', async () => {
    const msg = makeMessage();
    await env.store.hold(msg, makeVerdict(), { subject: SECRET_SUBJECT });
    const { cookie, csrf } = await apiLogin(env.server.url, 'rita');
    const listRes = await fetch(`${env.server.url}/api/messages?status=held`, { headers: { cookie } });
    const listText = await listRes.text();
    expect(listRes.status).toBe(200);
    expect(listText).toContain(msg.id);
    expect(listText).toContain('v•••@gmail.com');
    expect(listText).not.toContain('victim.customer');
    expect(listText).not.toContain(SECRET_SUBJECT);

    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${env.server.url}/api/messages/${msg.id}/release`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const origin = env.server.url;
    expect((await post({ origin }, { reason: 'ok' })).status).toBe(403); // no CSRF token
    expect((await post({ origin, 'x-csrf-token': 'forged' }, { reason: 'ok' })).status).toBe(403);
    expect((await post({ origin: 'http://evil.example', 'x-csrf-token': csrf }, { reason: 'ok' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf }, { reason: 'ok' })).status).toBe(403); // no Origin at all
    expect((await post({ origin, 'x-csrf-token': csrf }, { reason: '' })).status).toBe(400); // reason required
    expect((await env.store.get(msg.id)).status).toBe('held');
    expect(env.sink.messages).toHaveLength(0);

    const ok = await post({ origin, 'x-csrf-token': csrf }, { reason: 'checked with the customer' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { status: string }).status).toBe('released');
    expect(env.sink.messages).toHaveLength(1);
    const again = await post({ origin, 'x-csrf-token': csrf }, { reason: 'twice' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toMatch(/already released/);
    expect((await env.audit.list()).find((e) => e.action === 'release')).toMatchObject({
      actor: 'admin:rita',
      reason: 'checked with the customer',
    });
  });

  it('enforces roles and accepts API tokens without cookies', async () => {
    const msg = makeMessage();
    await env.store.hold(msg, makeVerdict());
    const viewer = await apiLogin(env.server.url, 'victor');
    const res = await fetch(`${env.server.url}/api/messages/${msg.id}/delete`, {
      method: 'POST',
      headers: {
        cookie: viewer.cookie,
        origin: env.server.url,
        'x-csrf-token': viewer.csrf,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ reason: 'x' }),
    });
    expect(res.status).toBe(403);
    expect(
      (await fetch(`${env.server.url}/api/audit/export?format=csv`, { headers: { cookie: viewer.cookie } })).status,
    ).toBe(403);

    const token = await env.accounts.createToken('alice');
    const del = await fetch(`${env.server.url}/api/messages/${msg.id}/delete`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'sent to the wrong customer' }),
    });
    expect(del.status).toBe(200);
    expect((await env.store.get(msg.id)).status).toBe('deleted');
    expect(
      (
        await fetch(`${env.server.url}/api/messages`, {
          headers: { authorization: 'Bearer pgt_000000000000_forgedforgedforged' },
        })
      ).status,
    ).toBe(401);
    // removing an account ends its sessions at once
    expect((await fetch(`${env.server.url}/api/messages`, { headers: { cookie: viewer.cookie } })).status).toBe(200);
    await env.accounts.remove('victor');
    expect((await fetch(`${env.server.url}/api/messages`, { headers: { cookie: viewer.cookie } })).status).toBe(401);

    const csv = await fetch(`${env.server.url}/api/audit/export?format=csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(csv.status).toBe(200);
    const csvText = await csv.text();
    expect(csvText.split('\r\n')[0]).toBe('time,actor,action,messageId,reason,details');
    expect(csvText).toContain(`api:alice,delete,${msg.id},sent to the wrong customer`);
    const jsonl = await (
      await fetch(`${env.server.url}/api/audit/export?format=jsonl`, { headers: { authorization: `Bearer ${token}` } })
    ).text();
    const lines = jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(lines.map((l) => l.action)).toContain('delete');
  });

  it('serves the body inert: escaped text under a no-load, sandboxed CSP', async () => {
    const msg = makeMessage({
      raw: Buffer.from(
        'Subject: <script>alert(1)</script>\r\nContent-Type: text/html\r\n\r\n<p>hi</p><script>alert(2)</script><img src="http://evil.example/x.png">\r\n',
      ),
    });
    await env.store.hold(msg, makeVerdict());
    const { cookie } = await apiLogin(env.server.url, 'victor');
    const res = await fetch(`${env.server.url}/messages/${msg.id}/body`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none';.*sandbox$/);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const html = await res.text();
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('two relays sharing one Redis', () => {
  let sink: Sink;
  let prefix: string;
  let a: Env;
  let b: Env;
  beforeAll(async () => {
    sink = await startSink();
    prefix = redisPrefix();
    a = await startEnv({ backend: 'redis', prefix, sink });
    b = await startEnv({ backend: 'redis', prefix, sink });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await sink.close();
    await cleanupRedis(prefix);
  });

  it('holds through relay A and releases exactly once through both admin servers racing', async () => {
    const msg = makeMessage();
    await a.store.hold(msg, makeVerdict());
    const la = await apiLogin(a.server.url, 'alice');
    const lb = await apiLogin(b.server.url, 'alice');
    const release = (env: Env, l: { cookie: string; csrf: string }) =>
      fetch(`${env.server.url}/api/messages/${msg.id}/release`, {
        method: 'POST',
        headers: {
          cookie: l.cookie,
          origin: env.server.url,
          'x-csrf-token': l.csrf,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ reason: 'approved' }),
      }).then((r) => r.status);
    const statuses = await Promise.all([
      ...Array.from({ length: 5 }, () => release(b, lb)),
      ...Array.from({ length: 5 }, () => release(a, la)),
    ]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    // every release has returned, and a release returns after the upstream's answer: nothing more can arrive
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]?.raw.equals(msg.raw)).toBe(true);
    expect((await a.store.get(msg.id)).status).toBe('released');
    // the shared audit stream shows the release on both consoles
    const entries = await a.audit.list();
    expect(entries.filter((e) => e.action === 'release' && e.messageId === msg.id)).toHaveLength(1);
    await expect(
      a.store.transition(msg.id, { from: ['held'], to: 'deleted', entry: { actor: 'x', action: 'x' } }),
    ).rejects.toMatchObject({
      code: ErrorCodes.QUARANTINE_STATE,
    });
  });
});
