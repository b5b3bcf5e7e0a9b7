/**
 * Embedded store: DATA_DIR/directory/snapshot.bin, replaced atomically (temp file + fsync + rename + directory
 * fsync). A watcher reloads the index when another process (e.g. `postguard directory import` while the relay
 * runs) swaps the file.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { replaceFileDurably } from '../core/durable-file.js';
import { join } from 'node:path';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { CompactIndex } from './compact-index.js';
import { keyFormatOf } from './key-format.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import { newVersion, type DirectoryStore, type LoadedSnapshot, type StoreListener } from './store.js';

export const SNAPSHOT_FILE = 'snapshot.bin';

export class EmbeddedStore implements DirectoryStore {
  readonly kind = 'embedded' as const;
  private readonly dir: string;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastVersion = '';

  constructor(
    dataDir: string,
    private readonly secretCheck: string,
  ) {
    this.dir = join(dataDir, 'directory');
  }

  get file(): string {
    return join(this.dir, SNAPSHOT_FILE);
  }

  get location(): string {
    return this.file;
  }

  async load(): Promise<LoadedSnapshot | null> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    let buf: Buffer;
    try {
      buf = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new PostguardError(ErrorCodes.DIRECTORY, `cannot read ${this.file}`, { cause: err });
    }
    const { header, index } = decodeSnapshot(buf);
    if (header.secretCheck !== this.secretCheck) {
      throw new PostguardError(
        ErrorCodes.SECRET,
        `${this.file} was written with a different directory secret; re-import the directory or restore the key`,
      );
    }
    this.lastVersion = header.version;
    return { index, version: header.version, keyFormat: keyFormatOf(header.keyFormat) };
  }

  async commit(next: CompactIndex): Promise<string> {
    const version = newVersion();
    const parts = encodeSnapshot(next, { version, secretCheck: this.secretCheck });
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `.${SNAPSHOT_FILE}.${process.pid}.${version}.tmp`);
    try {
      // lastVersion is set before the rename so this process's own watcher ignores the change it makes
      this.lastVersion = version;
      await replaceFileDurably(this.file, parts, { tmp, syncDir: this.dir });
    } catch (err) {
      throw new PostguardError(ErrorCodes.DIRECTORY, `cannot write ${this.file}`, { cause: err });
    }
    return version;
  }

  follow(listener: StoreListener): Promise<void> {
    if (this.watcher) return Promise.resolve();
    try {
      this.watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        if (name !== SNAPSHOT_FILE) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload(listener), 100);
        this.timer.unref();
      });
      this.watcher.on('error', (err) => listener.onError(err));
    } catch (err) {
      listener.onError(err);
    }
    return Promise.resolve();
  }

  private async reload(listener: StoreListener): Promise<void> {
    try {
      const before = this.lastVersion;
      const buf = await readFile(this.file).catch(() => null);
      if (!buf) return;
      const { header, index } = decodeSnapshot(buf);
      if (header.version === before || header.version === this.lastVersion) return;
      if (header.secretCheck !== this.secretCheck) {
        throw new PostguardError(ErrorCodes.SECRET, `${this.file} was written with a different directory secret`);
      }
      this.lastVersion = header.version;
      listener.onSnapshot({ index, version: header.version, keyFormat: keyFormatOf(header.keyFormat) });
    } catch (err) {
      listener.onError(err);
    }
  }

  private metaFile(name: string): string {
    return join(this.dir, `meta-${name.replace(/[^a-z0-9-]/gi, '_')}.json`);
  }

  async readMeta(name: string): Promise<string | null> {
    try {
      return await readFile(this.metaFile(name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new PostguardError(ErrorCodes.DIRECTORY, `cannot read ${this.metaFile(name)}`, { cause: err });
    }
  }

  async writeMeta(name: string, value: string): Promise<void> {
    const file = this.metaFile(name);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      await replaceFileDurably(file, value, {
        tmp: `${file}.${process.pid}.${newVersion()}.tmp`,
        mode: 0o600,
        syncDir: this.dir,
      });
    } catch (err) {
      throw new PostguardError(ErrorCodes.DIRECTORY, `cannot write ${file}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }
}
