import { mkdtemp, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/admin/accounts.js';
import { ErrorCodes } from '../../src/core/errors.js';
import { UserStore } from '../../src/smtp/users.js';

describe('credential files (SMTP users and console accounts)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pg-cred-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps verifying users.json and admins.json written before the merge', async () => {
    const hash = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$LPDRs+d7MJ+D4v778lUnSsMuTt3eMzZtYlcDVF6agWU=';
    await writeFile(
      path.join(dir, 'users.json'),
      JSON.stringify({ version: 1, users: { helpdesk: { hash, created: '2026-01-01T00:00:00.000Z' } } }),
    );
    await writeFile(
      path.join(dir, 'admins.json'),
      JSON.stringify({
        version: 1,
        accounts: [{ name: 'alice', role: 'admin', password: hash, created: '2026-01-01T00:00:00.000Z', tokens: [] }],
      }),
    );
    const users = new UserStore(path.join(dir, 'users.json'));
    expect(await users.verify('helpdesk', 'correct horse battery')).toBe(true);
    expect(await users.verify('helpdesk', 'wrong horse battery')).toBe(false);
    expect(await users.verify('nobody', 'correct horse battery')).toBe(false);
    const accounts = AccountStore.forDataDir(dir);
    expect(await accounts.checkPassword('alice', 'correct horse battery')).toEqual({
      name: 'alice',
      role: 'admin',
      via: 'password',
    });
    expect(await accounts.checkPassword('alice', 'wrong')).toBeNull();
  });

  it('writes 0600 files without temp leftovers, and a running reader sees changes made by another store', async () => {
    const file = path.join(dir, 'users.json');
    const server = new UserStore(file);
    const cli = new UserStore(file);
    expect(await server.verify('agent', 'password-1')).toBe(false);
    await cli.add('agent', 'password-1');
    expect(await server.verify('agent', 'password-1')).toBe(true);
    await cli.add('agent', 'password-2'); // same size, possibly same mtime: the inode changes
    expect(await server.verify('agent', 'password-1')).toBe(false);
    expect(await server.verify('agent', 'password-2')).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['users.json']);
    expect(await cli.remove('agent')).toBe(true);
    expect(await cli.remove('agent')).toBe(false);
    expect(await server.list()).toEqual([]);
  });

  it('keeps every one of many concurrent adds (updates are serialised)', async () => {
    const users = new UserStore(path.join(dir, 'users.json'));
    await Promise.all(Array.from({ length: 8 }, (_, i) => users.add(`u${i}`, `password-${i}`)));
    expect(await users.list()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7']);
    const onDisk = JSON.parse(await readFile(path.join(dir, 'users.json'), 'utf8')) as {
      users: Record<string, unknown>;
    };
    expect(Object.keys(onDisk.users)).toHaveLength(8);
  });

  it('fails with a typed error on a corrupt file instead of treating it as empty', async () => {
    await writeFile(path.join(dir, 'users.json'), '{"users": nope');
    await expect(new UserStore(path.join(dir, 'users.json')).verify('a', 'b')).rejects.toMatchObject({
      code: ErrorCodes.USERS_FILE,
    });
    await writeFile(path.join(dir, 'admins.json'), '{"version": 2, "accounts": []}');
    await expect(AccountStore.forDataDir(dir).list()).rejects.toMatchObject({ code: ErrorCodes.USERS_FILE });
  });
});
