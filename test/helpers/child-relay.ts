/**
 * The built CLI (`node dist/src/cli/main.js serve …`) as a child process, for tests that kill, restart or starve
 * the relay from outside: free loopback ports, log capture (stdout + stderr), readiness wait, SIGKILL/SIGTERM, and
 * cleanup of every child and temp dir even when a test fails (call `cleanupChildren()` in afterAll/afterEach).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve('dist/src/cli/main.js');
export const POLICIES = resolve('policies');

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

export function tempDir(prefix = 'pg-rel-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

/** A port that was free a moment ago (bind 0, read, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export async function waitUntil(
  pred: () => boolean | Promise<boolean>,
  ms = 15_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ChildRelay {
  child: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr). */
  out(): string;
  /** stdout only (pino JSON lines). */
  stdout(): string;
  smtpPort: number;
  adminPort?: number;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ChildRelayOptions {
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Wait for the "postguard relay listening" line (default true). */
  waitReady?: boolean;
  readyTimeoutMs?: number;
}

/** Starts `postguard serve ARGS` and waits until it listens. ARGS should include --listen and --data-dir. */
export async function startChildRelay(opts: ChildRelayOptions): Promise<ChildRelay> {
  const child = spawn(process.execPath, [BIN, 'serve', ...opts.args], {
    cwd: opts.cwd ?? process.cwd(),
    env: { ...process.env, POSTGUARD_LOG_LEVEL: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let all = '';
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    all += d.toString();
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => (all += d.toString()));
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      children.delete(child);
      r(code);
    }),
  );
  let dead = false;
  void exited.then(() => (dead = true));
  const relay: ChildRelay = {
    child,
    out: () => all,
    stdout: () => out,
    smtpPort: 0,
    exited,
    async kill(signal = 'SIGKILL') {
      if (!dead) child.kill(signal);
      await exited;
    },
  };
  if (opts.waitReady !== false) {
    try {
      await waitUntil(
        () => dead || /postguard relay listening/.test(all),
        opts.readyTimeoutMs ?? 30_000,
        'relay start',
      );
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}; output:\n${all.slice(-3000)}`);
    }
    if (dead) throw new Error(`relay exited during start; output:\n${all.slice(-3000)}`);
    relay.smtpPort = Number(/"smtp":"[^"]*:(\d+)"/.exec(all)?.[1] ?? 0);
    const ai = opts.args.indexOf('--admin-listen');
    if (ai >= 0 && opts.args[ai + 1]) {
      const re = /"url":"http:\/\/[^"]*:(\d+)"[^\n]*admin console listening/;
      await waitUntil(() => dead || re.test(all), 10_000, 'admin start');
      relay.adminPort = Number(re.exec(all)?.[1] ?? 0);
    }
  }
  return relay;
}

/** Kills every child started here and removes every temp dir. Safe to call repeatedly. */
export async function cleanupChildren(): Promise<void> {
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((r) => {
          c.once('exit', () => r());
          c.kill('SIGKILL');
          setTimeout(r, 2000);
        }),
    ),
  );
  children.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

/** Spawns any process tracked for cleanup (e.g. a private redis-server). */
export function spawnTracked(
  cmd: string,
  args: string[],
  opts: { cwd?: string } = {},
): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let all = '';
  child.stdout!.on('data', (d: Buffer) => (all += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (all += d.toString()));
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      children.delete(child);
      r(code);
    }),
  );
  child.on('error', () => undefined);
  return { child, out: () => all, exited };
}
