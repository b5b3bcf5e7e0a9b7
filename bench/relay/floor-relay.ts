/**
 * The floor: the cheapest Node SMTP relay we could write, to measure what any Node relay costs on this machine
 * before it does anything postguard does. No scanning, no logging, no limits, no TLS or AUTH, no error handling
 * beyond the happy path; HELO/EHLO, MAIL, RCPT, DATA, QUIT; pooled upstream connections with MAIL/RCPT/DATA
 * pipelined once the client sends DATA (as postguard does) and the 250 passed on once the upstream gave it.
 * Workers accept their own connections (SCHED_NONE), as postguard's do. An upstream connection that closes (smtp-sink
 * drops idle ones while other rows of the benchmark run) leaves the pool, and whatever waited on it is answered
 * 451. Never a product: a benchmark yardstick.
 *
 * With DATA_DIR and CSV it is the floor relay with postguard's own scan: each message goes through the inspector
 * postguard builds (parse → detect → decide against the directory imported from CSV, the shipped policies, the
 * first-time-recipient memory), gets postguard's trace header and one log line, and is forwarded only on a deliver
 * or tag verdict (550 otherwise). That is the best a leaner inbound SMTP layer could give postguard with scanning.
 *
 *   node dist/bench/relay/floor-relay.js LISTEN_PORT UPSTREAM_PORT WORKERS [DATA_DIR CSV]      (both on 127.0.0.1)
 *   node dist/bench/relay/pair.js --a floor|floor-scan --b . [--b-scanning false] --latency
 */
import cluster from 'node:cluster';
import { connect, createServer, type Socket } from 'node:net';
import type { Scanner } from './floor-scanner.js';

const [listenPort, upstreamPort, workers] = process.argv.slice(2, 5).map(Number) as [number, number, number];
const [scanDataDir, scanCsv] = process.argv.slice(5);

interface Upstream {
  socket: Socket;
  /** Handlers of the replies still to come, in order; called with '' when the connection closed. */
  waiting: ((line: string) => void)[];
}

const idle: Upstream[] = [];

/** An idle upstream connection, or a new one once it answered EHLO. */
function upstream(ready: (u: Upstream) => void): void {
  const reused = idle.pop();
  if (reused) return ready(reused);
  const u: Upstream = { socket: connect(upstreamPort, '127.0.0.1'), waiting: [] };
  u.socket.setNoDelay(true);
  const gone = () => {
    const i = idle.indexOf(u);
    if (i >= 0) idle.splice(i, 1);
    for (const w of u.waiting.splice(0)) w('');
  };
  u.socket.on('error', gone);
  u.socket.on('close', gone);
  // Closed after 30 s without traffic, before smtp-sink's own idle timeout (which warns on stderr for each).
  u.socket.setTimeout(30_000, () => u.socket.destroy());
  let buf = '';
  u.socket.on('data', (d) => {
    buf += d.toString('latin1');
    for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (line[3] !== '-') u.waiting.shift()?.(line);
    }
  });
  u.waiting.push((greeting) => {
    if (!greeting) return ready(u); // could not connect: the transaction fails on the closed socket
    u.socket.write('EHLO floor\r\n');
    u.waiting.push(() => ready(u));
  });
}

function session(c: Socket, scanner?: Scanner): void {
  c.setNoDelay(true);
  c.on('error', () => undefined);
  let buf = '';
  let from = '';
  let rcpt: string[] = [];
  let envelope = { mailFrom: '', rcptTo: [] as string[] };
  let data: Buffer[] | null = null;
  let opened: Promise<Upstream> | null = null;
  c.write('220 floor ESMTP\r\n');
  const forward = (upstreamOpened: Promise<Upstream>, body: Buffer, answered?: () => void) =>
    void upstreamOpened.then((u) => {
      if (u.socket.destroyed) return c.write('451 4.3.0 upstream failed\r\n');
      u.waiting.push((line) => {
        if (line && !u.socket.destroyed) idle.push(u);
        answered?.();
        c.write(line.startsWith('250') ? '250 2.0.0 OK queued\r\n' : '451 4.3.0 upstream failed\r\n');
      });
      u.socket.write(body);
    });
  c.on('data', (d: Buffer) => {
    if (data) data.push(d);
    else buf += d.toString('latin1');
    for (;;) {
      if (data) {
        const all = Buffer.concat(data);
        const end = all.indexOf('\r\n.\r\n');
        if (end < 0) {
          data = [all];
          return;
        }
        data = null;
        buf = all.subarray(end + 5).toString('latin1');
        if (!scanner) {
          forward(opened!, all.subarray(0, end + 5));
          continue;
        }
        // The benchmark's messages have no line starting with a dot, so the bytes need no un-stuffing.
        const upstreamOpened = opened!;
        void scanner.scan(Buffer.from(all.subarray(0, end + 2)), envelope, c.remoteAddress ?? '').then((out) => {
          if (out) return forward(upstreamOpened, out.body, out.delivered);
          void upstreamOpened.then((u) => u.socket.destroy());
          c.write('550 5.7.1 refused by policy\r\n');
        });
        continue;
      }
      const i = buf.indexOf('\r\n');
      if (i < 0) return;
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'HELO') c.write('250 floor\r\n');
      else if (verb === 'EHLO') c.write('250-floor\r\n250 8BITMIME\r\n');
      else if (verb === 'MAIL') {
        from = line.slice(10);
        c.write('250 2.1.0 OK\r\n');
      } else if (verb === 'RCPT') {
        rcpt.push(line.slice(8));
        c.write('250 2.1.5 OK\r\n');
      } else if (verb === 'DATA') {
        const commands = `MAIL FROM:${from}\r\n${rcpt.map((r) => `RCPT TO:${r}\r\n`).join('')}DATA\r\n`;
        if (scanner)
          envelope = { mailFrom: from.replace(/^<|>$/g, ''), rcptTo: rcpt.map((r) => r.replace(/^<|>$/g, '')) };
        const replies = rcpt.length + 2;
        rcpt = [];
        opened = new Promise((resolve) =>
          upstream((u) => {
            let n = 0;
            if (u.socket.destroyed) return resolve(u);
            for (let k = 0; k < replies; k++) u.waiting.push(() => ++n === replies && resolve(u));
            u.socket.write(commands);
          }),
        );
        data = buf ? [Buffer.from(buf, 'latin1')] : [];
        buf = '';
        c.write('354 go ahead\r\n');
      } else if (verb === 'QUIT') {
        c.end('221 bye\r\n');
        return;
      } else c.write('250 OK\r\n');
    }
  });
}

cluster.schedulingPolicy = cluster.SCHED_NONE;
if (cluster.isPrimary) {
  if (scanDataDir && scanCsv) await (await import('./floor-scanner.js')).importDirectory(scanDataDir, scanCsv);
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const scanner = scanDataDir ? await (await import('./floor-scanner.js')).openScanner(scanDataDir) : undefined;
  createServer((c) => session(c, scanner)).listen(listenPort, '127.0.0.1');
}
