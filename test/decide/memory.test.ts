import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FileRecipientMemory,
  RedisRecipientMemory,
  firstTimeLookup,
  hashAddress,
} from '../../src/decide/memory.js';

describe('hashAddress', () => {
  it('hashes the canonical address, keyed when a secret is given', () => {
    expect(hashAddress('Alice@GMAIL.com')).toBe(hashAddress('alice@gmail.com'));
    expect(hashAddress('alice@gmail.com')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAddress('alice@gmail.com', 's1')).not.toBe(hashAddress('alice@gmail.com', 's2'));
    expect(hashAddress('alice@gmail.com', 's1')).not.toBe(hashAddress('alice@gmail.com'));
  });
});

describe('FileRecipientMemory', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('remembers recorded addresses across reopen and stores only hashes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-mem-'));
    const m = await FileRecipientMemory.open(join(dir, 'data'), { secret: 'k' });
    expect(await m.known(['alice@gmail.com'])).toEqual(new Set());
    await m.record(['Alice@gmail.com', 'bob@web.de']);
    await m.record(['alice@gmail.com']);
    expect(await m.known(['alice@gmail.com', 'carol@outlook.com'])).toEqual(new Set(['alice@gmail.com']));
    await m.close();

    const text = await readFile(m.path, 'utf8');
    expect(text).not.toMatch(/alice|gmail|bob/);
    expect(text.trim().split('\n')).toHaveLength(2);

    const again = await FileRecipientMemory.open(join(dir, 'data'), { secret: 'k' });
    expect(await again.known(['bob@web.de'])).toEqual(new Set(['bob@web.de']));
    // A different secret does not recognise the hashes.
    const other = await FileRecipientMemory.open(join(dir, 'data'), { secret: 'other' });
    expect(await other.known(['bob@web.de'])).toEqual(new Set());
  });

  it('firstTimeLookup builds the synchronous callback decide() takes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-mem-'));
    const m = await FileRecipientMemory.open(dir);
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

  it('records and recognises hashed addresses in a prefixed SET', async () => {
    const m = new RedisRecipientMemory(redis, { prefix, secret: 'k' });
    expect(m.key).toBe(`${prefix}known-recipients`);
    expect(await m.known(['alice@gmail.com'])).toEqual(new Set());
    await m.record(['alice@gmail.com', 'Bob@web.de']);
    expect(await m.known(['alice@gmail.com', 'bob@web.de', 'carol@outlook.com'])).toEqual(
      new Set(['alice@gmail.com', 'bob@web.de']),
    );
    const members = await redis.smembers(m.key);
    expect(members).toHaveLength(2);
    expect(members.join(' ')).not.toMatch(/alice|gmail|bob/);
    expect(members).toContain(hashAddress('alice@gmail.com', 'k'));

    // A second relay sharing the store sees the same memory.
    const other = new RedisRecipientMemory(redis, { prefix, secret: 'k' });
    const firstTime = await firstTimeLookup(other, ['alice@gmail.com', 'dan@yahoo.com']);
    expect(firstTime('alice@gmail.com')).toBe(false);
    expect(firstTime('dan@yahoo.com')).toBe(true);
  });
});
