/**
 * `dir:PATH` upstream: a local outbox. Each message becomes PATH/<id>.eml, written atomically (temp file, fsync,
 * rename, fsync of the folder), with its envelope beside it in PATH/<id>.envelope.json (written first), so a
 * machine without a mail server can run postguard and inspect what it would have sent.
 */
import { mkdir, writeFile, access, constants, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsyncDir, replaceFileDurably } from '../core/durable-file.js';
import type { Envelope } from '../core/types.js';
import type { DeliveryResult, Upstream } from './types.js';

async function writeAtomic(dir: string, name: string, data: Buffer | string): Promise<void> {
  await replaceFileDurably(join(dir, name), data, {
    tmp: join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`),
    mode: 0o640,
  });
}

export class OutboxUpstream implements Upstream {
  private ready: Promise<void> | null = null;

  constructor(readonly dir: string) {}

  private ensureDir(): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    return this.ready;
  }

  async send(envelope: Envelope, raw: Buffer, opts?: { id?: string }): Promise<DeliveryResult> {
    const id = opts?.id ?? randomBytes(10).toString('hex');
    try {
      await this.ensureDir();
      await writeAtomic(
        this.dir,
        `${id}.envelope.json`,
        JSON.stringify({ id, mailFrom: envelope.mailFrom, rcptTo: envelope.rcptTo }) + '\n',
      );
      await writeAtomic(this.dir, `${id}.eml`, raw);
      await fsyncDir(this.dir);
    } catch (err) {
      this.ready = null;
      return {
        status: 'temporary',
        code: 451,
        accepted: [],
        rejected: [],
        upstreamResponse: `outbox write failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      };
    }
    return {
      status: 'sent',
      code: 250,
      accepted: [...envelope.rcptTo],
      rejected: [],
      upstreamResponse: `250 written ${id}.eml`,
      upstreamId: `${id}.eml`,
    };
  }

  async check(): Promise<boolean> {
    try {
      await this.ensureDir();
      await access(this.dir, constants.W_OK);
      // A probe write shows a full or read-only disk, which access() does not.
      const probe = join(this.dir, `.probe.${process.pid}`);
      await writeFile(probe, 'ok');
      await unlink(probe);
      return true;
    } catch {
      this.ready = null;
      return false;
    }
  }

  async close(): Promise<void> {}
}
