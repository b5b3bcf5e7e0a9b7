/**
 * Paired comparison of two relays that run at the same time: two builds, or one build with two settings (worker
 * count, node flags, scanning), or postguard against the floor (`--a floor`: bench/relay/floor-relay.ts, the
 * cheapest Node relay we could write; `--a floor-scan`: the same with postguard's scan). Both relays stay up in front of one smtp-sink, and short smtp-source bursts alternate
 * between them (ABBA order), so the machine's drift (tens of percent within minutes here) falls on both alike.
 * Prints each side's relay CPU per message (all its processes and threads, from /proc), mean msg/s of its bursts
 * and, with --latency, p50/p90/p99 time-to-250 from the 10-session client after each burst.
 *
 *   npm run build && node dist/bench/relay/pair.js --a OLD_CHECKOUT --b . [--rounds 8] [--count 1500] [--sessions 10]
 *       [--a-workers 2] [--b-workers 2] [--a-flags "--single-threaded-gc"] [--b-flags ...] [--a-scanning false] [--latency]
 *
 * Each checkout must be built. 5 KB customer-care reply, scanning on unless --X-scanning false, a 100,000-customer directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
const ROUNDS = Number(opt('rounds', '8'));
const COUNT = Number(opt('count', '1500'));
const SESSIONS = Number(opt('sessions', '10'));
const LATENCY = argv.includes('--latency');

interface Side {
  name: 'A' | 'B';
  root: string;
  workers: string;
  scanning: string;
  flags: string[];
  port: number;
  relay?: ChildProcess;
  cpu: number;
  messages: number;
  rates: number[];
  lat: number[];
}

/** CPU seconds of the relay's processes including every thread (cpuSeconds reads /proc/PID/stat: all threads). */
const relayCpu = (s: Side) => cpuSeconds([s.relay!.pid!, ...childPids(s.relay!.pid!)]);

async function main(): Promise<void> {
  if (!opt('a', ''))
    throw new Error(
      'usage: node dist/bench/relay/pair.js --a CHECKOUT --b CHECKOUT [--a-workers N] [--b-workers N] [--a-flags "..."] [--b-flags "..."] [--latency]',
    );
  const dir = mkdtempSync(join(tmpdir(), 'pg-bench-pair-'));
  const children: ChildProcess[] = [];
  try {
    const { csv, rcpt, body, lf } = fiveKbInputs(dir);
    const sinkPort = await freePort();
    const sink = spawn('smtp-sink', ['-u', 'nobody', `127.0.0.1:${sinkPort}`, '2048'], { stdio: 'ignore' });
    children.push(sink);
    await waitSmtp(sinkPort);

    const sides: Side[] = [];
    for (const name of ['A', 'B'] as const) {
      const key = name.toLowerCase();
      const floorKind = opt(key, '.');
      const floor = floorKind === 'floor' || floorKind === 'floor-scan';
      const side: Side = {
        name,
        root: floor ? floorKind : resolve(opt(key, '.')),
        workers: opt(`${key}-workers`, '2'),
        scanning: opt(`${key}-scanning`, 'true'),
        flags: opt(`${key}-flags`, '').split(' ').filter(Boolean),
        port: await freePort(),
        cpu: 0,
        messages: 0,
        rates: [],
        lat: [],
      };
      const args = floor
        ? [
            ...side.flags,
            fileURLToPath(new URL('./floor-relay.js', import.meta.url)),
            String(side.port),
            String(sinkPort),
            side.workers,
            ...(floorKind === 'floor-scan' ? [join(dir, `data-${name}`), csv] : []),
          ]
        : [
            ...side.flags,
            ...postguardServeArgs({
              root: side.root,
              port: side.port,
              sinkPort,
              dataDir: join(dir, `data-${name}`),
              workers: side.workers,
              scanning: side.scanning === 'true',
              directory: csv,
            }),
          ];
      side.relay = spawn(process.execPath, args, { cwd: floor ? undefined : side.root, stdio: 'ignore' });
      children.push(side.relay);
      sides.push(side);
    }
    for (const s of sides) {
      await waitSmtp(s.port, 300_000);
      await throughput(s.port, lf, 500, SESSIONS, rcpt); // warm-up
    }
    for (const s of sides) {
      const floor = s.root === 'floor' || s.root === 'floor-scan';
      const what =
        s.root === 'floor'
          ? 'the floor relay (no scanning, no logging)'
          : s.root === 'floor-scan'
            ? "the floor relay with postguard's scan, trace header and log line"
            : `${s.root} (scanning ${s.scanning === 'true' ? 'on' : 'off'}`;
      console.log(
        `${s.name} = ${what}${floor ? ' (' : ', '}--workers ${s.workers}${s.flags.length ? ', ' + s.flags.join(' ') : ''})`,
      );
    }
    console.log(
      `5 KB reply, ${ROUNDS} rounds of ${COUNT} messages per side, ${SESSIONS} smtp-source sessions${LATENCY ? ', then 400 messages from the 10-session latency client' : ''}\n`,
    );
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 ? [sides[1]!, sides[0]!] : sides) {
        const c0 = relayCpu(s);
        s.rates.push(await throughput(s.port, lf, COUNT, SESSIONS, rcpt));
        s.cpu += relayCpu(s) - c0;
        s.messages += COUNT;
        if (LATENCY) s.lat.push(...(await latencies(s.port, body, 400, 10, rcpt)));
      }
    }
    console.log('| side | relay CPU ms per message | msg/s | p50 ms to 250 | p90 | p99 |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const s of sides) {
      const lat = s.lat.sort((x, y) => x - y);
      const cell = (p: number) => (lat.length ? pct(lat, p).toFixed(2) : '');
      console.log(
        `| ${s.name} | ${((1000 * s.cpu) / s.messages).toFixed(3)} | ${(s.rates.reduce((x, y) => x + y, 0) / s.rates.length).toFixed(0)} | ${cell(50)} | ${cell(90)} | ${cell(99)} |`,
      );
    }
    const [a, b] = sides as [Side, Side];
    console.log(
      `\nB / A: CPU per message ${(b.cpu / b.messages / (a.cpu / a.messages)).toFixed(3)}, msg/s ${(b.rates.reduce((x, y) => x + y, 0) / a.rates.reduce((x, y) => x + y, 0)).toFixed(3)}`,
    );
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
