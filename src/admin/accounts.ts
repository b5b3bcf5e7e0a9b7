/**
 * Console accounts in DATA_DIR/admins.json: scrypt password hashes, a role, and API tokens (stored as SHA-256
 * hashes; the token itself is shown once). Passwords are hashed by core/password.ts and the file is kept by
 * core/credential-file.ts (durable, re-read when it changes, so `postguard admin add` takes effect on a running
 * server), the same two modules as the SMTP AUTH users.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { CredentialFile } from '../core/credential-file.js';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../core/password.js';

export const ROLES = ['viewer', 'releaser', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, releaser: 1, admin: 2 };
/** True when `role` includes the rights of `needed` (admin ⊃ releaser ⊃ viewer). */
export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export interface Principal {
  name: string;
  role: Role;
  /** 'password' (console session) or 'token' (API token). */
  via: 'password' | 'token';
}

interface StoredToken {
  id: string;
  hash: string;
  created: string;
}

interface StoredAccount {
  name: string;
  role: Role;
  password: string;
  created: string;
  tokens: StoredToken[];
}

interface AccountsFile {
  version: 1;
  accounts: StoredAccount[];
}

export interface AccountSummary {
  name: string;
  role: Role;
  created: string;
  tokens: number;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const MIN_PASSWORD = 10;

const FORMAT = {
  empty: (): AccountsFile => ({ version: 1, accounts: [] }),
  validate(parsed: unknown): AccountsFile {
    const f = parsed as AccountsFile;
    if (!f || f.version !== 1 || !Array.isArray(f.accounts)) throw new Error('unknown format');
    return f;
  },
};

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class AccountStore {
  private readonly credentials: CredentialFile<AccountsFile>;

  constructor(readonly file: string) {
    this.credentials = new CredentialFile(file, FORMAT);
  }

  static forDataDir(dataDir: string): AccountStore {
    return new AccountStore(path.join(dataDir, 'admins.json'));
  }

  async list(): Promise<AccountSummary[]> {
    return (await this.credentials.read()).accounts.map((a) => ({
      name: a.name,
      role: a.role,
      created: a.created,
      tokens: a.tokens.length,
    }));
  }

  /** Adds an account or replaces its password and role. */
  async add(name: string, role: Role, password: string): Promise<void> {
    if (!NAME_RE.test(name))
      throw new PostguardError(ErrorCodes.USAGE, 'account names are 1-64 characters: letters, digits, . _ @ -');
    if (!ROLES.includes(role)) throw new PostguardError(ErrorCodes.USAGE, `role must be one of ${ROLES.join(', ')}`);
    if (password.length < MIN_PASSWORD)
      throw new PostguardError(ErrorCodes.USAGE, `passwords have at least ${MIN_PASSWORD} characters`);
    const hash = await hashPassword(password);
    await this.credentials.update((data) => {
      const existing = data.accounts.find((a) => a.name === name);
      if (existing) {
        existing.role = role;
        existing.password = hash;
      } else {
        data.accounts.push({ name, role, password: hash, created: new Date().toISOString(), tokens: [] });
      }
    });
  }

  async remove(name: string): Promise<boolean> {
    return this.credentials.update(
      (data) => {
        const before = data.accounts.length;
        data.accounts = data.accounts.filter((a) => a.name !== name);
        return data.accounts.length !== before;
      },
      (removed) => removed,
    );
  }

  /** A new API token for the account (shown once; only its hash is stored). */
  async createToken(name: string): Promise<string> {
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(24).toString('base64url');
    await this.credentials.update((data) => {
      const acc = data.accounts.find((a) => a.name === name);
      if (!acc) throw new PostguardError(ErrorCodes.USAGE, `no account ${name}`);
      acc.tokens.push({ id, hash: sha256(secret), created: new Date().toISOString() });
    });
    return `pgt_${id}_${secret}`;
  }

  /** The account's current role, or null when it no longer exists (sessions check this on every request). */
  async roleOf(name: string): Promise<Role | null> {
    return (await this.credentials.read()).accounts.find((a) => a.name === name)?.role ?? null;
  }

  /**
   * A fingerprint of the account's credentials (role and password hash): a session remembers it at login and
   * ends when it changes, also when the change was made by another process (`postguard admin add` on the CLI).
   */
  async credentialStamp(name: string): Promise<string | null> {
    const acc = (await this.credentials.read()).accounts.find((a) => a.name === name);
    return acc ? sha256(`${acc.role}\n${acc.password}`) : null;
  }

  async checkPassword(name: string, password: string): Promise<Principal | null> {
    const acc = (await this.credentials.read()).accounts.find((a) => a.name === name);
    // Same work for unknown names: no account enumeration by timing.
    const ok = await verifyPassword(password, acc?.password ?? DUMMY_HASH);
    return ok && acc ? { name: acc.name, role: acc.role, via: 'password' } : null;
  }

  async checkToken(token: string): Promise<Principal | null> {
    const m = /^pgt_([0-9a-f]{12})_([A-Za-z0-9_-]{10,})$/.exec(token);
    if (!m) return null;
    const [, id, secret] = m;
    const want = Buffer.from(sha256(secret ?? ''), 'hex');
    for (const acc of (await this.credentials.read()).accounts) {
      for (const t of acc.tokens) {
        if (t.id === id && timingSafeEqual(Buffer.from(t.hash, 'hex'), want))
          return { name: acc.name, role: acc.role, via: 'token' };
      }
    }
    return null;
  }
}
