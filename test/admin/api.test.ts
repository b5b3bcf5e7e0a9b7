/** The admin API contract (issue 18 items 5 and 6) over real HTTP: login, messages, stats, docs, limits, sessions. */
import { afterEach, describe, expect, it } from 'vitest';
import { AccountStore, type Principal } from '../../src/admin/accounts.js';
import { LOGIN_LIMITS } from '../../src/admin/server.js';
import { makeMessage, makeVerdict } from '../quarantine/helpers.js';
import { apiLogin, PASSWORDS, startEnv, type Env } from './setup.js';

/** Counts password checks actually made (scrypt runs), to prove the limiter stops guesses before them. */
class CountingAccounts extends AccountStore {
  static checks = 0;
  override async checkPassword(name: string, password: string): Promise<Principal | null> {
    CountingAccounts.checks++;
    return super.checkPassword(name, password);
  }
}

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('admin API contract', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('POST /api/login takes JSON or a form and answers with role, CSRF token and cookie', async () => {
    env = await startEnv();
    const viaJson = await fetch(`${env.server.url}/api/login`, json({ name: 'rita', password: PASSWORDS.rita }));
    expect(viaJson.status).toBe(200);
    expect(await viaJson.json()).toMatchObject({
      name: 'rita',
      role: 'releaser',
      csrf: expect.any(String),
      expires: expect.any(String),
    });
    expect(viaJson.headers.get('set-cookie')).toMatch(/^pg_session=[^;]+;.*HttpOnly.*SameSite=Strict/i);
    const viaForm = await fetch(`${env.server.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'victor', password: PASSWORDS.victor }).toString(),
    });
    expect(viaForm.status).toBe(200);
    expect(((await viaForm.json()) as { role: string }).role).toBe('viewer');
    const missing = await fetch(`${env.server.url}/api/login`, json({ name: 'rita' }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/password/);
    expect((await fetch(`${env.server.url}/api/login`, json({ name: 'rita', password: 'wrong-wrong' }))).status).toBe(
      401,
    );
  });

  it('GET /api/messages pages with total, filters by status and search, and lists customer ids', async () => {
    env = await startEnv();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const msg = makeMessage();
      ids.push(msg.id);
      await env.store.hold(msg, makeVerdict());
    }
    const other = makeMessage({ envelope: { mailFrom: 'billing@shop.example', rcptTo: ['someone@example.org'] } });
    await env.store.hold(
      other,
      makeVerdict({
        rules: ['typo-recipient'],
        hits: [
          {
            ruleId: 'typo-recipient',
            action: 'quarantine',
            mode: 'enforce',
            reason: 'typo',
            evidence: [{ kind: 'email', masked: 's•••@example.org', source: 'envelope', customers: ['c-99'] }],
          },
        ],
      }),
    );
    await env.store.transition(ids[0]!, { from: ['held'], to: 'deleted', entry: { actor: 'test', action: 'deleted' } });
    const { cookie } = await apiLogin(env.server.url, 'victor');
    const get = async (q: string) => {
      const res = await fetch(`${env.server.url}/api/messages${q}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      return (await res.json()) as { total: number; messages: { id: string; status: string; customers: string[] }[] };
    };
    const page1 = await get('?status=held&limit=2&offset=0');
    const page3 = await get('?status=held&limit=2&offset=4');
    expect(page1.total).toBe(5);
    expect(page1.messages).toHaveLength(2);
    expect(page3.messages).toHaveLength(1);
    const all = await get('?limit=100');
    expect(all.total).toBe(6);
    expect(all.messages.find((m) => m.id === ids[1])?.customers).toEqual(['c-17']);
    const byCustomer = await get('?q=c-99');
    expect(byCustomer.messages.map((m) => m.id)).toEqual([other.id]);
    const byRecipient = await get('?q=someone@example');
    expect(byRecipient.total).toBe(1);
    expect(JSON.stringify(byRecipient)).not.toContain('someone@example.org'); // searched, but shown masked
    expect((await get(`?q=${ids[2]}`)).total).toBe(1);
    const bad = await fetch(`${env.server.url}/api/messages?status=nope`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect((await fetch(`${env.server.url}/api/messages?limit=0`, { headers: { cookie } })).status).toBe(400);
  });

  it('GET /api/stats counts held, released, deleted and rejected, by rule and by day', async () => {
    env = await startEnv();
    const a = makeMessage();
    const b = makeMessage();
    const c = makeMessage();
    await env.store.hold(a, makeVerdict());
    await env.store.hold(b, makeVerdict());
    await env.store.hold(c, makeVerdict({ rules: ['typo-recipient'] }));
    env.metrics.observeMessage('reject', 3, undefined, ['foreign-data']);
    const { cookie, csrf } = await apiLogin(env.server.url, 'rita');
    const post = (id: string, action: string) =>
      fetch(`${env.server.url}/api/messages/${id}/${action}`, {
        method: 'POST',
        headers: { cookie, origin: env.server.url, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'checked' }),
      });
    expect((await post(a.id, 'release')).status).toBe(200);
    expect((await post(b.id, 'delete')).status).toBe(200);
    const res = await fetch(`${env.server.url}/api/stats`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const stats = (await res.json()) as Record<string, unknown>;
    const today = new Date().toISOString().slice(0, 10);
    expect(stats).toMatchObject({
      held: 3,
      released: 1,
      deleted: 1,
      rejected: 1,
      byRule: { 'foreign-data': 2, 'typo-recipient': 1 },
      releaseRate: 0.5,
    });
    expect(stats.byDay).toEqual([{ day: today, byRule: { 'foreign-data': 2, 'typo-recipient': 1 } }]);
    expect(stats.timeToRelease).toContainEqual({ bucket: '< 15 min', count: 1 });
    const future = await fetch(`${env.server.url}/api/stats?since=2999-01-01`, { headers: { cookie } });
    expect(await future.json()).toMatchObject({ held: 0, byRule: {}, byDay: [] });
    expect((await fetch(`${env.server.url}/api/stats?since=yesterday`, { headers: { cookie } })).status).toBe(400);
  });

  it('publishes the OpenAPI document generated from the route schemas, and the docs UI', async () => {
    env = await startEnv();
    const spec = (await (await fetch(`${env.server.url}/api/docs/json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/login',
        '/api/messages',
        '/api/messages/{id}/release',
        '/api/stats',
        '/api/audit/export',
      ]),
    );
    expect(spec.paths['/api/messages']!.get!.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['status', 'limit', 'offset', 'q']),
    );
    expect(JSON.stringify(spec.paths['/api/stats']!.get!.responses['200'])).toContain('byDay');
    expect(Object.keys(spec.paths).some((p) => p === '/messages' || p === '/login')).toBe(false); // console pages stay out
    const ui = await fetch(`${env.server.url}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });
});

describe('login limiter', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('lets 100 parallel wrong guesses make at most the budget of password checks', async () => {
    env = await startEnv({ accountStore: CountingAccounts });
    CountingAccounts.checks = 0;
    const guesses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(`${env.server.url}/api/login`, json({ name: 'alice', password: `guess-${i}-guess` })).then(
          (r) => r.status,
        ),
      ),
    );
    expect(CountingAccounts.checks).toBeLessThanOrEqual(LOGIN_LIMITS.perAddress);
    expect(CountingAccounts.checks).toBeGreaterThan(0);
    expect(guesses.filter((s) => s === 401)).toHaveLength(CountingAccounts.checks);
    expect(guesses.filter((s) => s === 429)).toHaveLength(100 - CountingAccounts.checks);
    // the right password is refused too from this address now (and never checked)
    const before = CountingAccounts.checks;
    const right = await fetch(`${env.server.url}/api/login`, json({ name: 'alice', password: PASSWORDS.alice }));
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(CountingAccounts.checks).toBe(before);
  });

  it('behind a trusted proxy counts the forwarded client, so one attacker cannot lock every admin out', async () => {
    env = await startEnv({ trustedProxies: ['127.0.0.1/32'] });
    const from = (ip: string, body: unknown) =>
      fetch(`${env.server.url}/api/login`, {
        ...json(body),
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      });
    for (let i = 0; i < LOGIN_LIMITS.perAddress; i++)
      await from('203.0.113.66', { name: `nobody${i}`, password: 'guess-guess' });
    expect((await from('203.0.113.66', { name: 'rita', password: PASSWORDS.rita })).status).toBe(429);
    expect((await from('198.51.100.7', { name: 'rita', password: PASSWORDS.rita })).status).toBe(200);
    const entries = await env.audit.list();
    expect(entries.find((e) => e.action === 'login')?.details).toEqual({ ip: '198.51.100.7' });
  });

  it('without trusted proxies ignores X-Forwarded-For (a client cannot pick its own address)', async () => {
    env = await startEnv();
    for (let i = 0; i < LOGIN_LIMITS.perAddress; i++) {
      await fetch(`${env.server.url}/api/login`, {
        ...json({ name: `n${i}`, password: 'guess-guess' }),
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `192.0.2.${i}` },
      });
    }
    const res = await fetch(`${env.server.url}/api/login`, {
      ...json({ name: 'rita', password: PASSWORDS.rita }),
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.200' },
    });
    expect(res.status).toBe(429);
  });
});

describe('sessions', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('end on password change, role change and removal, also when changed by another process', async () => {
    env = await startEnv();
    const ok = async (cookie: string) => (await fetch(`${env.server.url}/api/session`, { headers: { cookie } })).status;
    const cli = AccountStore.forDataDir(env.dir); // a second store on the same file: the CLI
    const rita = await apiLogin(env.server.url, 'rita');
    const victor = await apiLogin(env.server.url, 'victor');
    const alice = await apiLogin(env.server.url, 'alice');
    expect(await ok(rita.cookie)).toBe(200);
    await cli.add('rita', 'releaser', 'a brand new password');
    expect(await ok(rita.cookie)).toBe(401);
    await cli.add('victor', 'admin', PASSWORDS.victor); // promoted: the old session goes, a new login gets the new role
    expect(await ok(victor.cookie)).toBe(401);
    expect(
      (
        (await (
          await fetch(`${env.server.url}/api/login`, json({ name: 'victor', password: PASSWORDS.victor }))
        ).json()) as { role: string }
      ).role,
    ).toBe('admin');
    expect(await ok(alice.cookie)).toBe(200); // others untouched
    await cli.remove('alice');
    expect(await ok(alice.cookie)).toBe(401);
  });

  it('refuses a route that declares no role (fail closed)', async () => {
    const { buildAdminApp } = await import('../../src/admin/app.js');
    const { SessionStore } = await import('../../src/admin/sessions.js');
    const { FailureBudget } = await import('../../src/core/failure-budget.js');
    env = await startEnv();
    const app = await buildAdminApp({
      store: env.store,
      upstream: env.upstream,
      accounts: env.accounts,
      audit: env.audit,
      metrics: env.metrics,
      signer: env.signer,
      sessions: new SessionStore(),
      loginBudget: new FailureBudget(LOGIN_LIMITS),
      readiness: async () => ({}),
      secureCookie: false,
    });
    app.get('/api/forgotten', async () => ({ secret: true }));
    const res = await app.inject({ method: 'GET', url: '/api/forgotten' });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('secret');
    await app.close();
  });
});
