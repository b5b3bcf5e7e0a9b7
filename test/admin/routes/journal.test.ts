/**
 * The verdict journal in the console over real HTTP: GET /api/customers/:id, GET /api/incidents/:ref, their roles
 * and errors, and GET /api/stats taking "rejected" from the journal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { outcomeEntry, verdictEntry } from '../../../src/journal/entries.js';
import { releaseMessage } from '../../../src/quarantine/release.js';
import { makeMessage, makeVerdict, SECRET_BODY, SECRET_SUBJECT } from '../../quarantine/helpers.js';
import { apiLogin, startEnv, type Env } from '../setup.js';

interface CustomerJson {
  customer: string;
  since?: string;
  messages: {
    ref: string;
    verdict: string;
    recipients: string[];
    kinds: string[];
    status: string;
    delivered: boolean;
    inQuarantine: boolean;
    actions: { event: string; actor?: string }[];
  }[];
}

interface IncidentJson {
  ref: string;
  verdict: string;
  kinds: string[];
  dataSubjects: { count: number; customers: string[] };
  recipients: string[];
  delivered: boolean;
  status: string;
  inQuarantine: boolean;
  timeline: { event: string; actor?: string; reply?: number; delivered?: boolean }[];
}

const PLAINTEXT = [
  'victim.customer',
  'Jane Roe',
  '490154203237518',
  '415 555 0171',
  'Secret Lane',
  SECRET_SUBJECT,
  SECRET_BODY,
];

/** A held message, as serve journals it: verdict, hold, outcome 250; then released by rita. */
async function heldAndReleased(env: Env): Promise<string> {
  const msg = makeMessage();
  const verdict = makeVerdict();
  await env.recorder!.verdict(msg, verdict);
  await env.store.hold(msg, verdict);
  await env.recorder!.outcome(msg.id, 250);
  await releaseMessage(
    env.store,
    env.upstream,
    msg.id,
    { actor: 'admin:rita', reason: 'customer confirmed' },
    env.audit,
  );
  return msg.id;
}

/** A message refused in-session: verdict reject, reply 550; never in the quarantine. */
async function rejected(env: Env, at?: Date): Promise<string> {
  const msg = makeMessage();
  const verdict = makeVerdict({ action: 'reject', rules: ['foreign-data'] });
  if (!at) {
    await env.recorder!.verdict(msg, verdict);
    await env.recorder!.outcome(msg.id, 550);
    return msg.id;
  }
  const v = verdictEntry(msg, verdict, undefined, 'relay.old', at);
  await env.journal!.append(v);
  await env.journal!.append(outcomeEntry(v, 550, at));
  return msg.id;
}

describe('verdict journal API', () => {
  let env: Env;
  afterEach(() => env?.close());

  it("GET /api/customers/:id lists every message with the customer's data, masked, with what happened since", async () => {
    env = await startEnv({ journal: true });
    const old = await rejected(env, new Date('2020-03-01T10:00:00Z'));
    const held = await heldAndReleased(env);
    const refused = await rejected(env);
    const { cookie } = await apiLogin(env.server.url, 'victor');
    const get = async (path: string) => {
      const res = await fetch(`${env.server.url}${path}`, { headers: { cookie } });
      const text = await res.text();
      for (const p of PLAINTEXT) expect(text).not.toContain(p);
      return { status: res.status, text };
    };

    // the release is journaled by the recorder watching the store; wait until it is there
    await expect
      .poll(
        async () =>
          (JSON.parse((await get('/api/customers/c-17')).text) as CustomerJson).messages.find((m) => m.ref === held)
            ?.status,
        { timeout: 20_000 },
      )
      .toBe('released');
    const all = JSON.parse((await get('/api/customers/c-17')).text) as CustomerJson;
    expect(all.customer).toBe('c-17');
    expect(all.messages.map((m) => m.ref)).toEqual([old, held, refused]);
    const h = all.messages[1]!;
    expect(h).toMatchObject({
      verdict: 'quarantine',
      recipients: ['v•••@gmail.com'],
      status: 'released',
      delivered: true,
      inQuarantine: true,
    });
    expect(h.kinds.sort()).toEqual(['imei', 'phone']);
    expect(h.actions).toEqual([expect.objectContaining({ event: 'released', actor: 'admin:rita' })]);
    expect(all.messages[2]).toMatchObject({
      verdict: 'reject',
      status: 'rejected',
      delivered: false,
      inQuarantine: false,
      actions: [],
    });

    const recent = await get('/api/customers/c-17?since=2024-01-01');
    expect(recent.status).toBe(200);
    const r = JSON.parse(recent.text) as CustomerJson;
    expect(r.since).toBe('2024-01-01T00:00:00.000Z');
    expect(r.messages.map((m) => m.ref)).toEqual([held, refused]);

    expect(JSON.parse((await get('/api/customers/c-404')).text)).toEqual({ customer: 'c-404', messages: [] });
    expect((await get('/api/customers/c-17?since=not-a-date')).status).toBe(400);
    expect((await fetch(`${env.server.url}/api/customers/c-17`)).status).toBe(401);

    // the HTML twin for a viewer: the customer id, masked recipients, and a link to the message still held
    const page = await get('/customers/c-17');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/messages/${held}"`);
    expect(page.text).not.toContain(`href="/messages/${refused}"`);
    expect(page.text).toContain('v•••@gmail.com');
  });

  it('GET /api/incidents/:ref gives the Art. 33(3) summary to releasers and admins, not to viewers', async () => {
    env = await startEnv({ journal: true });
    const held = await heldAndReleased(env);
    const rita = await apiLogin(env.server.url, 'rita');
    const get = (path: string, cookie: string) => fetch(`${env.server.url}${path}`, { headers: { cookie } });
    await expect
      .poll(async () => ((await (await get(`/api/incidents/${held}`, rita.cookie)).json()) as IncidentJson).status, {
        timeout: 20_000,
      })
      .toBe('released');
    const res = await get(`/api/incidents/${held}`, rita.cookie);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const p of PLAINTEXT) expect(text).not.toContain(p);
    const inc = JSON.parse(text) as IncidentJson;
    expect(inc).toMatchObject({
      ref: held,
      verdict: 'quarantine',
      dataSubjects: { count: 1, customers: ['c-17'] },
      recipients: ['v•••@gmail.com'],
      delivered: true,
      inQuarantine: true,
    });
    expect(inc.kinds.sort()).toEqual(['imei', 'phone']);
    expect(inc.timeline.map((e) => [e.event, e.actor])).toEqual([
      ['verdict', 'relay'],
      ['held', 'relay'],
      ['released', 'admin:rita'],
    ]);
    expect(inc.timeline[1]).toMatchObject({ reply: 250, delivered: false });

    const alice = await apiLogin(env.server.url, 'alice');
    expect((await get(`/incidents/${held}`, alice.cookie)).status).toBe(200);
    expect((await get('/api/incidents/NOSUCHREF', alice.cookie)).status).toBe(404);

    const victor = await apiLogin(env.server.url, 'victor');
    const refused = await get(`/api/incidents/${held}`, victor.cookie);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'this needs the releaser role' });
    expect((await get(`/incidents/${held}`, victor.cookie)).status).toBe(403);
    // the message page offers the incident link to releasers only, and links the customer id for everyone
    const forVictor = await (await get(`/messages/${held}`, victor.cookie)).text();
    expect(forVictor).toContain('href="/customers/c-17"');
    expect(forVictor).not.toContain(`href="/incidents/${held}"`);
    expect(await (await get(`/messages/${held}`, rita.cookie)).text()).toContain(`href="/incidents/${held}"`);
  });

  it('without a journal the routes answer 503 and the message page has no incident link', async () => {
    env = await startEnv();
    const msg = makeMessage();
    await env.store.hold(msg, makeVerdict());
    const { cookie } = await apiLogin(env.server.url, 'alice');
    const customers = await fetch(`${env.server.url}/api/customers/c-17`, { headers: { cookie } });
    expect(customers.status).toBe(503);
    expect(await customers.json()).toEqual({ error: 'no verdict journal is configured for this console' });
    expect((await fetch(`${env.server.url}/api/incidents/${msg.id}`, { headers: { cookie } })).status).toBe(503);
    expect(await (await fetch(`${env.server.url}/messages/${msg.id}`, { headers: { cookie } })).text()).not.toContain(
      '/incidents/',
    );
  });

  it('the OpenAPI document describes both routes with their schemas', async () => {
    env = await startEnv({ journal: true });
    const doc = (await (await fetch(`${env.server.url}/api/docs/json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: { required?: string[] } }> }> }>
      >;
    };
    const customer = doc.paths['/api/customers/{id}']?.get?.responses['200']?.content?.['application/json']?.schema;
    expect(customer?.required).toEqual(['customer', 'messages']);
    const incident = doc.paths['/api/incidents/{ref}']?.get?.responses['200']?.content?.['application/json']?.schema;
    expect(incident?.required).toEqual(
      expect.arrayContaining(['kinds', 'dataSubjects', 'recipients', 'delivered', 'timeline']),
    );
  });
});

describe('GET /api/stats with a journal', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('counts rejected messages from the journal in the since window, not from this process', async () => {
    env = await startEnv({ journal: true });
    // two refusals journaled (by any relay, before or after a restart: this process's metrics never saw them)
    await rejected(env);
    await rejected(env);
    await rejected(env, new Date('2020-03-01T10:00:00Z'));
    const msg = makeMessage();
    await env.store.hold(msg, makeVerdict());
    const { cookie } = await apiLogin(env.server.url, 'victor');
    const stats = async (q = '') =>
      (await (await fetch(`${env.server.url}/api/stats${q}`, { headers: { cookie } })).json()) as Record<
        string,
        unknown
      >;
    const recent = await stats();
    expect(recent).toMatchObject({ held: 1, released: 0, deleted: 0, rejected: 2, byRule: { 'foreign-data': 1 } });
    expect(recent.byDay).toEqual([{ day: new Date().toISOString().slice(0, 10), byRule: { 'foreign-data': 1 } }]);
    expect((await stats('?since=2020-01-01')).rejected).toBe(3);
    expect((await stats('?since=2099-01-01')).rejected).toBe(0);
    const page = await (await fetch(`${env.server.url}/stats`, { headers: { cookie } })).text();
    expect(page).toMatch(/<strong>2<\/strong> rejected in-session \(from the verdict journal\)/);
  });
});
