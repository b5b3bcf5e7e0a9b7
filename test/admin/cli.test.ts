import { writeFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/admin/accounts.js';
import { registerAdminCommand } from '../../src/cli/commands/admin.js';
import { tempDir } from '../quarantine/helpers.js';

describe('postguard admin', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let output: string[];
  const origError = console.error;
  let errors: string[];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    output = [];
    errors = [];
    console.error = (...a: unknown[]) => void errors.push(a.join(' '));
    process.exitCode = undefined;
  });
  afterEach(async () => {
    console.error = origError;
    process.exitCode = undefined;
    await cleanup();
  });

  const cli = async (stdin: string, ...args: string[]) => {
    output.length = 0;
    const program = new Command().exitOverride();
    registerAdminCommand(program, {
      openAccounts: async () => AccountStore.forDataDir(dir),
      stdin: Readable.from([stdin]),
      out: (t) => void output.push(t),
    });
    await program.parseAsync(['node', 'postguard', ...args]);
    return output.join('');
  };

  it('adds (stdin or file), lists, issues tokens and removes accounts with scrypt hashes in a 0600 file', async () => {
    await cli('correct horse battery\n', 'admin', 'add', 'alice', '--role', 'admin');
    const pwFile = path.join(dir, 'pw.txt');
    await writeFile(pwFile, 'another long secret\n');
    await cli('', 'admin', 'add', 'victor', '--role', 'viewer', '--password-file', pwFile);
    const file = path.join(dir, 'admins.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await (await import('node:fs/promises')).readFile(file, 'utf8');
    expect(text).not.toContain('correct horse');
    expect(text).toMatch(/"password": "scrypt\$16384\$8\$1\$/);
    const accounts = AccountStore.forDataDir(dir);
    expect(await accounts.checkPassword('alice', 'correct horse battery')).toMatchObject({
      name: 'alice',
      role: 'admin',
    });
    expect(await accounts.checkPassword('alice', 'wrong password!!')).toBeNull();
    expect(await accounts.checkPassword('victor', 'another long secret')).toMatchObject({ role: 'viewer' });
    expect(await cli('', 'admin', 'list')).toMatch(/alice {2}admin[\s\S]*victor {2}viewer/);
    const token = (await cli('', 'admin', 'token', 'alice')).trim();
    expect(await accounts.checkToken(token)).toMatchObject({ name: 'alice', via: 'token' });
    await cli('', 'admin', 'remove', 'alice');
    expect(await accounts.checkToken(token)).toBeNull();
    expect(await accounts.checkPassword('alice', 'correct horse battery')).toBeNull();
    expect((await accounts.list()).map((a) => a.name)).toEqual(['victor']);
  });

  it('refuses bad roles, short passwords and unknown accounts', async () => {
    await cli('correct horse battery\n', 'admin', 'add', 'bob', '--role', 'root');
    expect(process.exitCode).toBe(2);
    process.exitCode = undefined;
    await cli('short\n', 'admin', 'add', 'bob', '--role', 'viewer');
    expect(process.exitCode).toBe(2);
    expect(errors.join('\n')).toMatch(/at least 10 characters/);
    process.exitCode = undefined;
    await cli('', 'admin', 'remove', 'ghost');
    expect(process.exitCode).toBe(2);
    expect(await AccountStore.forDataDir(dir).list()).toEqual([]);
  });
});
