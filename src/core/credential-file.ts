/**
 * A JSON credential file (SMTP AUTH users, console accounts): the one store behind both. Read with a cache that is
 * dropped whenever the file changes (inode, size or mtime), so `postguard user|admin add` takes effect on a running
 * server; replaced durably (temp file, fsync, rename, fsync of the folder: see durable-file.ts), mode 0600, so a
 * crash right after `add` never loses the change or leaves a torn file. Updates in one process are serialised.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { replaceFileDurably } from './durable-file.js';
import { ErrorCodes, PostguardError } from './errors.js';

export interface CredentialFileFormat<T> {
  /** The content of a file that does not exist yet. */
  empty(): T;
  /** Checks parsed JSON; throws (any error) when it is not this format. */
  validate(parsed: unknown): T;
}

export class CredentialFile<T> {
  private cache: { stamp: string; data: T } | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly format: CredentialFileFormat<T>,
  ) {}

  /** The current content (do not mutate it: use update()). */
  async read(): Promise<T> {
    let stamp: string;
    try {
      const s = await stat(this.file);
      stamp = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.format.empty();
      throw new PostguardError(ErrorCodes.USERS_FILE, `cannot read ${this.file}`, { cause: err });
    }
    if (this.cache?.stamp === stamp) return this.cache.data;
    let data: T;
    try {
      data = this.format.validate(JSON.parse(await readFile(this.file, 'utf8')));
    } catch (cause) {
      throw new PostguardError(ErrorCodes.USERS_FILE, `${this.file} is not a valid credential file`, { cause });
    }
    this.cache = { stamp, data };
    return data;
  }

  /**
   * Applies `change` to a copy of the current content and writes the copy durably; resolves with what `change`
   * returned. Nothing is written when `shouldWrite(result)` is false (e.g. removing a name that is not there).
   */
  update<R>(change: (data: T) => R | Promise<R>, shouldWrite: (result: R) => boolean = () => true): Promise<R> {
    const run = this.chain.then(async () => {
      const data = structuredClone(await this.read());
      const result = await change(data);
      if (!shouldWrite(result)) return result;
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      await replaceFileDurably(this.file, JSON.stringify(data, null, 2) + '\n', {
        tmp: `${this.file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`,
        mode: 0o600,
        syncDir: path.dirname(this.file),
      });
      this.cache = null;
      return result;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
