/**
 * SMTP AUTH users (`postguard user add|remove|list`): scrypt hashes (core/password.ts) in a durable JSON
 * credential file (core/credential-file.ts), re-read when it changes, so users added while the relay runs can log
 * in at once.
 */
import { CredentialFile } from '../core/credential-file.js';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../core/password.js';

interface UsersFile {
  version: 1;
  users: Record<string, { hash: string; created: string }>;
}

const NAME = /^[A-Za-z0-9._@+-]{1,128}$/;
export const MIN_USER_PASSWORD = 8;

const FORMAT = {
  empty: (): UsersFile => ({ version: 1, users: {} }),
  validate(parsed: unknown): UsersFile {
    const f = parsed as UsersFile;
    if (!f || typeof f.users !== 'object' || f.users === null || Array.isArray(f.users))
      throw new Error('no users object');
    return f;
  },
};

export class UserStore {
  private readonly credentials: CredentialFile<UsersFile>;

  constructor(readonly file: string) {
    this.credentials = new CredentialFile(file, FORMAT);
  }

  async list(): Promise<string[]> {
    return Object.keys((await this.credentials.read()).users).sort();
  }

  async add(name: string, password: string): Promise<void> {
    if (!NAME.test(name))
      throw new PostguardError(ErrorCodes.USAGE, 'user names are 1-128 characters of letters, digits and . _ @ + -');
    if (password.length < MIN_USER_PASSWORD)
      throw new PostguardError(ErrorCodes.USAGE, `passwords need at least ${MIN_USER_PASSWORD} characters`);
    const hash = await hashPassword(password);
    await this.credentials.update((data) => {
      data.users[name] = { hash, created: new Date().toISOString() };
    });
  }

  async remove(name: string): Promise<boolean> {
    return this.credentials.update(
      (data) => {
        if (!Object.hasOwn(data.users, name)) return false;
        delete data.users[name];
        return true;
      },
      (removed) => removed,
    );
  }

  /** Constant-work check: unknown users cost the same scrypt as known ones. */
  async verify(name: string, password: string): Promise<boolean> {
    const users = (await this.credentials.read()).users;
    const entry = Object.hasOwn(users, name) ? users[name] : undefined;
    const ok = await verifyPassword(password, entry?.hash ?? DUMMY_HASH);
    return ok && entry !== undefined;
  }
}
