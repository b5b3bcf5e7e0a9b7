/**
 * Console accounts in DATA_DIR/admins.json: scrypt password hashes, a role, and API tokens (stored as SHA-256
 * hashes; the token itself is shown once). The file is re-read when it changes, so `postguard admin add` takes
 * effect on a running server. Written atomically (temp file, fsync, rename), mode 0600.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { replaceFileDurably } from '../core/durable-file.js';
import path from 'node:path';
import { ErrorCodes, PostguardError } from '../core/errors.js';

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

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const MIN_PASSWORD = 10;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = encoded.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class AccountStore {
  private cache: { mtimeMs: number; data: AccountsFile } | null = null;
  private dummyHash: Promise<string> | null = null;

  constructor(readonly file: string) {}

  static forDataDir(dataDir: string): AccountStore {
    return new AccountStore(path.join(dataDir, 'admins.json'));
  }

  private async load(): Promise<AccountsFile> {
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(this.file)).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, accounts: [] };
      throw err;
    }
    if (this.cache && this.cache.mtimeMs === mtimeMs) return this.cache.data;
    let data: AccountsFile;
    try {
      data = JSON.parse(await readFile(this.file, 'utf8')) as AccountsFile;
    } catch (cause) {
      throw new PostguardError(ErrorCodes.USERS_FILE, `cannot read ${this.file}`, { cause });
    }
    if (data.version !== 1 || !Array.isArray(data.accounts)) {
      throw new PostguardError(ErrorCodes.USERS_FILE, `${this.file} has an unknown format`);
    }
    this.cache = { mtimeMs, data };
    return data;
  }

  private async save(data: AccountsFile): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await replaceFileDurably(this.file, JSON.stringify(data, null, 2) + '\n', { tmp: `${this.file}.tmp-${randomBytes(6).toString('hex')}` });
    this.cache = null;
  }

  async list(): Promise<AccountSummary[]> {
    return (await this.load()).accounts.map((a) => ({ name: a.name, role: a.role, created: a.created, tokens: a.tokens.length }));
  }

  /** Adds an account or replaces its password and role. */
  async add(name: string, role: Role, password: string): Promise<void> {
    if (!NAME_RE.test(name)) throw new PostguardError(ErrorCodes.USAGE, 'account names are 1-64 characters: letters, digits, . _ @ -');
    if (!ROLES.includes(role)) throw new PostguardError(ErrorCodes.USAGE, `role must be one of ${ROLES.join(', ')}`);
    if (password.length < MIN_PASSWORD) throw new PostguardError(ErrorCodes.USAGE, `passwords have at least ${MIN_PASSWORD} characters`);
    const data = structuredClone(await this.load());
    const hash = await hashPassword(password);
    const existing = data.accounts.find((a) => a.name === name);
    if (existing) {
      existing.role = role;
      existing.password = hash;
    } else {
      data.accounts.push({ name, role, password: hash, created: new Date().toISOString(), tokens: [] });
    }
    await this.save(data);
  }

  async remove(name: string): Promise<boolean> {
    const data = structuredClone(await this.load());
    const before = data.accounts.length;
    data.accounts = data.accounts.filter((a) => a.name !== name);
    if (data.accounts.length === before) return false;
    await this.save(data);
    return true;
  }

  /** A new API token for the account (shown once; only its hash is stored). */
  async createToken(name: string): Promise<string> {
    const data = structuredClone(await this.load());
    const acc = data.accounts.find((a) => a.name === name);
    if (!acc) throw new PostguardError(ErrorCodes.USAGE, `no account ${name}`);
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(24).toString('base64url');
    acc.tokens.push({ id, hash: sha256(secret), created: new Date().toISOString() });
    await this.save(data);
    return `pgt_${id}_${secret}`;
  }

  /** The account's current role, or null when it no longer exists (sessions check this on every request). */
  async roleOf(name: string): Promise<Role | null> {
    return (await this.load()).accounts.find((a) => a.name === name)?.role ?? null;
  }

  async checkPassword(name: string, password: string): Promise<Principal | null> {
    const acc = (await this.load()).accounts.find((a) => a.name === name);
    if (!acc) {
      // Same work for unknown names: no account enumeration by timing.
      this.dummyHash ??= hashPassword(randomBytes(12).toString('hex'));
      await verifyPassword(password, await this.dummyHash);
      return null;
    }
    return (await verifyPassword(password, acc.password)) ? { name: acc.name, role: acc.role, via: 'password' } : null;
  }

  async checkToken(token: string): Promise<Principal | null> {
    const m = /^pgt_([0-9a-f]{12})_([A-Za-z0-9_-]{10,})$/.exec(token);
    if (!m) return null;
    const [, id, secret] = m;
    const want = Buffer.from(sha256(secret ?? ''), 'hex');
    for (const acc of (await this.load()).accounts) {
      for (const t of acc.tokens) {
        if (t.id === id && timingSafeEqual(Buffer.from(t.hash, 'hex'), want)) return { name: acc.name, role: acc.role, via: 'token' };
      }
    }
    return null;
  }
}
