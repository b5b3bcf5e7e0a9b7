import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerDirectoryCommand } from '../../src/cli/commands/directory.js';
import { customer, removeDir, tempDir, writeCsv } from './helpers.js';

describe('postguard directory …', () => {
  let tmp: string;
  let out: string[];
  const program = (): Command => {
    const p = new Command('postguard').exitOverride();
    registerDirectoryCommand(
      p,
      async (cmd) => ({
        dataDir: join(tmp, 'data'),
        secret: 'cli-secret-0123456789',
        defaultRegion: String(cmd.optsWithGlobals().region ?? 'US'),
      }),
      (c) => c.option('--data-dir <dir>'),
    );
    return p;
  };
  const run = async (...args: string[]): Promise<string> => {
    out = [];
    process.exitCode = undefined;
    await program().parseAsync(['node', 'postguard', 'directory', ...args]);
    return out.join('\n');
  };

  beforeAll(async () => {
    tmp = await tempDir('pg-cli-');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });
  afterAll(async () => removeDir(tmp));

  it('imports, shows stats, looks up (exit 1 when not found) and removes', async () => {
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const rows = Array.from({ length: 20 }, (_, i) => customer(i));
    const file = await writeCsv(tmp, 'c.csv', rows as unknown as Record<string, string>[]);
    const imported = await run('import', file, '--replace');
    expect(imported).toMatch(/customers\s+20 in file, 20 in directory/);
    for (const r of rows) expect(imported).not.toContain(r.email);

    const stats = JSON.parse(await run('stats', '--json')) as { customers: number; values: Record<string, number> };
    expect(stats.customers).toBe(20);
    expect(stats.values.email).toBe(20);

    expect(await run('lookup', rows[2]!.email.toUpperCase())).toBe(`email\t${rows[2]!.customer_id}`);
    expect(process.exitCode).toBeUndefined();
    // a US customer's phone in national format (default region US)
    expect(await run('lookup', rows[4]!.phone, '--kind', 'phone')).toBe(`phone\t${rows[4]!.customer_id}`);
    expect(await run('lookup', 'nobody@nowhere.example')).toBe('not found');
    expect(process.exitCode).toBe(1);

    expect(await run('remove', rows[2]!.customer_id, 'unknown')).toBe('removed 1 of 2 customer(s)');
    expect(await run('lookup', rows[2]!.email)).toBe('not found');
  });

  it('rejects a bad --format as a usage error', async () => {
    await expect(run('import', 'x.csv', '--format', 'xml')).rejects.toMatchObject({ code: 'EPG_USAGE' });
  });
});
