/**
 * The listing commands' --json, `policy test` on a missing folder, `directory import` with a format that does not
 * fit the file, and `quarantine list` filters: the real binary over a real data folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openQuarantine } from '../../src/quarantine/index.js';
import { makeMessage, makeVerdict } from '../quarantine/helpers.js';
import { runCli } from './run.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'pg-cli-cmd-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

const T = 90_000;

describe('--json on every listing command', () => {
  it(
    'user list, admin list, directory stats and lookup, policy check and quarantine list print parseable JSON',
    async () => {
      expect(JSON.parse((await runCli(['user', 'list', '--json'], { cwd })).stdout)).toEqual([]);
      expect((await runCli(['user', 'add', 'helpdesk'], { cwd, input: 'a long enough password\n' })).code).toBe(0);
      expect(JSON.parse((await runCli(['user', 'list', '--json'], { cwd })).stdout)).toEqual(['helpdesk']);

      expect(
        (await runCli(['admin', 'add', 'alice', '--role', 'viewer'], { cwd, input: 'correct horse battery\n' })).code,
      ).toBe(0);
      const admins = JSON.parse((await runCli(['admin', 'list', '--json'], { cwd })).stdout) as {
        name: string;
        role: string;
      }[];
      expect(admins.map((a) => [a.name, a.role])).toEqual([['alice', 'viewer']]);

      writeFileSync(join(cwd, 'c.csv'), 'id,email\nc-1,jane@example.com\nc-2,john@example.org\n');
      expect((await runCli(['directory', 'import', 'c.csv'], { cwd })).code).toBe(0);
      const stats = JSON.parse((await runCli(['directory', 'stats', '--json'], { cwd })).stdout) as {
        customers: number;
      };
      expect(stats.customers).toBe(2);
      const hit = await runCli(['directory', 'lookup', 'Jane@Example.com', '--json'], { cwd });
      expect(hit.code).toBe(0);
      expect(JSON.parse(hit.stdout)).toEqual({ found: true, matches: { email: ['c-1'] } });
      const miss = await runCli(['directory', 'lookup', 'nobody@example.net', '--json'], { cwd });
      expect(miss.code).toBe(1);
      expect(JSON.parse(miss.stdout)).toEqual({ found: false, matches: {} });

      const policy = await runCli(['policy', 'check', '--json'], { cwd });
      expect(policy.code).toBe(0);
      const rules = (JSON.parse(policy.stdout) as { rules: { id: string; action: string }[] }).rules;
      expect(rules.length).toBeGreaterThan(0);
      expect(rules.every((r) => typeof r.id === 'string' && typeof r.action === 'string')).toBe(true);

      const store = await openQuarantine({ dataDir: join(cwd, 'data') });
      await store.hold(makeMessage(), makeVerdict());
      await store.close();
      const lines = (await runCli(['quarantine', 'list', '--json'], { cwd })).stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ status: 'held', rules: ['foreign-data'] });
    },
    T,
  );
});

describe('quarantine list filters', () => {
  it(
    '--limit caps the list; --since/--until take a duration ago',
    async () => {
      const store = await openQuarantine({ dataDir: join(cwd, 'data') });
      for (let i = 0; i < 3; i++) await store.hold(makeMessage(), makeVerdict());
      await store.close();
      const count = async (...args: string[]) => {
        const r = await runCli(['quarantine', 'list', '--json', ...args], { cwd });
        expect(r.code).toBe(0);
        return r.stdout.trim() ? r.stdout.trim().split('\n').length : 0;
      };
      expect(await count()).toBe(3);
      expect(await count('--limit', '2')).toBe(2);
      expect(await count('--since', '1h')).toBe(3);
      expect(await count('--until', '1h')).toBe(0);
      expect(await count('--since', '2000-01-01')).toBe(3);
    },
    T,
  );
});

describe('policy test', () => {
  it(
    'names a missing folder instead of "unexpected error: ENOENT"',
    async () => {
      const r = await runCli(['policy', 'test', 'no-such-folder'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        "postguard: cannot read folder no-such-folder: no such file or folder (see 'postguard policy test --help')",
      );
    },
    T,
  );

  it(
    'names a missing labels file',
    async () => {
      const r = await runCli(['policy', 'test', '.', '--labels', 'labels.csv'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot read labels file labels\.csv: no such file or folder/);
      expect(r.stderr).not.toMatch(/unexpected error/);
    },
    T,
  );
});

describe('directory import: format and file must agree', () => {
  it(
    'refuses a CSV file read as JSON Lines, and keeps the directory as it was (even with --replace)',
    async () => {
      writeFileSync(join(cwd, 'c.csv'), 'id,email\nc-1,jane@example.com\n');
      expect((await runCli(['directory', 'import', 'c.csv'], { cwd })).code).toBe(0);
      writeFileSync(join(cwd, 'x.csv'), 'id,email\nc-9,nine@example.com\n');
      const r = await runCli(['directory', 'import', 'x.csv', '--format', 'jsonl', '--replace'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        "postguard: x.csv is read as JSON Lines (--format jsonl) but its first line is not a JSON object: use --format csv (see 'postguard directory import --help')",
      );
      const stats = JSON.parse((await runCli(['directory', 'stats', '--json'], { cwd })).stdout) as {
        customers: number;
      };
      expect(stats.customers).toBe(1);
    },
    T,
  );

  it(
    'refuses JSON Lines in a file named .csv, and a missing file, with a clear line',
    async () => {
      writeFileSync(join(cwd, 'export.csv'), '{"id":"c-1","email":"jane@example.com"}\n');
      const r = await runCli(['directory', 'import', 'export.csv'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /export\.csv is read as CSV \(by its file name\) but its first line is a JSON object: use --format jsonl/,
      );
      expect((await runCli(['directory', 'import', 'export.csv', '--format', 'jsonl'], { cwd })).code).toBe(0);

      const missing = await runCli(['directory', 'import', 'gone.csv'], { cwd });
      expect(missing.code).toBe(2);
      expect(missing.stderr.trim()).toBe(
        "postguard: cannot read gone.csv: no such file (see 'postguard directory import --help')",
      );
    },
    T,
  );
});
