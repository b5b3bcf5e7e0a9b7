/**
 * What the relay benchmarks share: free ports, waiting for an SMTP greeting, smtp-source throughput, CPU seconds
 * and peak RSS of processes from /proc, a latency client that times end-of-DATA → 250 per message, and a counting
 * client for rows where postguard may answer 451 (scanner busy).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });

export async function waitSmtp(port: number, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', (d) => (s.destroy(), r(String(d).startsWith('220'))));
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing answers SMTP on ${port}`);
}

/**
 * The command line (after `node`) of a postguard relay as every relay benchmark runs it: `root` is a built
 * checkout, the upstream is smtp-sink on `sinkPort`, connection limits are raised for 50 sessions from one address,
 * and the directory CSV is imported only when scanning is on.
 */
export function postguardServeArgs(o: {
  root: string;
  port: number;
  sinkPort: number;
  dataDir: string;
  workers: string;
  scanning: boolean;
  directory: string;
}): string[] {
  const args = [
    join(o.root, 'dist/src/cli/main.js'),
    'serve',
    '--listen',
    `127.0.0.1:${o.port}`,
    '--upstream',
    `smtp://127.0.0.1:${o.sinkPort}`,
    '--admin-listen',
    '',
    '--data-dir',
    o.dataDir,
    '--workers',
    o.workers,
    '--upstream-pool',
    '10',
    '--limits-max-connections-per-client',
    '500',
    '--limits-max-connections',
    '1000',
    '--scanning',
    String(o.scanning),
    '--internal-domain',
    'support.example',
  ];
  if (o.scanning) args.push('--directory', o.directory);
  return args;
}

/** smtp-source throughput (one message per connection, as helpdesk tools often do). */
export async function throughput(
  port: number,
  file: string,
  count: number,
  sessions: number,
  rcpt: string,
): Promise<number> {
  const t0 = process.hrtime.bigint();
  await new Promise<void>((res, rej) => {
    const c = spawn(
      'smtp-source',
      [
        '-s',
        String(sessions),
        '-m',
        String(count),
        '-F',
        file,
        '-f',
        'agent@support.example',
        '-t',
        rcpt,
        `127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const timer = setTimeout(() => c.kill('SIGKILL'), 600_000);
    c.on('error', rej);
    c.on('exit', (code) => (clearTimeout(timer), code === 0 ? res() : rej(new Error(`smtp-source exited ${code}`))));
  });
  return count / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** CPU seconds (user + system) used so far by the processes. */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch {
      /* exited */
    }
  }
  return ticks / 100;
}

/** One message on its own connection: the reply code at the end of DATA and the time from the end of DATA to it. */
function oneMessage(port: number, body: Buffer, rcpt: string): Promise<{ code: number; ms: number }> {
  return new Promise((resolveOne, reject) => {
    const s = connect(port, '127.0.0.1');
    s.setNoDelay(true);
    let buf = '';
    let step = 0;
    let t0 = 0n;
    const steps = ['EHLO bench.test\r\n', 'MAIL FROM:<agent@support.example>\r\n', `RCPT TO:<${rcpt}>\r\n`, 'DATA\r\n'];
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const m = /^(\d{3})([ -])[^\r\n]*\r\n/.exec(buf);
        if (!m) return;
        buf = buf.slice(m[0].length);
        if (m[2] === '-') continue;
        if (step < steps.length) s.write(steps[step++]!);
        else if (step === steps.length) {
          step++;
          s.write(body);
          t0 = process.hrtime.bigint();
          s.write('.\r\n');
        } else {
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          s.end('QUIT\r\n');
          s.destroy();
          return resolveOne({ code: Number(m[1]), ms });
        }
      }
    });
    s.on('error', reject);
  });
}

/**
 * `count` messages over `sessions` parallel clients (one connection each): the reply codes and the wall time.
 * With `rate`, message i starts no earlier than i / rate seconds after the first (open loop, see pacedLatencies).
 */
async function sendMany(
  port: number,
  body: Buffer,
  count: number,
  sessions: number,
  rcpt: string,
  rate?: number,
): Promise<{ replies: { code: number; ms: number }[]; seconds: number }> {
  const replies: { code: number; ms: number }[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      while (next < count) {
        const i = next++;
        const wait = rate ? t0 + (i * 1000) / rate - performance.now() : 0;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        replies.push(await oneMessage(port, body, rcpt));
      }
    }),
  );
  return { replies, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Time from the end of DATA to the 250, per message, `sessions` clients in parallel. Any other reply is an error,
 * except a 451 with `allowDeferred` (those messages are left out).
 */
export async function latencies(
  port: number,
  body: Buffer,
  count: number,
  sessions: number,
  rcpt: string,
  allowDeferred = false,
  rate?: number,
): Promise<number[]> {
  const { replies } = await sendMany(port, body, count, sessions, rcpt, rate);
  const bad = replies.find((r) => r.code !== 250 && !(allowDeferred && r.code === 451));
  if (bad) throw new Error(`reply ${bad.code}`);
  return replies
    .filter((r) => r.code === 250)
    .map((r) => r.ms)
    .sort((a, b) => a - b);
}

/**
 * Time from the end of DATA to the 250 at a fixed offered load: message i starts (connects) at i / rate seconds,
 * on the first of `sessions` clients that is free (open loop: a slow reply does not slow the schedule down, so
 * queueing shows up as latency instead of lower load). The saturated figure (`latencies`) says what a relay does
 * flat out; this one says what it adds to each message at a load it can carry.
 */
export function pacedLatencies(
  port: number,
  body: Buffer,
  count: number,
  sessions: number,
  rcpt: string,
  rate: number,
): Promise<number[]> {
  return latencies(port, body, count, sessions, rcpt, false, rate);
}

/**
 * Throughput like smtp-source's (one message per connection), for rows where a 451 is a legitimate answer:
 * smtp-source stops at the first one ("fatal: end of data rejected"). msg/s counts every message answered.
 */
export async function throughputCounting(
  port: number,
  body: Buffer,
  count: number,
  sessions: number,
  rcpt: string,
): Promise<{ rate: number; deferred: number }> {
  const { replies, seconds } = await sendMany(port, body, count, sessions, rcpt);
  const other = replies.find((r) => r.code !== 250 && r.code !== 451);
  if (other) throw new Error(`reply ${other.code}`);
  return { rate: count / seconds, deferred: replies.filter((r) => r.code === 451).length };
}

export const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;

export function peakRssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      /* exited */
    }
  }
  return kb / 1024;
}

export function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
