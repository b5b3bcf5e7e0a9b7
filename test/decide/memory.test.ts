import { createHash, createHmac, randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FILE_HEADER,
  FileRecipientMemory,
  RedisRecipientMemory,
  firstTimeLookup,
  hashAddress,
} from '../../src/decide/memory.js';

const SECRET = 'k'.repeat(32);
/** What format 1 stored without a directorySecret (the default): reversible by hashing a list of addresses. */
const unkeyed = (a: string): string => createHash('sha256').update(`postguard:recipient:${a}`).digest('hex');
/** What format 1 stored with a configured directorySecret. */
const keyedV1 = (a: string, secret: string): string => createHmac('sha256', secret).update(a).digest('hex');

/** A dictionary attack on a stored value set: which candidate addresses does an unkeyed hash reveal? */
function dictionary(values: Iterable<string>, candidates: string[]): string[] {
  const set = new Set(values);
  return candidates.filter((a) => set.has(unkeyed(a)) || set.has(createHash('sha256').update(a).digest('hex')));
}

describe('hashAddress', () => {
  it('is an HMAC of the canonical address under a key derived from the secret', () => {
    expect(hashAddress('Alice@GMAIL.com', SECRET)).toBe(hashAddress('alice@gmail.com', SECRET));
    expect(hashAddress('alice@gmail.com', SECRET)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAddress('alice@gmail.com', 's1'.repeat(8))).not.toBe(hashAddress('alice@gmail.com', 's2'.repeat(8)));
    // neither the unkeyed form nor the directory's own HMAC of the address
    expect(hashAddress('alice@gmail.com', SECRET)).not.toBe(unkeyed('alice@gmail.com'));
    expect(hashAddress('alice@gmail.com', SECRET)).not.toBe(keyedV1('alice@gmail.com', SECRET));
    expect(() => hashAddress('alice@gmail.com', '')).toThrow(/secret/);
  });
});

describe('FileRecipientMemory', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('remembers recorded addresses across reopen and stores only keyed hashes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-mem-'));
    const m = await FileRecipientMemory.open(join(dir, 'data'), { secret: SECRET });
    expect(await m.known(['alice@gmail.com'])).toEqual(new Set());
    await m.record(['Alice@gmail.com', 'bob@web.de']);
    await m.record(['alice@gmail.com']);
    expect(await m.known(['alice@gmail.com', 'carol@outlook.com'])).toEqual(new Set(['alice@gmail.com']));
    await m.close();

    const text = await readFile(m.path, 'utf8');
    expect(text).not.toMatch(/alice|gmail|bob/);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe(FILE_HEADER);
    expect(lines).toHaveLength(3);
    expect(dictionary(lines, ['alice@gmail.com', 'bob@web.de'])).toEqual([]);
    expect((await stat(m.path)).mode & 0o777).toBe(0o600);

    const again = await FileRecipientMemory.open(join(dir, 'data'), { secret: SECRET });
    expect(again.migrated).toBe(0);
    expect(await again.known(['bob@web.de'])).toEqual(new Set(['bob@web.de']));
    // A different secret does not recognise the hashes.
    const other = await FileRecipientMemory.open(join(dir, 'data'), { secret: 'other'.repeat(4) });
    expect(await other.known(['bob@web.de'])).toEqual(new Set());
  });

  it('converts a format-1 file (unkeyed SHA-256, written by the previous version) on load: same memory, no unkeyed value left', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-mem-'));
    // Written by the previous FileRecipientMemory with no directorySecret configured (the default then).
    const file = join(dir, 'known-recipients.txt');
    await copyFile('test/decide/fixtures/known-recipients-v1-unkeyed.txt', file);
    const old = await readFile(file, 'utf8');
    const candidates = ['alice.old@gmail.com', 'bob.old@web.de', 'carol.old@outlook.com', 'dave@yahoo.com'];
    // the weakness: anyone who can read the file learns who was mailed by hashing a list of addresses
    expect(dictionary(old.trim().split('\n'), candidates)).toEqual([
      'alice.old@gmail.com',
      'bob.old@web.de',
      'carol.old@outlook.com',
    ]);

    const m = await FileRecipientMemory.open(dir, { secret: SECRET });
    expect(m.migrated).toBe(3);
    expect(await m.known(candidates)).toEqual(
      new Set(['alice.old@gmail.com', 'bob.old@web.de', 'carol.old@outlook.com']),
    );
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')[0]).toBe(FILE_HEADER);
    expect(dictionary(text.trim().split('\n'), candidates)).toEqual([]);
    for (const v of old.trim().split('\n')) expect(text).not.toContain(v);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // new records are appended in format 2; a reopen reads the converted file as format 2
    await m.record(['dave@yahoo.com']);
    const again = await FileRecipientMemory.open(dir, { secret: SECRET });
    expect(again.migrated).toBe(0);
    expect(await again.known(candidates)).toEqual(new Set(candidates));
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(5);
  });

  it('converts a format-1 file keyed with a configured directorySecret', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-mem-'));
    const file = join(dir, 'known-recipients.txt');
    await copyFile('test/decide/fixtures/known-recipients-v1-keyed.txt', file); // secret 'configured-directory-secret'
    const m = await FileRecipientMemory.open(dir, { secret: 'configured-directory-secret' });
    expect(m.migrated).toBe(1);
    expect(await m.known(['Dora.Old@gmail.com', 'alice.old@gmail.com'])).toEqual(new Set(['dora.old@gmail.com']));
  });

  it('firstTimeLookup builds the synchronous callback decide() takes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-mem-'));
    const m = await FileRecipientMemory.open(dir, { secret: SECRET });
    await m.record(['known@example.org']);
    const firstTime = await firstTimeLookup(m, ['known@example.org', 'new@example.org']);
    expect(firstTime('new@example.org')).toBe(true);
    expect(firstTime('NEW@example.org')).toBe(true);
    expect(firstTime('known@example.org')).toBe(false);
    expect(firstTime('not-asked@example.org')).toBe(false);
  });
});

describe('RedisRecipientMemory (real Redis)', () => {
  const prefix = `pgtest:${randomBytes(6).toString('hex')}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false, maxRetriesPerRequest: 2 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('records and recognises keyed hashes in a prefixed SET', async () => {
    const m = await RedisRecipientMemory.open(redis, { prefix, secret: SECRET });
    expect(m.key).toBe(`${prefix}known-recipients:v2`);
    expect(await m.known(['alice@gmail.com'])).toEqual(new Set());
    await m.record(['alice@gmail.com', 'Bob@web.de']);
    expect(await m.known(['alice@gmail.com', 'bob@web.de', 'carol@outlook.com'])).toEqual(
      new Set(['alice@gmail.com', 'bob@web.de']),
    );
    const members = await redis.smembers(m.key);
    expect(members).toHaveLength(2);
    expect(members.join(' ')).not.toMatch(/alice|gmail|bob/);
    expect(members).toContain(hashAddress('alice@gmail.com', SECRET));
    expect(dictionary(members, ['alice@gmail.com', 'bob@web.de'])).toEqual([]);

    // A second relay sharing the store sees the same memory.
    const other = await RedisRecipientMemory.open(redis, { prefix, secret: SECRET });
    const firstTime = await firstTimeLookup(other, ['alice@gmail.com', 'dan@yahoo.com']);
    expect(firstTime('alice@gmail.com')).toBe(false);
    expect(firstTime('dan@yahoo.com')).toBe(true);
  });

  it('converts a format-1 SET (the previous version: HMAC with the directory secret) into the new one and deletes it', async () => {
    const p2 = `${prefix}legacy:`;
    const oldValues = ['erin@gmail.com', 'frank@web.de'].map((a) => keyedV1(a, SECRET));
    await redis.sadd(`${p2}known-recipients`, ...oldValues);
    const m = await RedisRecipientMemory.open(redis, { prefix: p2, secret: SECRET });
    expect(await redis.exists(`${p2}known-recipients`)).toBe(0);
    const members = await redis.smembers(m.key);
    expect(members).toHaveLength(2);
    for (const v of oldValues) expect(members).not.toContain(v);
    expect(await m.known(['Erin@gmail.com', 'frank@web.de', 'gina@web.de'])).toEqual(
      new Set(['erin@gmail.com', 'frank@web.de']),
    );
    // a second relay opening later finds nothing left to convert
    expect(await (await RedisRecipientMemory.open(redis, { prefix: p2, secret: SECRET })).migrate()).toBe(0);
  });
});
