/**
 * Embedded journal backend: DATA_DIR/journal/YYYY-MM-DD.jsonl (UTC day of the event), one JSON line per entry,
 * files 0600 in a 0700 folder. Appends are group-committed: every entry waiting while a write is in progress goes
 * out with the next single write + fsync, and append() resolves only after that fsync. Several processes (relay
 * workers, the CLI) append to the same files: each batch is one O_APPEND write of whole lines.
 * Pruning deletes whole day files older than the retention.
 */
import { mkdir, open, readdir, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { fsyncDir } from '../core/durable-file.js';
import type { JournalBackend, JournalEntry, JournalScan } from './types.js';

const FILE_RE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

interface Pending {
  day: string;
  line: string;
  resolve(): void;
  reject(err: unknown): void;
}

export class FileJournal implements JournalBackend {
  readonly backend = 'file' as const;
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private handle: { day: string; fh: FileHandle } | null = null;
  private closed = false;

  private constructor(readonly dir: string) {}

  /** `create: false` (reports): a missing folder is an error instead of a new empty journal. */
  static async open(dataDir: string, opts: { create?: boolean } = {}): Promise<FileJournal> {
    const dir = path.join(dataDir, 'journal');
    if (opts.create === false) {
      try {
        await stat(dir);
      } catch (cause) {
        throw new PostguardError(ErrorCodes.JOURNAL, `no verdict journal at ${dir} (wrong --data-dir?)`, { cause });
      }
      return new FileJournal(dir);
    }
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw new PostguardError(ErrorCodes.JOURNAL, `cannot create the journal folder ${dir}`, { cause });
    }
    return new FileJournal(dir);
  }

  append(entry: JournalEntry): Promise<void> {
    if (this.closed) return Promise.reject(new PostguardError(ErrorCodes.JOURNAL, 'journal is closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ day: entry.time.slice(0, 10), line: JSON.stringify(entry) + '\n', resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushing || !this.pending.length) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = null;
      this.kick(); // entries that arrived after the loop's last check
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      const days = [...new Set(batch.map((p) => p.day))].sort();
      for (const day of days) {
        const items = batch.filter((p) => p.day === day);
        try {
          const fh = await this.fileFor(day);
          await fh.write(items.map((p) => p.line).join(''));
          await fh.sync();
          for (const p of items) p.resolve();
        } catch (cause) {
          await this.dropHandle();
          const err = new PostguardError(ErrorCodes.JOURNAL, 'journal write failed', { cause });
          for (const p of items) p.reject(err);
        }
      }
    }
  }

  private async fileFor(day: string): Promise<FileHandle> {
    if (this.handle?.day === day) return this.handle.fh;
    await this.dropHandle();
    const file = path.join(this.dir, `${day}.jsonl`);
    const fh = await open(file, 'a', 0o600);
    // A crash can leave a torn last line: end it so the next entry starts on a line of its own.
    const { size } = await fh.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rh = await open(file, 'r');
      try {
        await rh.read(last, 0, 1, size - 1);
      } finally {
        await rh.close();
      }
      if (last[0] !== 0x0a) await fh.write('\n');
    } else {
      await fsyncDir(this.dir);
    }
    this.handle = { day, fh };
    return fh;
  }

  private async dropHandle(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    await h?.fh.close().catch(() => undefined);
  }

  private async days(): Promise<string[]> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw new PostguardError(ErrorCodes.JOURNAL, `cannot read the journal folder ${this.dir}`, { cause: err });
    });
    return names
      .map((n) => FILE_RE.exec(n)?.[1])
      .filter((d): d is string => Boolean(d))
      .sort();
  }

  private async read(day: string, needle?: string): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await readFile(path.join(this.dir, `${day}.jsonl`), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new PostguardError(ErrorCodes.JOURNAL, `cannot read journal day ${day}`, { cause: err });
    }
    const out: JournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line || (needle && !line.includes(needle))) continue;
      try {
        out.push(JSON.parse(line) as JournalEntry);
      } catch {
        // a torn line from a crash mid-write: skipped
      }
    }
    return out;
  }

  async scan(q: JournalScan): Promise<JournalEntry[]> {
    const from = q.since?.toISOString().slice(0, 10);
    const to = q.until?.toISOString().slice(0, 10);
    const needle = q.ref ? `"ref":${JSON.stringify(q.ref)}` : q.customer ? JSON.stringify(q.customer) : undefined;
    const out: JournalEntry[] = [];
    for (const day of await this.days()) {
      if ((from && day < from) || (to && day > to)) continue;
      for (const e of await this.read(day, needle)) {
        if (q.ref && e.ref !== q.ref) continue;
        if (q.customer && !e.customers.includes(q.customer)) continue;
        if (q.since && e.time < q.since.toISOString()) continue;
        if (q.until && e.time > q.until.toISOString()) continue;
        out.push(e);
      }
    }
    return out.sort((a, b) => a.time.localeCompare(b.time));
  }

  async messagesOfCustomer(customer: string, since?: Date): Promise<JournalEntry[]> {
    const hits = await this.scan({ customer, ...(since ? { since } : {}) });
    const refs = new Set(hits.map((e) => e.ref));
    if (!refs.size) return [];
    // later actions (a release weeks after) are in later files; earlier entries of the same message in earlier ones
    const all = await this.scan(since ? { since: new Date(since.getTime() - 86_400_000) } : {});
    return all.filter((e) => refs.has(e.ref));
  }

  async prune(before: Date): Promise<number> {
    const cutoff = before.toISOString().slice(0, 10);
    let removed = 0;
    for (const day of await this.days()) {
      if (day >= cutoff) continue;
      if (this.handle?.day === day) await this.dropHandle();
      await unlink(path.join(this.dir, `${day}.jsonl`)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT')
          throw new PostguardError(ErrorCodes.JOURNAL, `cannot prune journal day ${day}`, { cause: err });
      });
      removed++;
    }
    if (removed) await fsyncDir(this.dir);
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.dropHandle();
  }
}
