import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPrivatePath, secureDataDir } from '../../src/core/data-dir.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pg-datadir-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const mode = (p: string): number => statSync(p).mode & 0o777;

describe('secureDataDir', () => {
  it('creates missing folders 0700 under umask 000', async () => {
    const data = join(tmp(), 'a', 'data');
    const before = process.umask(0);
    try {
      await secureDataDir(data);
    } finally {
      process.umask(before);
    }
    expect(mode(data)).toBe(0o700);
    expect(mode(join(data, '..'))).toBe(0o700);
  });

  it('accepts a private folder untouched, and checks a users file kept elsewhere', async () => {
    const data = tmp();
    writeFileSync(join(data, 'admins.json'), '{}', { mode: 0o600 });
    expect(await secureDataDir(data)).toEqual([]);
    const elsewhere = join(tmp(), 'users.json');
    writeFileSync(elsewhere, '{}');
    chmodSync(elsewhere, 0o666);
    await expect(secureDataDir(data, [elsewhere])).rejects.toMatchObject({
      code: 'EPG_UNSAFE_PERMISSIONS',
      message: expect.stringContaining(`${elsewhere} is writable by group or others (mode 0666)`),
    });
  });

  it('follows a symlinked credential file to its target (a link to a file of another user is refused)', async () => {
    const data = tmp();
    const target = join(tmp(), 'planted.json');
    writeFileSync(target, '{}', { mode: 0o600 });
    chownSync(target, 65534, 65534);
    symlinkSync(target, join(data, 'admins.json'));
    await expect(secureDataDir(data)).rejects.toThrow(/admins\.json is owned by uid 65534/);
  });
});

describe('checkPrivatePath', () => {
  it('is fine with a missing path, narrows a readable one, refuses a writable one', async () => {
    const d = tmp();
    expect(await checkPrivatePath(join(d, 'none.key'), 0o600)).toBe(false);
    const f = join(d, 'x.key');
    writeFileSync(f, 'k');
    chmodSync(f, 0o640);
    expect(await checkPrivatePath(f, 0o600)).toBe(true);
    expect(mode(f)).toBe(0o600);
    chmodSync(f, 0o620);
    await expect(checkPrivatePath(f, 0o600)).rejects.toThrow(`${f} is writable by group or others (mode 0620)`);
  });
});
