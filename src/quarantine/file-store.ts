/**
 * Embedded backend: DATA_DIR/quarantine/<id>.json (metadata) and <id>.msg (sealed body).
 * Every write goes to a temp file, is fsynced, renamed into place, and the directory fsynced, before the call
 * resolves. A record exists once its .json exists; the body is written first, so a crash leaves at most an orphan
 * body or a temp file, both ignored and cleaned up on open. State changes take a per-record lock file
 * (open 'wx') and compare the version, so several processes (relay workers, the CLI) can share the folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { fsyncDir, replaceFileDurably } from '../core/durable-file.js';
import path from 'node:path';
import type { Logger } from 'pino';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { BaseStore } from './base-store.js';
import { parseStored, type StoredRecord } from './record.js';

const TMP_PREFIX = '.tmp-';
/** Leftovers younger than this may belong to a sibling process mid-write and are left alone. */
const LEFTOVER_AGE_MS = 60_000;
const LOCK_STALE_MS = 30_000;

/**
 * True when the process that wrote the lock file no longer exists on this host (the embedded store is one host's
 * folder). An empty or unreadable pid counts as alive: the lock may be in the middle of being written.
 */
async function lockOwnerGone(lockFile: string): Promise<boolean> {
  const pid = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return isErrno(err, 'ESRCH');
  }
}
const LOCK_WAIT_MS = 10_000;

const isErrno = (err: unknown, code: string): boolean => (err as NodeJS.ErrnoException | undefined)?.code === code;

export class FileQuarantineStore extends BaseStore {
  readonly backend = 'file' as const;

  private constructor(
    private readonly dir: string,
    key: Buffer,
    retentionDays: number,
    logger?: Logger,
    releasingTimeoutMs?: number,
  ) {
    super(key, retentionDays, logger, releasingTimeoutMs);
  }

  static async open(
    dataDir: string,
    key: Buffer,
    retentionDays: number,
    logger?: Logger,
    releasingTimeoutMs?: number,
  ): Promise<FileQuarantineStore> {
    const dir = path.join(dataDir, 'quarantine');
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw new PostguardError(ErrorCodes.QUARANTINE_STORE, `cannot create ${dir}`, { cause });
    }
    const store = new FileQuarantineStore(dir, key, retentionDays, logger, releasingTimeoutMs);
    await store.cleanLeftovers();
    return store;
  }

  private file(id: string, ext: 'json' | 'msg' | 'lock'): string {
    return path.join(this.dir, `${id}.${ext}`);
  }

  /** Removes temp files and bodies without metadata left by a crash. */
  async cleanLeftovers(now = Date.now()): Promise<number> {
    const names = await readdir(this.dir);
    const have = new Set(names);
    let cleaned = 0;
    for (const name of names) {
      const orphanBody = name.endsWith('.msg') && !have.has(name.slice(0, -4) + '.json');
      const staleLock = name.endsWith('.lock');
      if (!name.startsWith(TMP_PREFIX) && !orphanBody && !staleLock) continue;
      const full = path.join(this.dir, name);
      try {
        const st = await stat(full);
        const limit = staleLock ? LOCK_STALE_MS : LEFTOVER_AGE_MS;
        if (now - st.mtimeMs < limit) continue;
        await unlink(full);
        cleaned++;
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
      }
    }
    if (cleaned) this.logger?.warn({ cleaned }, 'removed leftovers of interrupted quarantine writes');
    return cleaned;
  }

  private async writeDurable(target: string, data: Buffer | string): Promise<void> {
    await replaceFileDurably(target, data, {
      tmp: path.join(this.dir, `${TMP_PREFIX}${randomBytes(8).toString('hex')}`),
    });
  }

  private async syncDir(): Promise<void> {
    await fsyncDir(this.dir);
  }

  protected async insert(stored: StoredRecord, sealedRaw: Buffer): Promise<void> {
    const meta = this.file(stored.id, 'json');
    try {
      await stat(meta);
      throw new PostguardError(ErrorCodes.QUARANTINE_STORE, `quarantine record ${stored.id} already exists`);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    try {
      await this.writeDurable(this.file(stored.id, 'msg'), sealedRaw);
      await this.writeDurable(meta, JSON.stringify(stored));
      await this.syncDir();
    } catch (cause) {
      throw new PostguardError(ErrorCodes.QUARANTINE_STORE, 'quarantine write failed', {
        cause,
        details: { id: stored.id },
      });
    }
  }

  protected async readStored(id: string): Promise<StoredRecord | null> {
    try {
      return parseStored(await readFile(this.file(id, 'json'), 'utf8'));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      if (err instanceof PostguardError) throw err;
      throw new PostguardError(ErrorCodes.QUARANTINE_STORE, `cannot read quarantine record ${id}`, { cause: err });
    }
  }

  protected async readSealedRaw(id: string): Promise<Buffer | null> {
    const stored = await this.readStored(id);
    if (!stored || !stored.sealed) return null;
    try {
      return await readFile(this.file(id, 'msg'));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw new PostguardError(ErrorCodes.QUARANTINE_STORE, `cannot read quarantined body ${id}`, { cause: err });
    }
  }

  private async lock(id: string): Promise<() => Promise<void>> {
    const lockFile = this.file(id, 'lock');
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const fh = await open(lockFile, 'wx', 0o600);
        await fh.writeFile(String(process.pid));
        await fh.close();
        return async () => {
          await unlink(lockFile).catch(() => undefined);
        };
      } catch (err) {
        if (!isErrno(err, 'EEXIST')) throw err;
        try {
          const st = await stat(lockFile);
          // Stale: held too long, or its owner is gone (a relay or CLI killed between taking and dropping it, which
          // is exactly the crash `quarantine recover` is for). The owner's pid is the lock's content.
          if (Date.now() - st.mtimeMs > LOCK_STALE_MS || (await lockOwnerGone(lockFile))) {
            this.logger?.warn({ id }, 'breaking a stale quarantine lock');
            await unlink(lockFile).catch(() => undefined);
            continue;
          }
        } catch (e) {
          if (!isErrno(e, 'ENOENT')) throw e;
          continue;
        }
        if (Date.now() > deadline) {
          throw new PostguardError(ErrorCodes.QUARANTINE_STORE, `quarantine record ${id} is locked`, {
            details: { id },
          });
        }
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      }
    }
  }

  protected async compareAndSet(prev: StoredRecord, next: StoredRecord, dropBody: boolean): Promise<boolean> {
    const unlock = await this.lock(prev.id);
    try {
      const current = await this.readStored(prev.id);
      if (!current || current.version !== prev.version) return false;
      await this.writeDurable(this.file(prev.id, 'json'), JSON.stringify(next));
      if (dropBody)
        await unlink(this.file(prev.id, 'msg')).catch((e: unknown) => {
          if (!isErrno(e, 'ENOENT')) throw e;
        });
      await this.syncDir();
      return true;
    } finally {
      await unlock();
    }
  }

  protected async allStored(): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const s = await this.readStored(name.slice(0, -5));
      if (s) out.push(s);
    }
    return out;
  }

  protected async remove(id: string): Promise<void> {
    const unlock = await this.lock(id);
    try {
      await unlink(this.file(id, 'json')).catch(() => undefined);
      await unlink(this.file(id, 'msg')).catch(() => undefined);
      await this.syncDir();
    } finally {
      await unlock();
    }
  }

  async close(): Promise<void> {
    // nothing held open between calls
  }
}
