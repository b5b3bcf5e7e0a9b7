/**
 * Shared backend (several relays): one hash and one string per record, both under the hash tag {q:<id>} so a
 * record's keys live in one Cluster slot and every per-record change is a single Lua script. An index sorted set
 * (score = hold time) lists ids; it is maintained with separate commands and healed on read (ids whose record has
 * expired are dropped). Retention is the keys' TTL: the body at expiry, the metadata tombstone one retention
 * period later.
 *
 *   <prefix>{q:<id>}:meta  HASH  doc (StoredRecord JSON), ver (compare-and-set version)
 *   <prefix>{q:<id>}:raw   STRING sealed body
 *   <prefix>q:index        ZSET  id → heldAt (ms)
 */
import { Redis, type Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { BaseStore } from './base-store.js';
import { parseStored, retentionMs, type StoredRecord } from './record.js';

export type RedisClient = Redis | Cluster;

const HOLD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[5])
redis.call('HSET', KEYS[1], 'doc', ARGV[1], 'ver', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

const CAS = `
if redis.call('HGET', KEYS[1], 'ver') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'ver', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if ARGV[5] == '1' then redis.call('DEL', KEYS[2]) end
return 1`;

export class RedisQuarantineStore extends BaseStore {
  readonly backend = 'redis' as const;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ownsClient: boolean,
    key: Buffer,
    retentionDays: number,
    logger?: Logger,
    releasingTimeoutMs?: number,
  ) {
    super(key, retentionDays, logger, releasingTimeoutMs);
  }

  static async connect(
    url: string,
    prefix: string,
    key: Buffer,
    retentionDays: number,
    logger?: Logger,
    releasingTimeoutMs?: number,
  ): Promise<RedisQuarantineStore> {
    const redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
    redis.on('error', (err: Error) => logger?.warn({ err: err.message }, 'redis connection error (quarantine)'));
    try {
      await redis.connect();
    } catch (cause) {
      redis.disconnect();
      throw new PostguardError(ErrorCodes.QUARANTINE_STORE, 'cannot connect to redis for the quarantine', { cause });
    }
    return new RedisQuarantineStore(redis, prefix, true, key, retentionDays, logger, releasingTimeoutMs);
  }

  private metaKey(id: string): string {
    return `${this.prefix}{q:${id}}:meta`;
  }
  private rawKey(id: string): string {
    return `${this.prefix}{q:${id}}:raw`;
  }
  private get indexKey(): string {
    return `${this.prefix}q:index`;
  }

  /** TTLs in ms from now: body until expiry, metadata one retention period longer. */
  private ttls(stored: StoredRecord): { meta: number; raw: number } {
    const exp = Date.parse(stored.expiresAt) - Date.now();
    return { raw: Math.max(1000, exp), meta: Math.max(1000, exp + retentionMs(this.retentionDays)) };
  }

  private wrap(what: string, cause: unknown): PostguardError {
    if (cause instanceof PostguardError) return cause;
    return new PostguardError(ErrorCodes.QUARANTINE_STORE, `redis quarantine: ${what} failed`, { cause });
  }

  protected async insert(stored: StoredRecord, sealedRaw: Buffer): Promise<void> {
    const t = this.ttls(stored);
    let ok: unknown;
    try {
      ok = await this.redis.eval(
        HOLD,
        2,
        this.metaKey(stored.id),
        this.rawKey(stored.id),
        JSON.stringify(stored),
        String(stored.version),
        sealedRaw,
        t.meta,
        t.raw,
      );
      await this.redis.zadd(this.indexKey, Date.parse(stored.heldAt), stored.id);
    } catch (cause) {
      throw this.wrap('hold', cause);
    }
    if (ok !== 1)
      throw new PostguardError(ErrorCodes.QUARANTINE_STORE, `quarantine record ${stored.id} already exists`);
  }

  protected async readStored(id: string): Promise<StoredRecord | null> {
    let doc: string | null;
    try {
      doc = await this.redis.hget(this.metaKey(id), 'doc');
    } catch (cause) {
      throw this.wrap('read', cause);
    }
    return doc === null ? null : parseStored(doc);
  }

  protected async readSealedRaw(id: string): Promise<Buffer | null> {
    try {
      return await this.redis.getBuffer(this.rawKey(id));
    } catch (cause) {
      throw this.wrap('read body', cause);
    }
  }

  protected async compareAndSet(prev: StoredRecord, next: StoredRecord, dropBody: boolean): Promise<boolean> {
    try {
      const ok = await this.redis.eval(
        CAS,
        2,
        this.metaKey(prev.id),
        this.rawKey(prev.id),
        String(prev.version),
        JSON.stringify(next),
        String(next.version),
        this.ttls(next).meta,
        dropBody ? '1' : '0',
      );
      return ok === 1;
    } catch (cause) {
      throw this.wrap('update', cause);
    }
  }

  protected async allStored(): Promise<StoredRecord[]> {
    try {
      const ids = await this.redis.zrange(this.indexKey, '0', '-1');
      const docs = await Promise.all(ids.map((id) => this.redis.hget(this.metaKey(id), 'doc')));
      const gone = ids.filter((_, i) => docs[i] === null);
      if (gone.length) await this.redis.zrem(this.indexKey, ...gone);
      return docs.filter((d): d is string => d !== null).map(parseStored);
    } catch (cause) {
      throw this.wrap('list', cause);
    }
  }

  protected async remove(id: string): Promise<void> {
    try {
      await this.redis.del(this.metaKey(id), this.rawKey(id));
      await this.redis.zrem(this.indexKey, id);
    } catch (cause) {
      throw this.wrap('remove', cause);
    }
  }

  /** True when Redis answers (for /readyz). */
  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
