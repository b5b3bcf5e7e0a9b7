/**
 * Relay throughput: smtp-source → smtp-sink directly (the limit) against smtp-source → postguard → smtp-sink,
 * in the same run, on loopback. Needs Debian's postfix package (smtp-source, smtp-sink).
 *
 *   npm run build && node dist/bench/relay/run.js [--count 5000] [--sessions 10] [--size 5000]
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const COUNT = Number(args.get('count') ?? 5000);
const SESSIONS = Number(args.get('sessions') ?? 10);
const SIZE = Number(args.get('size') ?? 5000);
const DIRECTORY = args.get('directory');
const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

/** A realistic customer-care reply of about `size` bytes. */
export function careReply(size: number): string {
  const head = ['From: Support <agent@support.example>', 'To: Maria Example <customer@example.com>', 'Subject: Re: Your order is on its way', 'Message-ID: <bench@support.example>', 'Date: Sat, 21 Nov 2026 10:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', ''].join('\r\n');
  const para = 'Hello Maria,\r\n\r\nthank you for getting in touch about your recent order. We checked the shipment with the carrier and it left our warehouse yesterday; you should receive it within two working days.\r\n\r\n';
  let body = '';
  while (head.length + body.length < size - 40) body += para;
  return head + body.slice(0, Math.max(0, size - head.length - 40)) + '\r\n\r\nKind regards,\r\nSupport\r\n';
}

async function waitPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.on('connect', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not open`);
}

function timeSource(port: number, file: string): number {
  const t0 = process.hrtime.bigint();
  execFileSync('smtp-source', ['-s', String(SESSIONS), '-m', String(COUNT), '-F', file, '-f', 'agent@support.example', '-t', 'customer@example.com', `127.0.0.1:${port}`], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-bench-'));
  const file = join(dir, 'msg.eml');
  // smtp-source sends each line of the file with CRLF itself: the file must use LF.
  writeFileSync(file, careReply(SIZE).replace(/\r\n/g, '\n'));
  const children: ChildProcess[] = [];
  try {
    const sinkPort = await freePort();
    children.push(spawn('smtp-sink', ['-u', 'nobody', `127.0.0.1:${sinkPort}`, '1024'], { stdio: 'ignore' }));
    await waitPort(sinkPort);
    timeSource(sinkPort, file); // warm-up
    const direct = timeSource(sinkPort, file);

    const pgPort = await freePort();
    const pg = spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'serve', '--listen', `127.0.0.1:${pgPort}`, '--upstream', `smtp://127.0.0.1:${sinkPort}`, '--admin-listen', '', '--data-dir', join(dir, 'data'), '--upstream-pool', '10', '--limits-max-connections-per-client', '200', ...(DIRECTORY ? ['--directory', resolve(DIRECTORY)] : [])], { stdio: ['ignore', 'ignore', 'inherit'], cwd: dir });
    children.push(pg);
    await waitPort(pgPort);
    timeSource(pgPort, file); // warm-up (JIT, pool)
    const relayed = timeSource(pgPort, file);

    const rows = [
      ['smtp-source → smtp-sink (direct)', direct],
      ['smtp-source → postguard → smtp-sink', relayed],
    ] as const;
    console.log(`\nrelay benchmark: ${COUNT} messages of ${SIZE} bytes, ${SESSIONS} sessions, loopback\n`);
    console.log('| path | seconds | msg/s |');
    console.log('|---|---:|---:|');
    for (const [name, s] of rows) console.log(`| ${name} | ${s.toFixed(2)} | ${Math.round(COUNT / s)} |`);
    console.log(`\npostguard / direct throughput ratio: ${(direct / relayed).toFixed(3)}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
