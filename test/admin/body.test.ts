/**
 * The console's body view marks the values detection found: a message carrying another customer's e-mail address
 * and phone number goes through the real scan (parse → detect with a real directory), is held with the findings'
 * positions as the server does, and is opened over HTTP as admin (plaintext in <mark>) and as viewer (only the
 * masked values in <mark>). Records held before spans existed still render.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markSegment, renderBodyDocument } from '../../src/admin/body.js';
import type { Directory } from '../../src/directory/index.js';
import { openQuarantine } from '../../src/quarantine/index.js';
import { cleanupChildren, freePort, POLICIES, startChildRelay, tempDir } from '../helpers/child-relay.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { sendRaw } from '../helpers/smtp-client.js';
import { makeMessage, makeVerdict } from '../quarantine/helpers.js';
import {
  ENVELOPE,
  FOREIGN_EMAIL,
  FOREIGN_PHONE,
  foreignRaw,
  holdForeign,
  openForeignDirectory,
  writeForeignCsv,
} from './highlight-fixture.js';
import { apiLogin, startEnv, type Env } from './setup.js';

const marks = (html: string): string[] =>
  [...html.matchAll(/<mark class="finding" title="([^"]+)">([^<]*)<\/mark>/g)].map((m) => `${m[1]}:${m[2]}`);

describe('body view with finding highlights', () => {
  let env: Env;
  let directory: Directory;
  beforeAll(async () => {
    env = await startEnv();
    directory = await openForeignDirectory(env.dir);
  });
  afterAll(async () => {
    await directory?.close();
    await env?.close();
  });

  const body = async (id: string, who: 'alice' | 'victor'): Promise<{ status: number; html: string }> => {
    const { cookie } = await apiLogin(env.server.url, who);
    const res = await fetch(`${env.server.url}/messages/${id}/body`, { headers: { cookie } });
    return { status: res.status, html: await res.text() };
  };

  it('marks exactly the foreign values: plaintext for admin (audited), masked values for viewers', async () => {
    const id = await holdForeign(env, directory);
    const record = await env.store.get(id);
    const kinds = (record.spans ?? []).map((s) => s.kind).sort();
    expect(kinds).toEqual(['email', 'phone']);

    const admin = await body(id, 'alice');
    expect(admin.status).toBe(200);
    expect(marks(admin.html).sort()).toEqual([`email:${FOREIGN_EMAIL}`, `phone:${FOREIGN_PHONE}`]);
    expect((await env.audit.list()).some((e) => e.action === 'view-body' && e.messageId === id)).toBe(true);

    const viewer = await body(id, 'victor');
    expect(viewer.status).toBe(200);
    const maskedValues = (record.spans ?? []).map((s) => `${s.kind}:${s.masked}`).sort();
    expect(marks(viewer.html).sort()).toEqual(maskedValues);
    expect(viewer.html).not.toContain(FOREIGN_EMAIL);
    expect(viewer.html).not.toContain(FOREIGN_PHONE);
    expect(viewer.html).not.toContain('555 0171');
    expect(viewer.html).toContain('the courier will call');
  });

  it('renders a record held without spans (older records) without marks', async () => {
    const message = makeMessage({ raw: foreignRaw('old1'), envelope: ENVELOPE });
    await env.store.hold(message, makeVerdict(), { subject: 'Your ticket' });
    expect((await env.store.get(message.id)).spans).toBeUndefined();
    const admin = await body(message.id, 'alice');
    expect(admin.status).toBe(200);
    expect(admin.html).toContain(FOREIGN_EMAIL);
    expect(marks(admin.html)).toEqual([]);
    const viewer = await body(message.id, 'victor');
    expect(viewer.status).toBe(200);
    expect(viewer.html).not.toContain(FOREIGN_EMAIL);
    expect(marks(viewer.html)).toEqual([]);
  });
});

describe('markSegment', () => {
  const seg = { index: 3, source: 'body:text', text: 'call 0171 now' };
  const span = { segment: 3, source: 'body:text', offset: 5, length: 4, kind: 'phone', masked: '••71' };

  it('wraps a span that fits its segment and masks the rest for viewers', () => {
    expect(markSegment(seg, [span], false)).toEqual([{ t: 'call ' }, { t: '0171', kind: 'phone' }, { t: ' now' }]);
    expect(markSegment(seg, [span], true)).toEqual([{ t: 'call ' }, { t: '••71', kind: 'phone' }, { t: ' now' }]);
  });

  it('never places a span whose segment, source or range does not match', () => {
    const plain = [{ t: 'call 0171 now' }];
    expect(markSegment(seg, [{ ...span, segment: 2 }], false)).toEqual(plain);
    expect(markSegment(seg, [{ ...span, source: 'body:html' }], false)).toEqual(plain);
    expect(markSegment(seg, [{ ...span, offset: 11 }], false)).toEqual(plain);
    expect(markSegment(seg, [span, { ...span, offset: 6, length: 2 }], false)).toEqual([
      { t: 'call ' },
      { t: '0171', kind: 'phone' },
      { t: ' now' },
    ]);
  });
});

describe('a message held by a real relay', () => {
  let sink: Sink | undefined;
  afterAll(async () => {
    await cleanupChildren();
    await sink?.close();
  });

  it('keeps the positions of its findings, so the body view marks them', { timeout: 120_000 }, async () => {
    sink = await startSink();
    const dir = tempDir('pg-highlight-');
    const dataDir = join(dir, 'data');
    const csv = writeForeignCsv(dir);
    const relay = await startChildRelay({
      args: [
        '--listen',
        `127.0.0.1:${await freePort()}`,
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
        'shop.example',
        '--directory',
        csv,
      ],
    });
    const reply = await sendRaw(relay.smtpPort, {
      from: ENVELOPE.mailFrom,
      to: ENVELOPE.rcptTo,
      body: foreignRaw('relay1'),
    });
    expect(reply.code).toBe(250);
    const ref = /held for review, ref ([0-9A-Za-z]+)/.exec(reply.text)?.[1];
    expect(ref).toBeTruthy();

    const store = await openQuarantine({ dataDir });
    try {
      const record = await store.get(ref!);
      expect((record.spans ?? []).map((s) => s.kind).sort()).toEqual(['email', 'phone']);
      const raw = await store.getRaw(ref!);
      const full = await renderBodyDocument(raw, { spans: record.spans! });
      expect(marks(full).sort()).toEqual([`email:${FOREIGN_EMAIL}`, `phone:${FOREIGN_PHONE}`]);
      const masked = await renderBodyDocument(raw, { masked: true, spans: record.spans! });
      expect(marks(masked).sort()).toEqual(['email:b•••@example.net', 'phone:+1 415 ••• ••71']);
      expect(masked).not.toContain(FOREIGN_EMAIL);
    } finally {
      await store.close();
      await relay.kill('SIGTERM');
    }
  });
});
