import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, isPostguardError } from '../../src/core/errors.js';
import { openQuarantine, type QuarantineStore } from '../../src/quarantine/index.js';
import {
  cleanupRedis,
  makeMessage,
  makeVerdict,
  REDIS_URL,
  redisPrefix,
  SECRET_BODY,
  SECRET_SUBJECT,
  tempDir,
  TEST_KEY,
} from './helpers.js';

const DAY = 24 * 60 * 60 * 1000;

interface Ctx {
  store: QuarantineStore;
  /** Every byte the backend holds at rest. */
  bytesAtRest(): Promise<Buffer>;
  reopen(opts?: { key?: string; retentionDays?: number }): Promise<QuarantineStore>;
  cleanup(): Promise<void>;
}

async function fileCtx(retentionDays = 30): Promise<Ctx> {
  const t = await tempDir();
  const open = (o: { key?: string; retentionDays?: number } = {}) =>
    openQuarantine({
      dataDir: t.dir,
      retentionDays: o.retentionDays ?? retentionDays,
      ...(o.key ? { key: o.key } : {}),
    });
  const store = await open();
  return {
    store,
    reopen: open,
    async bytesAtRest() {
      const dir = path.join(t.dir, 'quarantine');
      const parts = await Promise.all((await readdir(dir)).map((n) => readFile(path.join(dir, n))));
      return Buffer.concat(parts);
    },
    cleanup: t.cleanup,
  };
}

async function redisCtx(retentionDays = 30): Promise<Ctx> {
  const t = await tempDir();
  const prefix = redisPrefix();
  const open = (o: { key?: string; retentionDays?: number } = {}) =>
    openQuarantine({
      dataDir: t.dir,
      redis: REDIS_URL,
      redisPrefix: prefix,
      key: o.key ?? TEST_KEY,
      retentionDays: o.retentionDays ?? retentionDays,
    });
  const store = await open();
  return {
    store,
    reopen: open,
    async bytesAtRest() {
      const r = new Redis(REDIS_URL);
      try {
        const parts: Buffer[] = [];
        for (const k of await r.keys(`${prefix}*`)) {
          const type = await r.type(k);
          if (type === 'string') parts.push((await r.getBuffer(k)) ?? Buffer.alloc(0));
          else if (type === 'hash') parts.push(...Object.values(await r.hgetallBuffer(k)));
          else if (type === 'zset') parts.push(Buffer.from((await r.zrange(k, '0', '-1')).join(',')));
        }
        return Buffer.concat(parts);
      } finally {
        await r.quit();
      }
    },
    async cleanup() {
      await cleanupRedis(prefix);
      await t.cleanup();
    },
  };
}

describe.each([
  ['file', fileCtx],
  ['redis', redisCtx],
] as const)('quarantine store (%s)', (backend, makeCtx) => {
  let ctx: Ctx;
  beforeEach(async () => {
    ctx = await makeCtx();
  });
  afterEach(async () => {
    await ctx.store.close();
    await ctx.cleanup();
  });

  it('holds a message and returns it from get, getRaw and list', async () => {
    const msg = makeMessage();
    const held = await ctx.store.hold(msg, makeVerdict(), { subject: SECRET_SUBJECT });
    expect(ctx.store.backend).toBe(backend);
    expect(held).toMatchObject({ id: msg.id, status: 'held', size: msg.raw.length, subject: SECRET_SUBJECT });
    const got = await ctx.store.get(msg.id);
    expect(got.envelope).toEqual(msg.envelope);
    expect(got.masked).toEqual({ mailFrom: 'a•••@shop.example', rcptTo: ['v•••@gmail.com'] });
    expect(got.client).toEqual({ remoteAddress: '127.0.0.1', user: 'helpdesk' });
    expect(got.verdict.rules).toEqual(['foreign-data']);
    expect(got.verdict.hits[0]?.evidence[0]?.masked).toBe('+1 415 ••• ••71');
    expect(got.history.map((h) => h.action)).toEqual(['held']);
    expect(Date.parse(got.expiresAt) - Date.parse(got.heldAt)).toBe(30 * DAY);
    expect((await ctx.store.getRaw(msg.id)).equals(msg.raw)).toBe(true);
    expect((await ctx.store.list()).map((r) => r.id)).toEqual([msg.id]);
    await expect(ctx.store.hold(msg, makeVerdict())).rejects.toMatchObject({ code: ErrorCodes.QUARANTINE_STORE });
  });

  it('keeps subject, body and addresses encrypted at rest', async () => {
    const msg = makeMessage();
    await ctx.store.hold(msg, makeVerdict(), { subject: SECRET_SUBJECT });
    const bytes = (await ctx.bytesAtRest()).toString('latin1');
    expect(bytes.length).toBeGreaterThan(msg.raw.length);
    for (const plain of [
      SECRET_SUBJECT,
      'Secret Lane',
      SECRET_BODY.slice(0, 20),
      'victim.customer',
      'agent@shop.example',
      '490154203237518',
    ]) {
      expect(bytes).not.toContain(plain);
    }
    // sanity: the non-secret parts are there in plaintext
    expect(bytes).toContain('foreign-data');
  });

  it('keeps finding positions sealed with the record, at most 500, and none on records held without them', async () => {
    const msg = makeMessage();
    const span = {
      segment: 2,
      source: 'body:text',
      offset: 7,
      length: 15,
      kind: 'phone',
      masked: 'SPAN-MASK-+1 415 ••• ••71',
    };
    const spans = Array.from({ length: 600 }, (_, i) => ({ ...span, offset: i }));
    await ctx.store.hold(msg, makeVerdict(), { subject: SECRET_SUBJECT, spans });
    const got = await ctx.store.get(msg.id);
    expect(got.spans).toHaveLength(500);
    expect(got.spans?.[0]).toEqual({ ...span, offset: 0 });
    expect((await ctx.store.list())[0]?.spans).toHaveLength(500);
    expect((await ctx.bytesAtRest()).toString('latin1')).not.toContain('SPAN-MASK');
    const old = makeMessage();
    await ctx.store.hold(old, makeVerdict(), { subject: SECRET_SUBJECT });
    expect((await ctx.store.get(old.id)).spans).toBeUndefined();
  });

  it('filters the list by status, rule, sender, time and limit', async () => {
    const a = makeMessage({ envelope: { mailFrom: 'alice@shop.example', rcptTo: ['x@gmail.com'] } });
    const b = makeMessage({ envelope: { mailFrom: 'bob@shop.example', rcptTo: ['y@gmail.com'] } });
    await ctx.store.hold(a, makeVerdict());
    // b is held in a later millisecond than a (the list is newest first)
    const heldA = Date.now();
    while (Date.now() <= heldA) await new Promise((r) => setImmediate(r));
    await ctx.store.hold(b, makeVerdict({ rules: ['exposure'], hits: [] }));
    await ctx.store.transition(b.id, {
      from: ['held'],
      to: 'deleted',
      entry: { actor: 'test', action: 'deleted', reason: 'spam' },
    });
    const ids = async (f: Parameters<QuarantineStore['list']>[0]) => (await ctx.store.list(f)).map((r) => r.id);
    expect(await ids({})).toEqual([b.id, a.id]);
    expect(await ids({ status: 'held' })).toEqual([a.id]);
    expect(await ids({ status: 'deleted' })).toEqual([b.id]);
    expect(await ids({ rule: 'exposure' })).toEqual([b.id]);
    expect(await ids({ sender: 'ALICE@' })).toEqual([a.id]);
    expect(await ids({ since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await ids({ until: new Date(Date.now() - 60_000) })).toEqual([]);
    expect(await ids({ limit: 1 })).toEqual([b.id]);
    expect(await ctx.store.counts()).toMatchObject({ held: 1, deleted: 1, released: 0 });
  });

  it('lets exactly one of many concurrent transitions win and drops the body on delete', async () => {
    const msg = makeMessage();
    await ctx.store.hold(msg, makeVerdict());
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        ctx.store.transition(msg.id, {
          from: ['held'],
          to: 'deleted',
          entry: { actor: `admin:${i}`, action: 'deleted', reason: 'r' },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(losers).toHaveLength(9);
    for (const l of losers) expect(isPostguardError(l.reason, ErrorCodes.QUARANTINE_STATE)).toBe(true);
    const rec = await ctx.store.get(msg.id);
    expect(rec.status).toBe('deleted');
    expect(rec.history.map((h) => h.action)).toEqual(['held', 'deleted']);
    expect(rec.envelope.rcptTo).toEqual([]); // sealed customer data dropped
    await expect(ctx.store.getRaw(msg.id)).rejects.toMatchObject({ code: ErrorCodes.QUARANTINE_NOT_FOUND });
  });

  it('reports unknown and malformed ids as not found', async () => {
    await expect(ctx.store.get('nope')).rejects.toMatchObject({ code: ErrorCodes.QUARANTINE_NOT_FOUND });
    await expect(ctx.store.get('../../etc/passwd')).rejects.toMatchObject({ code: ErrorCodes.QUARANTINE_NOT_FOUND });
    await expect(
      ctx.store.transition('nope', { from: ['held'], to: 'deleted', entry: { actor: 't', action: 'x' } }),
    ).rejects.toMatchObject({
      code: ErrorCodes.QUARANTINE_NOT_FOUND,
    });
  });

  it('expires records after the retention period and removes the tombstone later', async () => {
    const store = await ctx.reopen({ retentionDays: 1 });
    try {
      const msg = makeMessage();
      const kept = makeMessage();
      await store.hold(msg, makeVerdict());
      await store.hold(kept, makeVerdict());
      await store.transition(kept.id, { from: ['held'], to: 'released', entry: { actor: 't', action: 'released' } });
      expect(await store.purge(new Date(Date.now() + DAY / 2))).toEqual({ expired: 0, removed: 0 });
      expect(await store.purge(new Date(Date.now() + DAY + 1000))).toEqual({ expired: 1, removed: 0 });
      const rec = await store.get(msg.id);
      expect(rec.status).toBe('expired');
      expect(rec.history.at(-1)).toMatchObject({ actor: 'system', action: 'expired' });
      await expect(store.getRaw(msg.id)).rejects.toMatchObject({ code: ErrorCodes.QUARANTINE_NOT_FOUND });
      expect(await store.purge(new Date(Date.now() + 2 * DAY + 1000))).toEqual({ expired: 0, removed: 2 });
      await expect(store.get(msg.id)).rejects.toMatchObject({ code: ErrorCodes.QUARANTINE_NOT_FOUND });
      expect(await store.list()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('cannot read records with another key', async () => {
    const msg = makeMessage();
    await ctx.store.hold(msg, makeVerdict(), { subject: SECRET_SUBJECT });
    const other = await ctx.reopen({ key: 'b'.repeat(64) });
    try {
      await expect(other.get(msg.id)).rejects.toMatchObject({ code: ErrorCodes.QUARANTINE_STORE });
      await expect(other.getRaw(msg.id)).rejects.toMatchObject({ code: ErrorCodes.QUARANTINE_STORE });
    } finally {
      await other.close();
    }
  });
});

describe('quarantine key handling and crash leftovers (file)', () => {
  it('generates DATA_DIR/quarantine.key with mode 0600 once and reuses it', async () => {
    const t = await tempDir();
    try {
      const a = await openQuarantine({ dataDir: t.dir });
      const msg = makeMessage();
      await a.hold(msg, makeVerdict(), { subject: SECRET_SUBJECT });
      const keyFile = path.join(t.dir, 'quarantine.key');
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      expect((await readFile(keyFile, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
      const b = await openQuarantine({ dataDir: t.dir });
      expect((await b.get(msg.id)).subject).toBe(SECRET_SUBJECT);
    } finally {
      await t.cleanup();
    }
  });

  it('refuses a Redis store without a configured key, and a malformed key', async () => {
    const t = await tempDir();
    try {
      await expect(openQuarantine({ dataDir: t.dir, redis: REDIS_URL })).rejects.toMatchObject({
        code: ErrorCodes.CONFIG_INVALID,
      });
      await expect(openQuarantine({ dataDir: t.dir, key: 'xyz' })).rejects.toMatchObject({
        code: ErrorCodes.CONFIG_INVALID,
      });
    } finally {
      await t.cleanup();
    }
  });

  it('ignores and cleans up temp files and bodies left by an interrupted write', async () => {
    const t = await tempDir();
    try {
      const first = await openQuarantine({ dataDir: t.dir, key: TEST_KEY });
      const good = makeMessage();
      await first.hold(good, makeVerdict());
      const dir = path.join(t.dir, 'quarantine');
      // A crash after the body was renamed into place but before the metadata was: an orphan body,
      // and a crash mid-write: a temp file.
      const old = new Date(Date.now() - 10 * 60_000);
      await writeFile(path.join(dir, 'orphan1.msg'), 'half');
      await writeFile(path.join(dir, '.tmp-deadbeef'), '{"v":1,"id":"half');
      await writeFile(path.join(dir, '.tmp-fresh'), 'in progress by a sibling');
      await utimes(path.join(dir, 'orphan1.msg'), old, old);
      await utimes(path.join(dir, '.tmp-deadbeef'), old, old);
      expect((await first.list()).map((r) => r.id)).toEqual([good.id]); // ignored even before cleanup
      await expect(first.getRaw('orphan1')).rejects.toMatchObject({ code: ErrorCodes.QUARANTINE_NOT_FOUND });

      const second = await openQuarantine({ dataDir: t.dir, key: TEST_KEY });
      const names = await readdir(dir);
      expect(names).not.toContain('orphan1.msg');
      expect(names).not.toContain('.tmp-deadbeef');
      expect(names).toContain('.tmp-fresh'); // too young: may belong to a running sibling
      expect((await second.list()).map((r) => r.id)).toEqual([good.id]);
      expect((await second.getRaw(good.id)).equals(good.raw)).toBe(true);
    } finally {
      await t.cleanup();
    }
  });
});
