/**
 * A/B of two postguard builds on the same machine, in alternating rounds (this machine's speed drifts by tens of
 * percent within minutes, so only interleaved runs compare): for each build, a relay (`serve --workers 2`) in
 * front of smtp-sink, smtp-source throughput with the relay's CPU per message, then p50/p90/p99 time-to-250 from
 * a 10-session client. 5 KB customer-care reply, 100,000-customer directory when scanning.
 *
 *   npm run build && node dist/bench/relay/ab.js --a /path/to/old/checkout --b . [--rounds 3] [--scanning true|false] [--sessions 10]
 *
 * Each checkout must be built (`npm run build` there). Prints one row per run and the means per build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fiveKbInputs } from './messages.js';
import {
  childPids,
  cpuSeconds,
  freePort,
  latencies,
  pct,
  postguardServeArgs,
  throughput,
  waitSmtp,
} from './harness.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
const builds = { A: resolve(opt('a', '')), B: resolve(opt('b', '.')) };
const ROUNDS = Number(opt('rounds', '3'));
const SCANNING = opt('scanning', 'true') === 'true';
const COUNT = Number(opt('count', '4000'));
/** smtp-source sessions for the throughput figure (the latency client always uses 10). */
const SESSIONS = Number(opt('sessions', '10'));

interface Row {
  build: string;
  rate: number;
  cpuMs: number;
  p50: number;
  p90: number;
  p99: number;
}

async function runOnce(
  build: keyof typeof builds,
  dir: string,
  csv: string,
  lf: string,
  body: Buffer,
  rcpt: string,
): Promise<Row> {
  const children: ChildProcess[] = [];
  try {
    const sinkPort = await freePort();
    const sink = spawn('smtp-sink', ['-u', 'nobody', `127.0.0.1:${sinkPort}`, '2048'], { stdio: 'ignore' });
    children.push(sink);
    await waitSmtp(sinkPort);
    const port = await freePort();
    const data = mkdtempSync(join(dir, 'data-'));
    const args = postguardServeArgs({
      root: builds[build],
      port,
      sinkPort,
      dataDir: data,
      workers: '2',
      scanning: SCANNING,
      directory: csv,
    });
    const relay = spawn(process.execPath, args, { cwd: builds[build], stdio: 'ignore' });
    children.push(relay);
    await waitSmtp(port, 300_000);
    const pids = () => [relay.pid!, ...childPids(relay.pid!)];
    await throughput(port, lf, 500, 10, rcpt); // warm-up
    const cpu0 = cpuSeconds(pids());
    const rate = await throughput(port, lf, COUNT, SESSIONS, rcpt);
    const cpuMs = ((cpuSeconds(pids()) - cpu0) * 1000) / COUNT;
    const lat = await latencies(port, body, 1000, 10, rcpt);
    return { build, rate, cpuMs, p50: pct(lat, 50), p90: pct(lat, 90), p99: pct(lat, 99) };
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  if (!opt('a', ''))
    throw new Error(
      'usage: node dist/bench/relay/ab.js --a OLD_CHECKOUT --b NEW_CHECKOUT [--rounds 3] [--scanning true|false]',
    );
  const dir = mkdtempSync(join(tmpdir(), 'pg-bench-ab-'));
  try {
    const { csv, rcpt, body, lf } = fiveKbInputs(dir);
    console.log(
      `A = ${builds.A}\nB = ${builds.B}\nscanning ${SCANNING ? 'on' : 'off'}, 5 KB reply, ${SESSIONS} smtp-source sessions (latency: 10), --workers 2, ${COUNT} messages per run\n`,
    );
    console.log('| build | msg/s | relay CPU ms per message | p50 ms to 250 | p90 | p99 |');
    console.log('|---|---:|---:|---:|---:|---:|');
    const rows: Row[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const b of ['A', 'B'] as const) {
        const row = await runOnce(b, dir, csv, lf, body, rcpt);
        rows.push(row);
        console.log(
          `| ${b} | ${row.rate.toFixed(0)} | ${row.cpuMs.toFixed(2)} | ${row.p50.toFixed(2)} | ${row.p90.toFixed(2)} | ${row.p99.toFixed(2)} |`,
        );
      }
    }
    const mean = (b: string, k: keyof Omit<Row, 'build'>) =>
      rows.filter((r) => r.build === b).reduce((s, r) => s + r[k], 0) / ROUNDS;
    console.log('\nmeans:');
    for (const b of ['A', 'B'])
      console.log(
        `  ${b}: ${mean(b, 'rate').toFixed(0)} msg/s, ${mean(b, 'cpuMs').toFixed(2)} ms CPU per message, p50 ${mean(b, 'p50').toFixed(2)}, p90 ${mean(b, 'p90').toFixed(2)}, p99 ${mean(b, 'p99').toFixed(2)} ms`,
      );
    console.log(
      `  B / A: msg/s ${(mean('B', 'rate') / mean('A', 'rate')).toFixed(2)}, CPU per message ${(mean('B', 'cpuMs') / mean('A', 'cpuMs')).toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
