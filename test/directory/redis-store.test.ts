import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { customer, removeDir, tempDir, writeCsv } from './helpers.js';

const URL = 'redis://127.0.0.1:6379';
const SECRET = 'redis-secret-0123456789abcdef';

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Redis store with a follower', () => {
  const prefix = `pgtest:${randomBytes(6).toString('hex')}:`;
  let redis: Redis;
  let tmp: string;
  let writer: Directory;
  let follower: Directory;
  const rows = Array.from({ length: 300 }, (_, i) => customer(i));
  const email = (i: number): string => rows[i]!.email.toLowerCase();

  beforeAll(async () => {
    redis = new Redis(URL);
    tmp = await tempDir('pg-redis-');
    writer = await openDirectory({ dataDir: join(tmp, 'a'), redis: URL, redisPrefix: prefix, secret: SECRET });
    follower = await openDirectory({ dataDir: join(tmp, 'b'), redis: URL, redisPrefix: prefix, secret: SECRET });
  });
  afterAll(async () => {
    await writer?.close();
    await follower?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await removeDir(tmp);
  });

  it('follower sees a full import, an upsert and a removal', async () => {
    const file = await writeCsv(tmp, 'all.csv', rows as unknown as Record<string, string>[]);
    await writer.import(file, { mode: 'replace' });
    expect(writer.stats().store).toBe('redis');
    await until(() => follower.lookup('email', email(3)).length > 0);
    expect(follower.lookup('email', email(3))).toEqual([rows[3]!.customer_id]);
    expect(follower.stats().customers).toBe(300);
    expect(follower.regions()).toEqual(['DE', 'FR', 'GB', 'US']);

    const changed = { ...rows[4]!, email: 'changed.four@example.net' };
    await writer.import(await writeCsv(tmp, 'up.csv', [changed] as unknown as Record<string, string>[]), {
      mode: 'upsert',
    });
    await until(() => follower.lookup('email', 'changed.four@example.net').length > 0);
    expect(follower.lookup('email', email(4))).toEqual([]);
    expect(follower.stats().version).toBe(writer.stats().version);

    expect(await writer.remove([rows[5]!.customer_id])).toBe(1);
    await until(() => follower.lookup('email', email(5)).length === 0);
    expect(follower.stats().customers).toBe(299);
    expect([...follower.emailDomains()].sort()).toEqual([...writer.emailDomains()].sort());

    // The follower can write too; the first one follows.
    expect(await follower.remove([rows[6]!.customer_id])).toBe(1);
    await until(() => writer.lookup('email', email(6)).length === 0);
  });

  it('a late joiner loads the snapshot and replays the changes after it', async () => {
    const late = await openDirectory({ dataDir: join(tmp, 'c'), redis: URL, redisPrefix: prefix, secret: SECRET });
    try {
      expect(late.stats().customers).toBe(298);
      expect(late.lookup('email', 'changed.four@example.net')).toEqual([rows[4]!.customer_id]);
      expect(late.lookup('email', email(5))).toEqual([]);
      expect(late.lookup('email', email(7))).toEqual([rows[7]!.customer_id]);
    } finally {
      await late.close();
    }
  });

  it('stores no plaintext values in Redis and refuses another secret', async () => {
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    let all = '';
    for (const k of keys) {
      const type = await redis.type(k);
      if (type === 'list') all += (await redis.lrangeBuffer(k, 0, -1)).map((b) => b.toString('latin1')).join('');
      else if (type === 'stream') all += JSON.stringify(await redis.xrange(k, '-', '+'));
      else if (type === 'string') all += await redis.get(k);
    }
    all = all.toLowerCase();
    for (const r of rows.slice(0, 50)) {
      for (const v of [
        r.email.toLowerCase(),
        r.full_name.toLowerCase(),
        r.imei,
        r.order_id.toLowerCase(),
        'changed.four',
      ]) {
        expect(all.includes(v), v).toBe(false);
      }
    }
    await expect(
      openDirectory({ dataDir: join(tmp, 'd'), redis: URL, redisPrefix: prefix, secret: 'another-secret-0123456789' }),
    ).rejects.toMatchObject({ code: 'EPG_SECRET' });
  });
});
