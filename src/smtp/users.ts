/**
 * SMTP AUTH users: a JSON file of scrypt hashes (`postguard user add|remove|list`). Written atomically (temp +
 * rename, mode 0600); re-read when its mtime changes, so users added while the relay runs can log in at once.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../core/scrypt.js';

interface UsersFile {
  version: 1;
  users: Record<string, { hash: string; created: string }>;
}

const NAME = /^[A-Za-z0-9._@+-]{1,128}$/;

export class UserStore {
  private cache: UsersFile | null = null;
  private cacheMtime = -1;

  constructor(readonly file: string) {}

  private read(): UsersFile {
    let mtime: number;
    try {
      mtime = statSync(this.file).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, users: {} };
      throw new PostguardError(ErrorCodes.USERS_FILE, `cannot read users file ${this.file}`, { cause: err });
    }
    if (this.cache && mtime === this.cacheMtime) return this.cache;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as UsersFile;
      if (!parsed || typeof parsed.users !== 'object') throw new Error('no users object');
      this.cache = parsed;
      this.cacheMtime = mtime;
      return parsed;
    } catch (err) {
      throw new PostguardError(ErrorCodes.USERS_FILE, `users file ${this.file} is not valid`, { cause: err });
    }
  }

  private write(data: UsersFile): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
    this.cache = null;
  }

  list(): string[] {
    return Object.keys(this.read().users).sort();
  }

  async add(name: string, password: string): Promise<void> {
    if (!NAME.test(name)) throw new PostguardError(ErrorCodes.USAGE, 'user names are 1-128 characters of letters, digits and . _ @ + -');
    if (password.length < 8) throw new PostguardError(ErrorCodes.USAGE, 'passwords need at least 8 characters');
    const data = this.read();
    data.users[name] = { hash: await hashPassword(password), created: new Date().toISOString() };
    this.write(data);
  }

  remove(name: string): boolean {
    const data = this.read();
    if (!data.users[name]) return false;
    delete data.users[name];
    this.write(data);
    return true;
  }

  /** Constant-work check: unknown users cost the same scrypt as known ones. */
  async verify(name: string, password: string): Promise<boolean> {
    const entry = this.read().users[name];
    const ok = await verifyPassword(password, entry?.hash ?? DUMMY_HASH);
    return ok && entry !== undefined;
  }
}
