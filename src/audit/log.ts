/**
 * Append-only audit log of admin actions (who, what, when, why, which message): the AuditRecorder the quarantine's
 * release/delete/request actions write to (quarantine/release.ts), kept here so quarantine/ imports nothing above it.
 * Embedded: DATA_DIR/audit.jsonl opened with 'a', one JSON line per entry, fsynced before append() resolves.
 * Shared: a Redis stream <prefix>audit (XADD), so every relay's console shows the same log.
 * Entries never carry customer data: actors are admin/agent names, addresses appear masked only.
 */
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { AuditRecorder } from '../quarantine/release.js';

export interface AuditEntry {
  time: string;
  actor: string;
  action: string;
  messageId?: string;
  reason?: string;
  details?: Record<string, unknown>;
}

export type AuditInput = Omit<AuditEntry, 'time'>;

export interface AuditQuery {
  limit?: number;
  messageId?: string;
}

export interface AuditLog extends AuditRecorder {
  append(entry: AuditInput): Promise<AuditEntry>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

function filterEntries(entries: AuditEntry[], q: AuditQuery): AuditEntry[] {
  const out = q.messageId ? entries.filter((e) => e.messageId === q.messageId) : entries;
  return q.limit ? out.slice(0, q.limit) : out;
}

export class FileAuditLog implements AuditLog {
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly fh: FileHandle,
  ) {}

  static async open(dataDir: string): Promise<FileAuditLog> {
    await mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, 'audit.jsonl');
    try {
      const fh = await open(file, 'a+', 0o600);
      // A crash can leave a torn last line: end it so the next entry starts on a line of its own.
      const { size } = await fh.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await fh.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) await fh.write('\n');
      }
      return new FileAuditLog(file, fh);
    } catch (cause) {
      throw new PostguardError(ErrorCodes.QUARANTINE_STORE, `cannot open audit log ${file}`, { cause });
    }
  }

  append(input: AuditInput): Promise<AuditEntry> {
    const entry: AuditEntry = { time: new Date().toISOString(), ...input };
    const line = JSON.stringify(entry) + '\n';
    const p = this.chain.then(async () => {
      await this.fh.write(line);
      await this.fh.sync();
      return entry;
    });
    this.chain = p.catch(() => undefined);
    return p;
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    await this.chain;
    const text = await readFile(this.file, 'utf8');
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        // a torn last line after a crash: skip it
      }
    }
    return filterEntries(entries.reverse(), query);
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh.close();
  }
}

export class RedisAuditLog implements AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ownsClient: boolean,
  ) {}

  async append(input: AuditInput): Promise<AuditEntry> {
    const entry: AuditEntry = { time: new Date().toISOString(), ...input };
    await this.redis.xadd(this.key, '*', 'e', JSON.stringify(entry));
    return entry;
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const rows =
      query.limit && !query.messageId
        ? await this.redis.xrevrange(this.key, '+', '-', 'COUNT', query.limit)
        : await this.redis.xrevrange(this.key, '+', '-');
    const entries = rows.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as AuditEntry);
    return filterEntries(entries, query);
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

export async function openAudit(opts: {
  dataDir: string;
  redis?: string;
  redisPrefix?: string;
  logger?: Logger;
}): Promise<AuditLog> {
  if (opts.redis) {
    const { Redis } = await import('ioredis'); // loaded only with Redis configured
    const redis = new Redis(opts.redis, { maxRetriesPerRequest: 2 });
    redis.on('error', (err: Error) => opts.logger?.warn({ err: err.message }, 'redis connection error (audit)'));
    return new RedisAuditLog(redis, `${opts.redisPrefix ?? 'postguard:'}audit`, true);
  }
  return FileAuditLog.open(opts.dataDir);
}
