/**
 * openQuarantine: the embedded (file) store, or the shared Redis store when a Redis URL is given.
 */
import type { Logger } from 'pino';
import { loadQuarantineKey } from './crypto.js';
import { FileQuarantineStore } from './file-store.js';
import type { QuarantineStore } from './types.js';

export interface OpenQuarantineOptions {
  dataDir: string;
  /** Redis URL; empty/undefined = embedded store under DATA_DIR/quarantine. */
  redis?: string;
  redisPrefix?: string;
  /** 64 hex chars; required with redis. Otherwise generated into DATA_DIR/quarantine.key. */
  key?: string;
  retentionDays?: number;
  /** quarantine.releasingTimeout (ms): a release older than this was interrupted. */
  releasingTimeoutMs?: number;
  logger?: Logger;
}

export async function openQuarantine(opts: OpenQuarantineOptions): Promise<QuarantineStore> {
  const retentionDays = opts.retentionDays ?? 30;
  const key = await loadQuarantineKey({
    dataDir: opts.dataDir,
    ...(opts.key ? { key: opts.key } : {}),
    requireConfigured: Boolean(opts.redis),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  if (opts.redis) {
    // loaded only with Redis configured: ioredis costs every CLI command ~0.1 s CPU to load
    const { RedisQuarantineStore } = await import('./redis-store.js');
    return RedisQuarantineStore.connect(
      opts.redis,
      opts.redisPrefix ?? 'postguard:',
      key,
      retentionDays,
      opts.logger,
      opts.releasingTimeoutMs,
    );
  }
  return FileQuarantineStore.open(opts.dataDir, key, retentionDays, opts.logger, opts.releasingTimeoutMs);
}

export type {
  QuarantineStore,
  QuarantineRecord,
  QuarantineStatus,
  HistoryEntry,
  ListFilter,
  TransitionRequest,
  FindingSpan,
  HoldExtra,
} from './types.js';
export { QUARANTINE_STATUSES } from './types.js';
