/**
 * Key format (src/directory/key-format.ts): a directory imported by a release with other normalisation rules holds
 * keys this release never matches. It must not be used as if current: opening fails with a clear error, and a
 * caller that imports next gets the old directory replaced by that import. Real snapshot files and a real Redis.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerDirectoryCommand } from '../../src/cli/commands/directory.js';
import { ErrorCodes, isPostguardError } from '../../src/core/errors.js';
import { ChangeBatch } from '../../src/directory/change-batch.js';
import { openDirectory, normalizeValue, type Directory } from '../../src/directory/index.js';
import { KEY_FORMAT } from '../../src/directory/key-format.js';
import { KeyedHasher } from '../../src/directory/keyed-hash.js';
import { encodeDelta } from '../../src/directory/redis-store.js';
import { readSnapshotHeader } from '../../src/directory/snapshot.js';
import { customer, removeDir, rewriteSnapshotHeader, tempDir, withKeyFormat, writeCsv } from './helpers.js';

const SECRET = 'key-format-secret-0123456789';
const rows = Array.from({ length: 12 }, (_, i) => customer(i));
const nameOf = (i: number): string => normalizeValue('full_name', rows[i]!.full_name)!;
const emailOf = (i: number): string => rows[i]!.email.toLowerCase();

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('embedded store: key format', () => {
  let tmp: string;
  let all: string;
  beforeAll(async () => {
    tmp = await tempDir('pg-keyfmt-');
    all = await writeCsv(tmp, 'all.csv', rows as unknown as Record<string, string>[]);
  });
  afterAll(async () => removeDir(tmp));

  async function importedDataDir(name: string): Promise<{ dataDir: string; file: string }> {
    const dataDir = join(tmp, name);
    const d = await openDirectory({ dataDir, secret: SECRET });
    await d.import(all, { mode: 'replace' });
    await d.close();
    return { dataDir, file: join(dataDir, 'directory', 'snapshot.bin') };
  }

  it('writes the key format into the snapshot; a current snapshot opens and matches names', async () => {
    const { dataDir, file } = await importedDataDir('current');
    expect(readSnapshotHeader(await readFile(file)).keyFormat).toBe(KEY_FORMAT);
    const d = await openDirectory({ dataDir, secret: SECRET, follow: false });
    try {
      expect(d.lookup('full_name', nameOf(3))).toContain(rows[3]!.customer_id);
      expect(d.stats()).toMatchObject({ keyFormat: KEY_FORMAT, reimportNeeded: false, customers: 12 });
    } finally {
      await d.close();
    }
  });

  it('refuses a snapshot written without the key-format field (older release) with the re-import advice', async () => {
    const { dataDir, file } = await importedDataDir('old');
    await writeFile(file, withKeyFormat(await readFile(file)));
    const err = await rejection(openDirectory({ dataDir, secret: SECRET, follow: false }));
    expect(isPostguardError(err, ErrorCodes.DIRECTORY_KEY_FORMAT)).toBe(true);
    expect(err.message).toBe(
      `directory in ${file} was imported with key format 1; this version needs ${KEY_FORMAT}: run "postguard directory import FILE" again`,
    );

    // a newer release's format is refused too, with other advice
    await writeFile(file, withKeyFormat(await readFile(file), KEY_FORMAT + 1));
    const newer = await rejection(openDirectory({ dataDir, secret: SECRET, follow: false }));
    expect(isPostguardError(newer, ErrorCodes.DIRECTORY_KEY_FORMAT)).toBe(true);
    expect(newer.message).toContain(
      `imported with key format ${KEY_FORMAT + 1}; this version needs ${KEY_FORMAT}: it was written by a newer postguard`,
    );
  });

  it('opened for an import, an old directory matches nothing, and the first import replaces it even as an upsert', async () => {
    const { dataDir, file } = await importedDataDir('reimport');
    await writeFile(file, withKeyFormat(await readFile(file)));
    const d = await openDirectory({ dataDir, secret: SECRET, follow: false, staleKeys: 'open' });
    try {
      // unchanged rules (email) would still hit, but nothing of an old directory is used
      expect(d.lookup('email', emailOf(2))).toEqual([]);
      expect(d.stats()).toMatchObject({ keyFormat: 1, reimportNeeded: true, customers: 12 });
      const part = await writeCsv(tmp, 'part.csv', rows.slice(0, 5) as unknown as Record<string, string>[]);
      const report = await d.import(part, { mode: 'upsert' });
      expect(report.mode).toBe('replace');
      expect(d.stats()).toMatchObject({ keyFormat: KEY_FORMAT, reimportNeeded: false, customers: 5 });
      expect(d.lookup('full_name', nameOf(2))).toContain(rows[2]!.customer_id);
      expect(d.lookup('email', emailOf(8))).toEqual([]); // not in the re-imported file: gone, not left with old keys
    } finally {
      await d.close();
    }
    expect(readSnapshotHeader(await readFile(file)).keyFormat).toBe(KEY_FORMAT);
    const again = await openDirectory({ dataDir, secret: SECRET, follow: false });
    expect(again.lookup('email', emailOf(2))).toEqual([rows[2]!.customer_id]);
    await again.close();
  });

  it('a running relay keeps its index when another process writes an old-format snapshot', async () => {
    const { dataDir, file } = await importedDataDir('follow');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const d = await openDirectory({ dataDir, secret: SECRET, logger });
    try {
      // what an older release's import writes: another version, no key format
      const old = rewriteSnapshotHeader(await readFile(file), (h) => {
        delete h.keyFormat;
        h.version = 'old-release-import';
      });
      await writeFile(file, old);
      await vi.waitFor(() => expect(lines.join('')).toContain('directory change ignored'), {
        timeout: 5000,
        interval: 50,
      });
      expect(lines.join('')).toContain('key format 1');
      expect(d.lookup('full_name', nameOf(3))).toContain(rows[3]!.customer_id);
    } finally {
      await d.close();
    }
  });
});

describe('Redis store: key format', () => {
  const URL = 'redis://127.0.0.1:6379';
  const prefix = `pgtest:${randomBytes(6).toString('hex')}:`;
  let redis: Redis;
  let tmp: string;
  let all: string;
  const open = (name: string, extra: object = {}): Promise<Directory> =>
    openDirectory({ dataDir: join(tmp, name), redis: URL, redisPrefix: prefix, secret: SECRET, ...extra });

  beforeAll(async () => {
    redis = new Redis(URL);
    tmp = await tempDir('pg-keyfmt-redis-');
    all = await writeCsv(tmp, 'all.csv', rows as unknown as Record<string, string>[]);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await removeDir(tmp);
  });

  it('ignores a change published without a key format (an older release upserting during a rolling upgrade)', async () => {
    const writer = await open('w');
    const follower = await open('f');
    try {
      await writer.import(all, { mode: 'replace' });
      await vi.waitFor(() => expect(follower.stats().customers).toBe(12), { timeout: 5000, interval: 25 });
      // the delta an older release would publish: same encoding, no keyFormat field
      const batch = new ChangeBatch();
      const c = batch.customer('C-OLD', 'US');
      const k = batch.kind('email');
      const hasher = new KeyedHasher(Buffer.from(SECRET, 'utf8'));
      hasher.hash('email', 'old.relay@example.net');
      batch.add(c, k, hasher.hi, hasher.lo);
      const data = encodeDelta({ mode: 'upsert', batch }, []);
      const base = follower.stats().version;
      await redis.xadd(
        `${prefix}directory:changes`,
        '*',
        'type',
        'delta',
        'version',
        'old-v',
        'base',
        base,
        'origin',
        'old',
        'data',
        data,
      );
      // a current change after it: once the follower has it, it has seen (and ignored) the old one
      const later = await writeCsv(tmp, 'later.csv', [{ ...rows[1]!, email: 'later@example.net' }] as unknown as Record<
        string,
        string
      >[]);
      await writer.import(later, { mode: 'upsert' });
      await vi.waitFor(() => expect(follower.lookup('email', 'later@example.net')).toEqual([rows[1]!.customer_id]), {
        timeout: 5000,
        interval: 25,
      });
      expect(follower.lookup('email', 'old.relay@example.net')).toEqual([]);
      expect(writer.lookup('email', 'old.relay@example.net')).toEqual([]);
    } finally {
      await writer.close();
      await follower.close();
    }
  });

  it('refuses an old-format snapshot in Redis; opened for an import, the import replaces it', async () => {
    const w = await open('w2');
    await w.import(all, { mode: 'replace' });
    await w.close();
    const version = (await redis.get(`${prefix}directory:version`))!;
    const key = `${prefix}directory:snapshot:${version}`;
    const whole = Buffer.concat(await redis.lrangeBuffer(key, 0, -1));
    expect(readSnapshotHeader(whole).keyFormat).toBe(KEY_FORMAT);
    await redis.del(key);
    await redis.rpush(key, withKeyFormat(whole));

    const err = await rejection(open('r'));
    expect(isPostguardError(err, ErrorCodes.DIRECTORY_KEY_FORMAT)).toBe(true);
    expect(err.message).toBe(
      `directory in Redis (key prefix "${prefix}") was imported with key format 1; this version needs ${KEY_FORMAT}: run "postguard directory import FILE" again`,
    );

    const d = await open('r2', { staleKeys: 'open' });
    try {
      expect(d.lookup('email', emailOf(4))).toEqual([]);
      await d.import(await writeCsv(tmp, 'part.csv', rows.slice(0, 6) as unknown as Record<string, string>[]));
      expect(d.stats()).toMatchObject({ keyFormat: KEY_FORMAT, customers: 6 });
    } finally {
      await d.close();
    }
    const after = await open('r3');
    try {
      expect(after.lookup('full_name', nameOf(4))).toContain(rows[4]!.customer_id);
      expect(after.lookup('email', emailOf(9))).toEqual([]);
    } finally {
      await after.close();
    }
  });
});

describe('postguard directory stats / import over an old directory', () => {
  let tmp: string;
  let out: string[];
  let err: string[];
  const dataDir = (): string => join(tmp, 'data');
  const run = async (...args: string[]): Promise<string> => {
    out = [];
    err = [];
    const p = new Command('postguard').exitOverride();
    registerDirectoryCommand(p, async () => ({ dataDir: dataDir(), secret: SECRET }));
    await p.parseAsync(['node', 'postguard', 'directory', ...args]);
    return out.join('\n');
  };
  beforeAll(async () => {
    tmp = await tempDir('pg-keyfmt-cli-');
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => removeDir(tmp));

  it('stats show the key format and the re-import needed; lookup fails; import replaces and says so', async () => {
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    const all = await writeCsv(tmp, 'all.csv', rows as unknown as Record<string, string>[]);
    await run('import', all);
    expect(await run('stats')).toMatch(new RegExp(`key format\\s+${KEY_FORMAT} \\(current\\)`));
    const file = join(dataDir(), 'directory', 'snapshot.bin');
    await writeFile(file, withKeyFormat(await readFile(file)));

    const stats = await run('stats');
    expect(stats).toMatch(/key format\s+1\n/);
    expect(stats).toContain(
      `re-import needed this version needs key format ${KEY_FORMAT}: nothing matches until you run "postguard directory import FILE" again`,
    );
    expect(JSON.parse(await run('stats', '--json'))).toMatchObject({
      keyFormat: 1,
      reimportNeeded: true,
      customers: 12,
    });

    const lookup = await rejection(run('lookup', rows[0]!.email));
    expect(isPostguardError(lookup, ErrorCodes.DIRECTORY_KEY_FORMAT)).toBe(true);

    const imported = await run('import', all);
    expect(imported).toMatch(/\(csv, replace\)/);
    expect(err.join('\n')).toContain('the directory had key format 1: this import replaced it');
    expect(await run('lookup', rows[0]!.email)).toBe(`email\t${rows[0]!.customer_id}`);
    process.exitCode = undefined;
  });
});
