/**
 * Recipient memory for the first-time-recipient check: which external addresses were mailed before.
 * Only keyed hashes of canonical addresses are stored, never the addresses: HMAC-SHA-256 under a memory key
 * derived from the installation's directory secret (DATA_DIR/directory.key or `directorySecret`; see
 * `memoryKey`). Without the secret a stored value cannot be tested against a list of candidate addresses.
 *
 * Stored format 2 (this one): the file starts with FILE_HEADER, the Redis SET is `<prefix>known-recipients:v2`.
 * Format 1 (before) kept SHA-256 of "postguard:recipient:" + address (unkeyed, reversible with a dictionary of
 * addresses) or, with a configured directorySecret, HMAC(directorySecret, address). Those values cannot be turned
 * back into addresses to re-hash them, so each is kept as HMAC(memory key, "legacy\0" + old value) — keyed like
 * the rest — and an address is also looked up in that form. A format-1 file is rewritten on load; a format-1
 * Redis SET is copied into the new one and deleted when the memory opens.
 *
 * Record only after a successful delivery (`record`), never on hold or reject.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalAddress } from '../core/address.js';
import { createFileOnce, replaceFileDurably } from '../core/durable-file.js';

export interface RecipientMemory {
  /** The subset of `addresses` (canonical) that were recorded before. */
  known(addresses: readonly string[]): Promise<Set<string>>;
  /** Remembers the addresses as mailed (call after delivery). */
  record(addresses: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface MemoryOptions {
  /** The installation's directory secret (directory/secret.ts `resolveSecret`): the memory key is derived from it. */
  secret: string | Buffer;
}

/** First line of a format-2 memory file. */
export const FILE_HEADER = '# postguard known-recipients v2 hmac-sha256';

function canon(a: string): string {
  return canonicalAddress(a) ?? a.trim().toLowerCase();
}

/**
 * The memory key: HMAC(directory secret, purpose label). Its own key, so that a memory value and a directory
 * hash of the same address are unrelated; derived, so there is no other secret to generate, share between relays
 * and back up. Rotating the directory secret empties the memory (every recipient is first-time once more).
 */
export function memoryKey(secret: string | Buffer): Buffer {
  if (secret.length === 0) throw new Error('recipient memory needs the directory secret');
  return createHmac('sha256', secret).update('postguard:recipient-memory:v2').digest();
}

const hmacHex = (key: Buffer, value: string): string => createHmac('sha256', key).update(value).digest('hex');

/** A format-1 value, kept keyed. */
export function convertLegacy(oldValue: string, key: Buffer): string {
  return hmacHex(key, `legacy\0${oldValue}`);
}

/** The stored value for an address (format 2). */
export function hashAddress(address: string, secret: string | Buffer): string {
  return hmacHex(memoryKey(secret), canon(address));
}

/** Every stored form an address may have: format 2, and format 1 (unkeyed, or keyed with the secret) converted. */
function storedForms(address: string, secret: string | Buffer, key: Buffer): string[] {
  const a = canon(address);
  const unkeyed = createHash('sha256').update(`postguard:recipient:${a}`).digest('hex');
  const keyed = createHmac('sha256', secret).update(a).digest('hex');
  return [hmacHex(key, a), convertLegacy(unkeyed, key), convertLegacy(keyed, key)];
}

const HEX64 = /^[0-9a-f]{64}$/;

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

/** File-backed memory: `<dataDir>/known-recipients.txt`, FILE_HEADER then one hex value per line, append-only. */
export class FileRecipientMemory implements RecipientMemory {
  private constructor(
    private readonly file: string,
    private readonly hashes: Set<string>,
    private readonly secret: string | Buffer,
    private readonly key: Buffer,
    /** Format-1 values found and converted on open (0 for a format-2 or new file). */
    readonly migrated: number,
  ) {}

  static async open(dataDir: string, opts: MemoryOptions & { fileName?: string }): Promise<FileRecipientMemory> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const key = memoryKey(opts.secret);
    const file = join(dataDir, opts.fileName ?? 'known-recipients.txt');
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const lines = (text ?? '').split('\n');
    const hashes = new Set<string>();
    let migrated = 0;
    if (text === undefined) {
      // New file: created whole or not at all (relay workers starting together race here).
      await createFileOnce(file, FILE_HEADER + '\n', { mode: 0o600 });
    } else if (lines[0] === FILE_HEADER) {
      for (const line of lines) if (HEX64.test(line)) hashes.add(line);
    } else {
      // Format 1: convert every value and replace the file atomically.
      for (const line of lines) {
        if (!HEX64.test(line)) continue;
        hashes.add(convertLegacy(line, key));
        migrated++;
      }
      const body = [FILE_HEADER, ...hashes].join('\n') + '\n';
      await replaceFileDurably(file, body, {
        tmp: `${file}.${randomBytes(6).toString('hex')}.tmp`,
        mode: 0o600,
        syncDir: dataDir,
      });
    }
    return new FileRecipientMemory(file, hashes, opts.secret, key, migrated);
  }

  get path(): string {
    return this.file;
  }

  async known(addresses: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const a of addresses)
      if (storedForms(a, this.secret, this.key).some((h) => this.hashes.has(h))) out.add(canon(a));
    return out;
  }

  async record(addresses: readonly string[]): Promise<void> {
    const fresh: string[] = [];
    for (const a of addresses) {
      const h = hmacHex(this.key, canon(a));
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
  sscan(key: string, cursor: string, countToken: 'COUNT', count: number): Promise<[cursor: string, elements: string[]]>;
  del(...keys: string[]): Promise<number>;
}

/**
 * Redis-backed memory, shared by several relays: one Redis SET `<prefix>known-recipients:v2` of keyed hashes.
 * Use `open`, which first converts a format-1 SET (`<prefix>known-recipients`) left by an older version.
 */
export class RedisRecipientMemory implements RecipientMemory {
  readonly key: string;
  readonly legacyKey: string;
  private readonly secret: string | Buffer;
  private readonly hmacKey: Buffer;

  constructor(
    private readonly redis: RedisSetClient,
    opts: MemoryOptions & { prefix?: string },
  ) {
    this.legacyKey = `${opts.prefix ?? 'postguard:'}known-recipients`;
    this.key = `${this.legacyKey}:v2`;
    this.secret = opts.secret;
    this.hmacKey = memoryKey(opts.secret);
  }

  static async open(redis: RedisSetClient, opts: MemoryOptions & { prefix?: string }): Promise<RedisRecipientMemory> {
    const m = new RedisRecipientMemory(redis, opts);
    await m.migrate();
    return m;
  }

  /**
   * Copies the format-1 SET, converted, into the new one, then deletes it. Idempotent: relays starting together
   * add the same values, and one interrupted part-way is finished by the next start. Returns the values copied.
   */
  async migrate(): Promise<number> {
    let cursor = '0';
    let copied = 0;
    do {
      const [next, members] = await this.redis.sscan(this.legacyKey, cursor, 'COUNT', 1000);
      const converted = members.filter((m) => HEX64.test(m)).map((m) => convertLegacy(m, this.hmacKey));
      if (converted.length) await this.redis.sadd(this.key, ...converted);
      copied += converted.length;
      cursor = next;
    } while (cursor !== '0');
    if (copied) await this.redis.del(this.legacyKey);
    return copied;
  }

  async known(addresses: readonly string[]): Promise<Set<string>> {
    const list = [...new Set(addresses.map(canon))];
    if (list.length === 0) return new Set();
    const forms = list.map((a) => storedForms(a, this.secret, this.hmacKey));
    const res = await this.redis.smismember(this.key, ...forms.flat());
    const per = forms[0]!.length;
    return new Set(list.filter((_, i) => res.slice(i * per, (i + 1) * per).includes(1)));
  }

  async record(addresses: readonly string[]): Promise<void> {
    if (addresses.length === 0) return;
    await this.redis.sadd(this.key, ...addresses.map((a) => hmacHex(this.hmacKey, canon(a))));
  }

  async close(): Promise<void> {
    // The Redis connection belongs to the caller.
  }
}
