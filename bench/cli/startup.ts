/**
 * Start-up cost of the `postguard` command: CPU time and wall time of `--help`, `quarantine list`, `user list`,
 * `directory stats` (each run to its exit) and of `serve` from spawn to its "postguard relay listening" line,
 * without and with the admin console (`serve + admin` until "admin console listening"). Median (and min–max) of N
 * runs per command; `node -e 0` is the floor of any command.
 *
 *   npm run build && node dist/bench/cli/startup.js [--runs 10] [--base /path/to/other/checkout] [--only serve]
 *
 * With --base, that checkout (built, with `npm run build` there) is measured too, alternating run by run with this
 * one (this machine's speed drifts within minutes), and the table shows both and the ratio. Every checkout gets its
 * own empty data folder; one warm-up run per command and checkout (not counted) creates its keys and stores.
 *
 * CPU time of a command that exits: bash's `times` for its finished child (user + sys, 1 ms resolution). CPU time of
 * `serve` up to the line: /proc/PID/stat of the running process (all its threads; 10 ms resolution).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cpuSeconds, freePort } from '../relay/harness.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
const RUNS = Number(opt('runs', '10'));
const ONLY = opt('only', '');
const checkouts: { name: string; root: string }[] = [{ name: 'this', root: resolve('.') }];
if (opt('base', '')) checkouts.unshift({ name: 'base', root: resolve(opt('base', '')) });

interface Sample {
  cpuMs: number;
  wallMs: number;
}

interface Case {
  name: string;
  run: (root: string, dataDir: string) => Promise<Sample>;
}

const bin = (root: string) => join(root, 'dist/src/cli/main.js');

/** Runs `node ARGS` to its exit under bash, whose `times` gives the finished child's CPU time. */
function exiting(
  args: (root: string, dataDir: string) => string[],
): (root: string, dataDir: string) => Promise<Sample> {
  return async (root, dataDir) => {
    const t0 = performance.now();
    const r = spawnSync(
      'bash',
      ['-c', '"$@" >/dev/null 2>&1; code=$?; times; exit $code', 'bash', process.execPath, ...args(root, dataDir)],
      { cwd: root, encoding: 'utf8' },
    );
    const wallMs = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${args(root, dataDir).join(' ')} exited ${r.status}`);
    // times: the shell's own user/sys, then its children's: "0m0.107s 0m0.021s"
    const children = r.stdout.trim().split('\n')[1] ?? '';
    const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
    if (secs.length !== 2) throw new Error(`cannot read times output: ${r.stdout}`);
    return { cpuMs: (secs[0]! + secs[1]!) * 1000, wallMs };
  };
}

/** Starts `serve`, takes CPU and wall time when `line` is logged, then stops it with SIGTERM. */
async function serveUntil(root: string, dataDir: string, admin: boolean): Promise<Sample> {
  const adminListen = admin ? `127.0.0.1:${await freePort()}` : '';
  const line = admin ? 'admin console listening' : 'postguard relay listening';
  const args = [
    bin(root),
    'serve',
    '--listen',
    '127.0.0.1:0',
    '--admin-listen',
    adminListen,
    '--upstream',
    'smtp://127.0.0.1:1',
    '--data-dir',
    dataDir,
    '--workers',
    '1',
  ];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, POSTGUARD_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let out = '';
  try {
    return await new Promise<Sample>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve did not log "${line}" in 60 s:\n${out}`)), 60_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (!out.includes(line)) return;
        const wallMs = performance.now() - t0;
        clearTimeout(timer);
        done({ cpuMs: cpuSeconds([child.pid!]) * 1000, wallMs });
      });
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      void exited.then((code) => fail(new Error(`serve exited ${code} before "${line}":\n${out}`)));
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const ALL_CASES: Case[] = [
  { name: 'node -e 0 (floor)', run: exiting(() => ['-e', '0']) },
  { name: '--help', run: exiting((root) => [bin(root), '--help']) },
  { name: 'quarantine list', run: exiting((root, d) => [bin(root), 'quarantine', 'list', '--data-dir', d]) },
  { name: 'user list', run: exiting((root, d) => [bin(root), 'user', 'list', '--data-dir', d]) },
  { name: 'directory stats', run: exiting((root, d) => [bin(root), 'directory', 'stats', '--data-dir', d]) },
  { name: 'serve (to listening)', run: (root, d) => serveUntil(root, d, false) },
  { name: 'serve + admin (to console)', run: (root, d) => serveUntil(root, d, true) },
];
const CASES = ALL_CASES.filter((c) => !ONLY || c.name.includes(ONLY));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'pg-bench-cli-'));
  const dataDirs = new Map(checkouts.map((c) => [c.name, mkdtempSync(join(work, `${c.name}-`))]));
  console.log(
    `postguard start-up, ${RUNS} runs each; ${checkouts.map((c) => `${c.name} = ${c.root}`).join(', ')}; node ${process.version}`,
  );
  const rows: string[][] = [['command', 'checkout', 'CPU ms median (min–max)', 'wall ms median (min–max)']];
  const medians = new Map<string, { cpu: number; wall: number }>();
  try {
    for (const c of CASES) {
      const samples = new Map(checkouts.map((k) => [k.name, [] as Sample[]]));
      for (const k of checkouts) await c.run(k.root, dataDirs.get(k.name)!); // warm-up: creates keys and stores
      for (let i = 0; i < RUNS; i++) {
        // alternate the order run by run, so neither checkout always goes first
        const order = i % 2 ? [...checkouts].reverse() : checkouts;
        for (const k of order) samples.get(k.name)!.push(await c.run(k.root, dataDirs.get(k.name)!));
      }
      for (const k of checkouts) {
        const s = samples.get(k.name)!;
        const cpu = s.map((x) => x.cpuMs);
        const wall = s.map((x) => x.wallMs);
        medians.set(`${c.name}/${k.name}`, { cpu: median(cpu), wall: median(wall) });
        rows.push([c.name, k.name, fmt(cpu), fmt(wall)]);
      }
      if (checkouts.length === 2) {
        const b = medians.get(`${c.name}/base`)!;
        const t = medians.get(`${c.name}/this`)!;
        rows.push(['', 'this / base', `×${(t.cpu / b.cpu).toFixed(2)}`, `×${(t.wall / b.wall).toFixed(2)}`]);
      }
      console.error(`  ${c.name} done`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    console.log(
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
}

await main();
