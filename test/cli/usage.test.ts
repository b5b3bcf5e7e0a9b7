/**
 * Usage mistakes as a user meets them: the real binary, one line on stderr naming the mistake and the command's
 * --help, exit code 2, nothing done. Numbers and durations are checked before anything is opened.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { durationArg, intArg, sinceArg } from '../../src/cli/usage.js';
import { runCli } from './run.js';

const cwd = mkdtempSync(join(tmpdir(), 'pg-cli-usage-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('usage mistakes', () => {
  it.each([
    [
      ['quarantine', 'list', '--limit', '-3'],
      /--limit.*'-3' is invalid\. must be at least 1 \(see 'postguard quarantine list --help'\)$/,
    ],
    [
      ['quarantine', 'list', '--limit', 'abc'],
      /--limit.*expected a whole number, got "abc" \(see 'postguard quarantine list --help'\)$/,
    ],
    [['quarantine', 'list', '--limit', '0'], /must be at least 1/],
    [['quarantine', 'list', '--since', 'yesterday'], /--since.*expected an ISO date .* or a duration ago/],
    [['quarantine', 'show'], /^postguard: missing required argument 'id' \(see 'postguard quarantine show --help'\)$/],
    [
      ['quarantine', 'release', 'q1'],
      /required option '--reason <text>' not specified \(see 'postguard quarantine release --help'\)$/,
    ],
    [
      ['quarantine', 'list', '--bogus'],
      /^postguard: unknown option '--bogus' \(see 'postguard quarantine list --help'\)$/,
    ],
    [['frobnicate'], /^postguard: unknown command 'frobnicate' \(see 'postguard --help'\)$/],
    [
      ['serve', '--upstream-timeout', 'soon'],
      /config key "upstreamTimeout" \(flag --upstream-timeout\): expected a duration .*\(see 'postguard serve --help'\)$/,
    ],
    [
      ['serve', '--workers', 'many'],
      /\(flag --workers\): expected a whole number, got "many" \(see 'postguard serve --help'\)$/,
    ],
    [
      ['quarantine', 'list', '--status', 'lost'],
      /--status must be one of .* \(see 'postguard quarantine list --help'\)$/,
    ],
  ])(
    '%j: one line, exit 2, nothing printed on stdout',
    async (args, expected) => {
      const r = await runCli(args, { cwd });
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toMatch(expected);
      expect(r.stdout).toBe('');
    },
    60_000,
  );

  it('shows duration defaults in the unit they are read in, and says a bare number is seconds', async () => {
    const r = await runCli(['serve', '--help'], { cwd });
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes('--upstream-timeout'))!;
    expect(line).toContain('[default: 30s]');
    expect(r.stdout).toMatch(/a bare number is seconds/);
    expect(r.stdout).not.toMatch(/default: 30000\]/);
  }, 60_000);
});

describe('running the command after install (README)', () => {
  it("`npx postguard` runs the package's own command in its folder", async () => {
    const r = await new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn('npx', ['--no-install', 'postguard', '--version'], {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => done({ code, out }));
    });
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe('0.1.0');
  }, 60_000);
});

describe('option parsers', () => {
  it('reads whole numbers within bounds only', () => {
    const limit = intArg(1, 1000);
    expect(limit('25')).toBe(25);
    for (const bad of ['-3', '0', 'abc', '2.5', '1e3', '', '1001']) expect(() => limit(bad)).toThrow();
  });

  it('reads durations with units; a bare number is seconds', () => {
    const d = durationArg();
    expect(d('500ms')).toBe(500);
    expect(d('30s')).toBe(30_000);
    expect(d('5m')).toBe(300_000);
    expect(d('2h')).toBe(7_200_000);
    expect(d('400d')).toBe(400 * 86_400_000);
    expect(d('30')).toBe(30_000);
    for (const bad of ['-5s', '5 weeks', 'soon', '']) expect(() => d(bad)).toThrow();
  });

  it('reads a point in time as an ISO date or a duration ago', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const since = sinceArg(() => now);
    expect(since('2h').toISOString()).toBe('2026-06-01T10:00:00.000Z');
    expect(since('30d').toISOString()).toBe('2026-05-02T12:00:00.000Z');
    expect(since('2026-05-01T00:00:00Z').toISOString()).toBe('2026-05-01T00:00:00.000Z');
    for (const bad of ['yesterday', '12', '2026-13-45']) expect(() => since(bad)).toThrow();
  });
});
