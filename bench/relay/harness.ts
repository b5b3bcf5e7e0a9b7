/**
 * What the relay benchmarks share: free ports, waiting for an SMTP greeting, smtp-source throughput, CPU seconds
 * and peak RSS of processes from /proc, and a latency client that times end-of-DATA → 250 per message.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

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

/** smtp-source throughput (one message per connection, as helpdesk tools often do). */
export async function throughput(port: number, file: string, count: number, sessions: number, rcpt: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  await new Promise<void>((res, rej) => {
    const c = spawn('smtp-source', ['-s', String(sessions), '-m', String(count), '-F', file, '-f', 'agent@support.example', '-t', rcpt, `127.0.0.1:${port}`], { stdio: 'ignore' });
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

/** Time from the end of DATA to the 250, per message, `sessions` clients in parallel. */
export async function latencies(port: number, body: Buffer, count: number, sessions: number, rcpt: string): Promise<number[]> {
  const out: number[] = [];
  let left = count;
  const one = () =>
    new Promise<void>((resolveOne, reject) => {
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
            if (m[1] !== '250') return reject(new Error(`reply ${m[0].trim()}`));
            out.push(Number(process.hrtime.bigint() - t0) / 1e6);
            s.end('QUIT\r\n');
            s.destroy();
            return resolveOne();
          }
        }
      });
      s.on('error', reject);
    });
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      while (left-- > 0) await one();
    }),
  );
  return out.sort((a, b) => a - b);
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
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

