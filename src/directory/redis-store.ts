/**
 * Redis store: several relays share one directory and each keeps its own fast in-memory index.
 *
 * Keys (PREFIX = redisPrefix):
 *   PREFIX directory:version               current snapshot version
 *   PREFIX directory:snapshot:<version>    list of binary chunks (snapshot.ts format); an old version expires
 *                                          10 minutes after it was superseded (readers mid-load finish)
 *   PREFIX directory:meta:<name>           small bookkeeping values (the directory sync's state, sync/state.ts)
 *   PREFIX directory:changes               stream of changes, fields: type (version|delta), version, base,
 *                                          origin, keyFormat (key-format.ts; absent = 1), data (binary delta)
 *
 * A full re-import (or a big upsert, or every COMPACT_AFTER deltas) writes a new snapshot version and publishes
 * `version`; followers load it. Small upserts and removals publish a `delta` (hashed values only) on top of the
 * current version; followers apply it to their index. A follower that loads snapshot V replays the stream after
 * the entry V was written at, so nothing between load and follow is lost.
 * Concurrent writers: last version wins; a delta based on a superseded version is ignored (logged).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { Strength } from '../core/types.js';
import { ChangeBatch } from './change-batch.js';
import type { Change, CompactIndex } from './compact-index.js';
import { KEY_FORMAT, keyFormatOf } from './key-format.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import { newVersion, type DirectoryStore, type LoadedSnapshot, type StoreListener } from './store.js';

const CHUNK = 8 * 1024 * 1024;
/** Upserts touching more customers than this are published as a full snapshot. */
const MAX_DELTA_CUSTOMERS = 20_000;
const COMPACT_AFTER = 100;
const STREAM_MAXLEN = 10_000;
const OLD_SNAPSHOT_TTL_S = 600;

interface DeltaHeader {
  mode: 'upsert' | 'replace';
  ids: string[];
  regions: string[];
  kindNames: string[];
  strengths: Record<string, Strength>;
  removals: string[];
  emailDomains: string[];
  digitless: string[];
  entries: number;
}

export function encodeDelta(change: Change, emailDomains: readonly string[]): Buffer {
  const b = change.batch;
  b.finish();
  const header: DeltaHeader = {
    mode: change.mode,
    ids: b.ids,
    regions: b.regions,
    kindNames: b.kindNames,
    strengths: Object.fromEntries(b.strengths),
    removals: [...(change.removals ?? [])],
    emailDomains: [...emailDomains],
    digitless: [...b.digitless],
    entries: b.entries,
  };
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length, 0);
  // kinds travel as u32 (the delta format predates the batch's u8 kind column)
  const cols = [b.entCustomer.view(), Uint32Array.from(b.entKind.view()), b.entHi.view(), b.entLo.view()].map((v) =>
    Buffer.from(v.buffer, v.byteOffset, v.byteLength),
  );
  return Buffer.concat([len, h, ...cols]);
}

export function decodeDelta(buf: Buffer): Change {
  const hl = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + hl).toString('utf8')) as DeltaHeader;
  const batch = new ChangeBatch();
  header.ids.forEach((id, i) => batch.customer(id, header.regions[i] ?? ''));
  for (const k of header.kindNames) batch.kind(k, header.strengths[k]);
  for (const k of header.digitless ?? []) batch.digitless.add(k);
  const n = header.entries;
  const body = new Uint32Array(n * 4);
  new Uint8Array(body.buffer).set(buf.subarray(4 + hl, 4 + hl + n * 16));
  for (let e = 0; e < n; e++) batch.add(body[e]!, body[n + e]!, body[2 * n + e]!, body[3 * n + e]!);
  return { mode: header.mode, batch, removals: header.removals, emailDomains: header.emailDomains };
}

type StreamEntry = [id: Buffer, fields: Buffer[]];

function fieldsOf(raw: Buffer[]): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (let i = 0; i + 1 < raw.length; i += 2) m.set(raw[i]!.toString(), raw[i + 1]!);
  return m;
}

export class RedisStore implements DirectoryStore {
  readonly kind = 'redis' as const;
  private readonly origin = randomBytes(8).toString('hex');
  private follower: Redis | undefined;
  private following = false;
  /** Last stream entry seen (applied, skipped or folded into the loaded snapshot). */
  private lastId = '0-0';
  private version = '';
  private deltasSinceSnapshot = 0;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly secretCheck: string,
    private readonly logger: Logger | undefined,
  ) {}

  static async connect(opts: {
    url: string;
    prefix: string;
    secretCheck: string;
    logger?: Logger;
  }): Promise<RedisStore> {
    const redis = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    redis.on('error', () => undefined); // surfaced through command failures
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw new PostguardError(ErrorCodes.DIRECTORY, 'cannot connect to the Redis directory store', { cause: err });
    }
    return new RedisStore(redis, opts.prefix, opts.secretCheck, opts.logger);
  }

  get location(): string {
    return `Redis (key prefix "${this.prefix}")`;
  }

  private key(name: string): string {
    return `${this.prefix}directory:${name}`;
  }

  private async fetchSnapshot(version: string): Promise<LoadedSnapshot | null> {
    const chunks = await this.redis.lrangeBuffer(this.key(`snapshot:${version}`), 0, -1);
    if (chunks.length === 0) return null;
    const { header, index } = decodeSnapshot(Buffer.concat(chunks));
    if (header.secretCheck !== this.secretCheck) {
      throw new PostguardError(ErrorCodes.SECRET, 'the Redis directory was written with a different directory secret');
    }
    this.lastId = header.streamId ?? '0-0';
    this.version = header.version;
    this.deltasSinceSnapshot = 0;
    return { index, version: header.version, keyFormat: keyFormatOf(header.keyFormat) };
  }

  async load(): Promise<LoadedSnapshot | null> {
    try {
      const version = await this.redis.get(this.key('version'));
      if (!version) {
        const last = await this.redis.xrevrange(this.key('changes'), '+', '-', 'COUNT', 1);
        this.lastId = last[0]?.[0] ?? '0-0';
        return null;
      }
      const loaded = await this.fetchSnapshot(version);
      if (!loaded) throw new PostguardError(ErrorCodes.DIRECTORY, 'Redis directory snapshot is missing');
      return loaded;
    } catch (err) {
      if (err instanceof PostguardError) throw err;
      throw new PostguardError(ErrorCodes.DIRECTORY, 'cannot read the Redis directory store', { cause: err });
    }
  }

  async commit(next: CompactIndex, change: Change, baseVersion: string): Promise<string> {
    try {
      const small =
        change.mode === 'upsert' &&
        change.batch.customers <= MAX_DELTA_CUSTOMERS &&
        change.batch.runs.length === 0 && // a delta carries the entries in memory only
        baseVersion !== '' &&
        this.deltasSinceSnapshot < COMPACT_AFTER;
      return small ? await this.publishDelta(next, change, baseVersion) : await this.publishSnapshot(next);
    } catch (err) {
      if (err instanceof PostguardError) throw err;
      throw new PostguardError(ErrorCodes.DIRECTORY, 'cannot write the Redis directory store', { cause: err });
    }
  }

  private async publishDelta(next: CompactIndex, change: Change, baseVersion: string): Promise<string> {
    const version = newVersion();
    const data = encodeDelta(change, [...next.emailDomainSet]);
    const id = await this.redis.xadd(
      this.key('changes'),
      'MAXLEN',
      '~',
      STREAM_MAXLEN,
      '*',
      'type',
      'delta',
      'version',
      version,
      'base',
      baseVersion,
      'origin',
      this.origin,
      'keyFormat',
      String(KEY_FORMAT),
      'data',
      data,
    );
    this.deltasSinceSnapshot++;
    this.version = version;
    if (id) this.lastId = id;
    return version;
  }

  private async publishSnapshot(next: CompactIndex): Promise<string> {
    const version = newVersion();
    const last = await this.redis.xrevrange(this.key('changes'), '+', '-', 'COUNT', 1);
    const streamId = last[0]?.[0] ?? '0-0';
    const whole = Buffer.concat(encodeSnapshot(next, { version, secretCheck: this.secretCheck, streamId }));
    const key = this.key(`snapshot:${version}`);
    const tmp = this.redis.pipeline();
    tmp.del(key);
    for (let off = 0; off < whole.length; off += CHUNK) tmp.rpush(key, whole.subarray(off, off + CHUNK));
    await tmp.exec();
    const old = await this.redis.get(this.key('version'));
    const tx = this.redis.multi();
    tx.set(this.key('version'), version);
    if (old && old !== version) tx.expire(this.key(`snapshot:${old}`), OLD_SNAPSHOT_TTL_S);
    tx.xadd(
      this.key('changes'),
      'MAXLEN',
      '~',
      STREAM_MAXLEN,
      '*',
      'type',
      'version',
      'version',
      version,
      'origin',
      this.origin,
      'keyFormat',
      String(KEY_FORMAT),
    );
    const res = await tx.exec();
    const xid = res?.[2]?.[1];
    if (typeof xid === 'string') this.lastId = xid;
    this.version = version;
    this.deltasSinceSnapshot = 0;
    return version;
  }

  /** Resolves once the changes published since the loaded snapshot have been replayed. */
  follow(listener: StoreListener): Promise<void> {
    if (this.following) return Promise.resolve();
    this.following = true;
    this.follower = this.redis.duplicate();
    this.follower.on('error', () => undefined);
    return new Promise((caughtUp) => void this.followLoop(listener, caughtUp));
  }

  private async followLoop(listener: StoreListener, caughtUp: () => void): Promise<void> {
    const conn = this.follower!;
    let replaying = true;
    while (this.following) {
      try {
        const args: (string | number)[] = ['COUNT', 100];
        if (!replaying) args.push('BLOCK', 2000);
        const res = (await (conn.xreadBuffer as (...a: (string | number)[]) => Promise<unknown>)(
          ...args,
          'STREAMS',
          this.key('changes'),
          this.lastId,
        )) as [Buffer, StreamEntry[]][] | null;
        let n = 0;
        for (const [, entries] of res ?? []) {
          for (const [rawId, rawFields] of entries) {
            n++;
            await this.handle(rawId.toString(), fieldsOf(rawFields), listener);
          }
        }
        if (replaying && n < 100) {
          replaying = false;
          caughtUp();
        }
      } catch (err) {
        if (replaying) {
          replaying = false;
          caughtUp();
        }
        if (!this.following) return;
        listener.onError(err);
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
  }

  private async handle(id: string, f: Map<string, Buffer>, listener: StoreListener): Promise<void> {
    this.lastId = id;
    const type = f.get('type')?.toString();
    const version = f.get('version')?.toString() ?? '';
    if (f.get('origin')?.toString() === this.origin) return;
    if (type === 'version') {
      if (version === this.version) return;
      const loaded = await this.fetchSnapshot(version);
      if (loaded) {
        this.lastId = id;
        listener.onSnapshot(loaded);
      }
      return;
    }
    if (type === 'delta') {
      const base = f.get('base')?.toString() ?? '';
      const data = f.get('data');
      if (!data) return;
      const keyFormat = keyFormatOf(f.get('keyFormat')?.toString());
      if (keyFormat !== KEY_FORMAT) {
        // e.g. an older postguard upserting during a rolling upgrade: its keys would not match here
        this.logger?.error(
          { keyFormat, needed: KEY_FORMAT, version },
          'directory change with another key format ignored: import the directory with this version',
        );
        return;
      }
      if (base !== this.version) {
        this.logger?.warn({ base, version: this.version }, 'directory delta for another version ignored');
        return;
      }
      this.version = version;
      this.deltasSinceSnapshot++;
      listener.onChange?.(decodeDelta(data), base, version);
    }
  }

  async readMeta(name: string): Promise<string | null> {
    try {
      return await this.redis.get(this.key(`meta:${name}`));
    } catch (err) {
      throw new PostguardError(ErrorCodes.DIRECTORY, 'cannot read the Redis directory store', { cause: err });
    }
  }

  async writeMeta(name: string, value: string): Promise<void> {
    try {
      await this.redis.set(this.key(`meta:${name}`), value);
    } catch (err) {
      throw new PostguardError(ErrorCodes.DIRECTORY, 'cannot write the Redis directory store', { cause: err });
    }
  }

  async close(): Promise<void> {
    this.following = false;
    this.follower?.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
