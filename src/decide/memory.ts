/**
 * Recipient memory for the first-time-recipient check: which external addresses were mailed before.
 * Only keyed hashes of canonical addresses are stored (HMAC-SHA-256 with the installation secret, or SHA-256
 * with a fixed domain-separation prefix when no secret is given) — never the addresses.
 *
 * Record only after a successful delivery (`record`), never on hold or reject.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalAddress } from '../core/address.js';

export interface RecipientMemory {
  /** The subset of `addresses` (canonical) that were recorded before. */
  known(addresses: readonly string[]): Promise<Set<string>>;
  /** Remembers the addresses as mailed (call after delivery). */
  record(addresses: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface MemoryOptions {
  /** Installation secret: hashes become HMAC-SHA-256 keyed with it (recommended). */
  secret?: string | Buffer;
}

function canon(a: string): string {
  return canonicalAddress(a) ?? a.trim().toLowerCase();
}

export function hashAddress(address: string, secret?: string | Buffer): string {
  const a = canon(address);
  if (secret !== undefined && secret.length > 0) return createHmac('sha256', secret).update(a).digest('hex');
  return createHash('sha256').update(`postguard:recipient:${a}`).digest('hex');
}

/**
 * Builds the synchronous `firstTime` callback decide() takes, from one async lookup before deciding.
 * Addresses not asked about are treated as known (the check never fires on them).
 */
export async function firstTimeLookup(
  memory: RecipientMemory,
  addresses: readonly string[],
): Promise<(address: string) => boolean> {
  const asked = new Set(addresses.map(canon));
  const known = await memory.known([...asked]);
  return (address) => {
    const a = canon(address);
    return asked.has(a) && !known.has(a);
  };
}

/** File-backed memory: `<dataDir>/known-recipients.txt`, one hex hash per line, append-only. */
export class FileRecipientMemory implements RecipientMemory {
  private constructor(
    private readonly file: string,
    private readonly hashes: Set<string>,
    private readonly secret: string | Buffer | undefined,
  ) {}

  static async open(dataDir: string, opts: MemoryOptions & { fileName?: string } = {}): Promise<FileRecipientMemory> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, opts.fileName ?? 'known-recipients.txt');
    const hashes = new Set<string>();
    try {
      const text = await readFile(file, 'utf8');
      for (const line of text.split('\n')) if (/^[0-9a-f]{64}$/.test(line)) hashes.add(line);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return new FileRecipientMemory(file, hashes, opts.secret);
  }

  get path(): string {
    return this.file;
  }

  async known(addresses: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const a of addresses) if (this.hashes.has(hashAddress(a, this.secret))) out.add(canon(a));
    return out;
  }

  async record(addresses: readonly string[]): Promise<void> {
    const fresh: string[] = [];
    for (const a of addresses) {
      const h = hashAddress(a, this.secret);
      if (!this.hashes.has(h)) {
        this.hashes.add(h);
        fresh.push(h);
      }
    }
    if (fresh.length === 0) return;
    const fh = await open(this.file, 'a', 0o600);
    try {
      await fh.appendFile(fresh.join('\n') + '\n');
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }
}

/** The few ioredis calls the Redis memory needs (an ioredis client satisfies it). */
export interface RedisSetClient {
  smismember(key: string, ...members: string[]): Promise<number[]>;
  sadd(key: string, ...members: string[]): Promise<number>;
}

/** Redis-backed memory, shared by several relays: one Redis SET `<prefix>known-recipients` of hashes. */
export class RedisRecipientMemory implements RecipientMemory {
  readonly key: string;
  private readonly secret: string | Buffer | undefined;

  constructor(
    private readonly redis: RedisSetClient,
    opts: MemoryOptions & { prefix?: string } = {},
  ) {
    this.key = `${opts.prefix ?? 'postguard:'}known-recipients`;
    this.secret = opts.secret;
  }

  async known(addresses: readonly string[]): Promise<Set<string>> {
    const list = [...new Set(addresses.map(canon))];
    if (list.length === 0) return new Set();
    const res = await this.redis.smismember(this.key, ...list.map((a) => hashAddress(a, this.secret)));
    return new Set(list.filter((_, i) => res[i] === 1));
  }

  async record(addresses: readonly string[]): Promise<void> {
    if (addresses.length === 0) return;
    await this.redis.sadd(this.key, ...addresses.map((a) => hashAddress(a, this.secret)));
  }

  async close(): Promise<void> {
    // The Redis connection belongs to the caller.
  }
}
