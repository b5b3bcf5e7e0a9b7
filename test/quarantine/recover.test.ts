/**
 * A release interrupted by a crash: the record is left in `releasing`. It goes back to held at start (embedded and
 * Redis stores) and with `postguard quarantine recover` (audited, stating the duplicate-delivery risk) once
 * quarantine.releasingTimeout has passed, and retention expires it like a held message.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAudit } from '../../src/audit/index.js';
import { openQuarantine, type QuarantineStore } from '../../src/quarantine/index.js';
import { recoverStuckReleases, releaseMessage } from '../../src/quarantine/release.js';
import { BIN, cleanupChildren, freePort, startChildRelay, tempDir, waitUntil } from '../helpers/child-relay.js';
import { startFaultUpstream, type FaultUpstream } from '../helpers/fault-upstream.js';
import {
  cleanupRedis,
  makeMessage,
  makeVerdict,
  REDIS_URL,
  redisPrefix,
  sinkUpstream,
  startSink,
  TEST_KEY,
  type Sink,
} from './helpers.js';

const SECRET = 'directory-secret-for-recover-tests';

/** Runs the built CLI to completion: exit code, stdout, stderr. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

/** The first step of a release exactly as releaseMessage takes it; a crash right after leaves this state. */
async function startReleaseAndCrash(store: QuarantineStore, id: string): Promise<number> {
  await store.transition(id, {
    from: ['held', 'release-requested'],
    to: 'releasing',
    entry: { actor: 'admin:alice', action: 'release-started', reason: 'approved' },
  });
  return Date.now();
}

let sink: Sink;
beforeAll(async () => {
  sink = await startSink();
});
afterAll(async () => {
  await sink.close();
  await cleanupChildren();
});

describe('a release killed mid-delivery', () => {
  let fault: FaultUpstream | undefined;
  afterEach(async () => {
    await fault?.close();
    await cleanupChildren();
  });

  it('stays "being released" until `quarantine recover` puts it back to held (audited, duplicate risk stated); then it releases once', async () => {
    const dir = tempDir('pg-recover-');
    const store = await openQuarantine({ dataDir: dir, key: TEST_KEY });
    const msg = makeMessage();
    await store.hold(msg, makeVerdict());
    // An upstream that greets and then never answers: the CLI release hangs inside the delivery.
    fault = await startFaultUpstream('silentAfterGreeting');
    const common = ['--data-dir', dir, '--quarantine-key', TEST_KEY];
    const child = spawn(
      process.execPath,
      [
        BIN,
        'quarantine',
        'release',
        msg.id,
        '--reason',
        'approved',
        ...common,
        '--upstream',
        `smtp://127.0.0.1:${fault.port}`,
        '--upstream-timeout',
        '120s',
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.on('exit', r));
    await waitUntil(async () => (await store.get(msg.id)).status === 'releasing', 30_000, 'release started');
    child.kill('SIGKILL');
    await exited;
    const startedAt = Date.parse((await store.get(msg.id)).history.at(-1)!.at);

    // Stuck: another release is refused, and the record does not move by itself.
    const again = await cli([
      'quarantine',
      'release',
      msg.id,
      '--reason',
      'again',
      ...common,
      '--upstream',
      `smtp://127.0.0.1:${sink.port}`,
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already being released.*quarantine recover/);
    // Within the timeout (default 5 minutes) recovery is refused: the release may still be running.
    const early = await cli(['quarantine', 'recover', msg.id, '--reason', 'crashed', ...common]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/started \d+ s ago, within quarantine.releasingTimeout/);
    expect((await store.get(msg.id)).status).toBe('releasing');

    await waitUntil(() => Date.now() - startedAt > 1_200, 10_000, 'the 1 s releasing timeout to pass');
    const rec = await cli([
      'quarantine',
      'recover',
      msg.id,
      '--reason',
      'CLI was killed',
      '--actor',
      'ops',
      ...common,
      '--quarantine-releasing-timeout',
      '1s',
    ]);
    expect(rec.stderr).toBe('');
    expect(rec.code).toBe(0);
    expect(rec.stdout).toContain(`recovered ${msg.id}: held again`);
    expect(rec.stdout).toMatch(/WARNING: .*may already have accepted the message.*second copy/);
    const after = await store.get(msg.id);
    expect(after.status).toBe('held');
    expect(after.history.at(-1)).toMatchObject({
      actor: 'cli:ops',
      action: 'release-recovered',
      reason: 'CLI was killed',
      details: { duplicateRisk: true },
    });
    const auditLines = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(auditLines.at(-1)).toMatchObject({
      actor: 'cli:ops',
      action: 'release-recover',
      messageId: msg.id,
      reason: 'CLI was killed',
    });

    // A second recover finds nothing to do; the release now works, exactly once.
    const twice = await cli([
      'quarantine',
      'recover',
      msg.id,
      '--reason',
      'again',
      ...common,
      '--quarantine-releasing-timeout',
      '1s',
    ]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/is held, not releasing/);
    const audit = await openAudit({ dataDir: dir });
    sink.messages.length = 0;
    await releaseMessage(
      store,
      sinkUpstream(sink.port),
      msg.id,
      { actor: 'admin:alice', reason: 'checked upstream log: not delivered' },
      audit,
    );
    expect(sink.messages).toHaveLength(1);
    expect((await store.get(msg.id)).status).toBe('released');
    await audit.close();
    await store.close();
  }, 90_000);
});

describe.each(['file', 'redis'] as const)('at start (%s store)', (backend) => {
  const prefix = redisPrefix();
  afterEach(async () => {
    await cleanupChildren();
    if (backend === 'redis') await cleanupRedis(prefix);
  });

  it('a relay starting puts releases interrupted past the timeout back to held, and leaves recent ones', async () => {
    const dir = tempDir('pg-recover-start-');
    const storeOpts =
      backend === 'redis'
        ? { dataDir: dir, key: TEST_KEY, redis: REDIS_URL, redisPrefix: prefix }
        : { dataDir: dir, key: TEST_KEY };
    const store = await openQuarantine(storeOpts);
    const stuck = makeMessage();
    await store.hold(stuck, makeVerdict());
    const startedAt = await startReleaseAndCrash(store, stuck.id);
    await waitUntil(() => Date.now() - startedAt > 1_200, 10_000, 'the 1 s releasing timeout to pass');

    const port = await freePort();
    const args = [
      '--listen',
      `127.0.0.1:${port}`,
      '--admin-listen',
      '',
      '--upstream',
      `smtp://127.0.0.1:${sink.port}`,
      '--data-dir',
      dir,
      '--quarantine-key',
      TEST_KEY,
      '--quarantine-releasing-timeout',
      '1s',
    ];
    if (backend === 'redis') args.push('--redis', REDIS_URL, '--redis-prefix', prefix, '--directory-secret', SECRET);
    const relay = await startChildRelay({ args });
    expect(relay.stdout()).toMatch(new RegExp(`"id":"${stuck.id}"[^\\n]*interrupted release put back to held`));
    const rec = await store.get(stuck.id);
    expect(rec.status).toBe('held');
    expect(rec.history.at(-1)).toMatchObject({
      actor: 'system',
      action: 'release-recovered',
      details: { duplicateRisk: true },
    });
    await relay.kill('SIGTERM');

    // A release that started just now is not touched by a start (it may be in progress in another relay).
    const fresh = makeMessage();
    await store.hold(fresh, makeVerdict());
    await startReleaseAndCrash(store, fresh.id);
    const relay2 = await startChildRelay({ args: args.map((a) => (a === '1s' ? '10m' : a)) });
    expect((await store.get(fresh.id)).status).toBe('releasing');
    expect(relay2.stdout()).not.toContain('interrupted release put back to held');
    await relay2.kill('SIGTERM');
    await store.close();
  }, 90_000);
});

describe.each(['file', 'redis'] as const)('retention (%s store)', (backend) => {
  const prefix = redisPrefix();
  afterEach(async () => {
    if (backend === 'redis') await cleanupRedis(prefix);
  });

  it('expires a record stuck in releasing like a held one, and leaves a release still within the timeout', async () => {
    const dir = tempDir('pg-recover-purge-');
    const base =
      backend === 'redis'
        ? { dataDir: dir, key: TEST_KEY, redis: REDIS_URL, redisPrefix: prefix }
        : { dataDir: dir, key: TEST_KEY };
    const store = await openQuarantine({ ...base, retentionDays: 1 });
    const stuck = makeMessage();
    await store.hold(stuck, makeVerdict());
    await startReleaseAndCrash(store, stuck.id);
    const later = new Date(Date.now() + 2 * 86_400_000); // past the 1-day retention, far past the 5-minute timeout
    expect(await store.purge(later)).toMatchObject({ expired: 1 });
    const rec = await store.get(stuck.id);
    expect(rec.status).toBe('expired');
    await expect(store.getRaw(stuck.id)).rejects.toMatchObject({ code: 'EPG_QUARANTINE_NOT_FOUND' });
    await store.close();

    // With a releasing timeout longer than the retention, the same state counts as a release in progress.
    const patient = await openQuarantine({ ...base, retentionDays: 1, releasingTimeoutMs: 7 * 86_400_000 });
    const busy = makeMessage();
    await patient.hold(busy, makeVerdict());
    await startReleaseAndCrash(patient, busy.id);
    expect(await patient.purge(later)).toMatchObject({ expired: 0 });
    expect((await patient.get(busy.id)).status).toBe('releasing');
    expect(await recoverStuckReleases(patient)).toEqual([]);
    await patient.close();
  });
});

describe('a release slower than the releasing timeout', () => {
  it('that completes after being recovered is recorded as delivered (history and audit), not lost', async () => {
    const dir = tempDir('pg-recover-late-');
    const store = await openQuarantine({ dataDir: dir, key: TEST_KEY, releasingTimeoutMs: 1_000 });
    const audit = await openAudit({ dataDir: dir });
    const msg = makeMessage();
    await store.hold(msg, makeVerdict());
    // An upstream that delivers for real, but only when the test lets it (a delivery stuck for a long time).
    const real = sinkUpstream(sink.port);
    let letGo!: () => void;
    const gate = new Promise<void>((r) => (letGo = r));
    const slow = { ...real, send: async (...a: Parameters<typeof real.send>) => (await gate, real.send(...a)) };
    sink.messages.length = 0;
    const releasing = releaseMessage(store, slow, msg.id, { actor: 'admin:alice', reason: 'approved' }, audit);
    releasing.catch(() => undefined);
    await waitUntil(async () => (await store.get(msg.id)).status === 'releasing', 10_000, 'release started');
    const startedAt = Date.parse((await store.get(msg.id)).history.at(-1)!.at);
    await waitUntil(() => Date.now() - startedAt > 1_200, 10_000, 'the 1 s releasing timeout to pass');
    expect(await recoverStuckReleases(store)).toEqual([msg.id]);
    letGo();
    await expect(releasing).rejects.toThrow(
      /accepted the release of .* after it had been recovered \(now held\): it was delivered; do not release it again/,
    );
    expect(sink.messages).toHaveLength(1);
    const rec = await store.get(msg.id);
    expect(rec.history.map((h) => h.action)).toEqual(['held', 'release-started', 'release-recovered', 'released-late']);
    expect((await audit.list())[0]).toMatchObject({
      action: 'release',
      messageId: msg.id,
      details: { afterRecovery: true },
    });
    await audit.close();
    await store.close();
  });
});
