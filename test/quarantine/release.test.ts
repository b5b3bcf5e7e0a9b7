import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileAuditLog, openAudit, type AuditLog } from '../../src/audit/index.js';
import { ErrorCodes, isPostguardError } from '../../src/core/errors.js';
import { openQuarantine, type QuarantineStore } from '../../src/quarantine/index.js';
import { deleteMessage, releaseMessage, requestRelease } from '../../src/quarantine/release.js';
import {
  cleanupRedis,
  makeMessage,
  makeVerdict,
  REDIS_URL,
  redisPrefix,
  sinkUpstream,
  startSink,
  tempDir,
  TEST_KEY,
  type Sink,
} from './helpers.js';

let sink: Sink;
beforeAll(async () => {
  sink = await startSink();
});
afterAll(async () => {
  await sink.close();
});

describe.each(['file', 'redis'] as const)('release (%s)', (backend) => {
  let store: QuarantineStore;
  let audit: AuditLog;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    sink.messages.length = 0;
    const t = await tempDir();
    const prefix = redisPrefix();
    const redis = backend === 'redis' ? { redis: REDIS_URL, redisPrefix: prefix } : {};
    store = await openQuarantine({ dataDir: t.dir, key: TEST_KEY, ...redis });
    audit = await openAudit({ dataDir: t.dir, ...redis });
    cleanup = async () => {
      await store.close();
      await audit.close();
      await cleanupRedis(prefix);
      await t.cleanup();
    };
  });
  afterEach(() => cleanup());

  it('delivers exactly once when ten releases race', async () => {
    const msg = makeMessage();
    await store.hold(msg, makeVerdict());
    const upstream = sinkUpstream(sink.port);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        releaseMessage(store, upstream, msg.id, { actor: `admin:a${i}`, reason: 'verified with customer' }, audit),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(isPostguardError(r.reason, ErrorCodes.QUARANTINE_STATE)).toBe(true);
        expect(String((r.reason as Error).message)).toMatch(/already (released|being released)/);
      }
    }
    // every release has returned, and a release returns after the upstream's answer: nothing more can arrive
    expect(sink.messages).toHaveLength(1);
    expect(upstream.sends).toBe(1);
    expect(sink.messages[0]?.raw.equals(msg.raw)).toBe(true);
    expect(sink.messages[0]?.rcptTo).toEqual(msg.envelope.rcptTo);
    expect(sink.messages[0]?.mailFrom).toBe(msg.envelope.mailFrom);
    const rec = await store.get(msg.id);
    expect(rec.status).toBe('released');
    expect(rec.history.map((h) => h.action)).toEqual(['held', 'release-started', 'released']);
    expect(rec.history[1]?.details).toMatchObject({ override: true });
    const entries = await audit.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'release',
      messageId: msg.id,
      reason: 'verified with customer',
      details: { override: true },
    });
    await upstream.close();
  });

  it('returns the message to held after a temporary upstream failure, then retries', async () => {
    const msg = makeMessage();
    await store.hold(msg, makeVerdict());
    const upstream = sinkUpstream(sink.port);
    sink.failNext(1, 451);
    await expect(
      releaseMessage(store, upstream, msg.id, { actor: 'admin:x', reason: 'ok' }, audit),
    ).rejects.toMatchObject({
      code: ErrorCodes.UPSTREAM_TEMPORARY,
    });
    let rec = await store.get(msg.id);
    expect(rec.status).toBe('held');
    expect(rec.history.at(-1)).toMatchObject({ action: 'release-failed', details: { code: 451 } });
    await releaseMessage(store, upstream, msg.id, { actor: 'admin:x', reason: 'retry' }, audit);
    rec = await store.get(msg.id);
    expect(rec.status).toBe('released');
    expect(sink.messages).toHaveLength(1);
    expect((await audit.list()).map((e) => e.action)).toEqual(['release', 'release-failed']);
    await upstream.close();
  });

  it('releases to corrected recipients and requires a reason', async () => {
    const msg = makeMessage();
    await store.hold(msg, makeVerdict());
    const upstream = sinkUpstream(sink.port);
    await expect(
      releaseMessage(store, upstream, msg.id, { actor: 'admin:x', reason: '  ' }, audit),
    ).rejects.toMatchObject({ code: ErrorCodes.USAGE });
    await expect(
      releaseMessage(store, upstream, msg.id, { actor: 'admin:x', reason: 'r', to: ['not an address'] }, audit),
    ).rejects.toMatchObject({
      code: ErrorCodes.USAGE,
    });
    expect((await store.get(msg.id)).status).toBe('held');
    await releaseMessage(
      store,
      upstream,
      msg.id,
      { actor: 'admin:x', reason: 'typo in address', to: ['Right.Customer@GMAIL.com'] },
      audit,
    );
    expect(sink.messages[0]?.rcptTo).toEqual(['right.customer@gmail.com']);
    expect((await store.get(msg.id)).history.at(-1)?.details).toMatchObject({
      corrected: true,
      recipients: ['r•••@gmail.com'],
    });
    await upstream.close();
  });

  it('deletes with a reason, records sender requests, and refuses to release a deleted message', async () => {
    const a = makeMessage();
    const b = makeMessage();
    await store.hold(a, makeVerdict());
    await store.hold(b, makeVerdict());
    const upstream = sinkUpstream(sink.port);
    await expect(deleteMessage(store, a.id, { actor: 'admin:x', reason: '' }, audit)).rejects.toMatchObject({
      code: ErrorCodes.USAGE,
    });
    await deleteMessage(store, a.id, { actor: 'admin:x', reason: 'wrong customer' }, audit);
    await expect(releaseMessage(store, upstream, a.id, { actor: 'admin:x', reason: 'r' }, audit)).rejects.toMatchObject(
      {
        code: ErrorCodes.QUARANTINE_STATE,
      },
    );
    await requestRelease(store, b.id, { justification: 'customer asked for it' }, audit);
    expect((await store.get(b.id)).status).toBe('release-requested');
    await expect(requestRelease(store, b.id, { justification: 'again' }, audit)).rejects.toMatchObject({
      code: ErrorCodes.QUARANTINE_STATE,
    });
    await releaseMessage(store, upstream, b.id, { actor: 'admin:x', reason: 'approved request' }, audit);
    expect(sink.messages).toHaveLength(1);
    expect((await audit.list()).map((e) => e.action)).toEqual(['release', 'release-request', 'delete']);
    await upstream.close();
  });
});

describe('file audit log', () => {
  it('appends JSON lines durably and survives a torn last line', async () => {
    const t = await tempDir();
    try {
      const log = await FileAuditLog.open(t.dir);
      await Promise.all([
        log.append({ actor: 'a', action: 'x', messageId: 'm1' }),
        log.append({ actor: 'b', action: 'y' }),
      ]);
      await log.close();
      const { appendFile, readFile } = await import('node:fs/promises');
      await appendFile(`${t.dir}/audit.jsonl`, '{"time":"2026');
      const again = await FileAuditLog.open(t.dir);
      await again.append({ actor: 'c', action: 'z' });
      const text = await readFile(`${t.dir}/audit.jsonl`, 'utf8');
      expect(text.split('\n').filter(Boolean)).toHaveLength(4);
      const list = await again.list();
      expect(list.map((e) => e.actor).sort()).toEqual(['a', 'b', 'c']); // the torn line is skipped, 'c' kept
      expect(await again.list({ messageId: 'm1' })).toHaveLength(1);
      await again.close();
    } finally {
      await t.cleanup();
    }
  });
});
