/**
 * Relay benchmark (issue 6), every figure measured in the same run on loopback:
 *   - smtp-source → smtp-sink directly (the limit),
 *   - Haraka 3.3.4 forward-only (plugins relay + queue/smtp_forward, nodes=cpus), installed into a temp folder,
 *   - the floor relay (floor-relay.ts, same worker count): the cheapest Node relay, which only relays, so the
 *     figures show what any Node relay costs on the machine of the run (--no-floor leaves it out),
 *   - postguard with scanning off and on (parse, extract, directory lookups, policy), --workers 2,
 *     with a generated directory of --customers customers (default 100,000),
 * for a 5 KB customer-care reply, a 100 KB mail and a mail with a 1 MB PDF, at 10 and 50 sessions.
 * Prints msg/s (smtp-source), how many of the messages reached the sink (plus those postguard held in quarantine,
 * e.g. unscannable when extraction missed its deadline under load; a row where any is unaccounted for makes the
 * run invalid), CPU cores used by the relay, p50/p99 time-to-250 (own client, 10 sessions), peak RSS and ratios.
 *
 *   npm run build && node dist/bench/relay/run.js [--quick] [--no-haraka] [--no-floor] [--customers 100000] [--workers 2] [--only 5] [--paced-rate 100]
 *
 * After the table, the 5 KB reply once more at a fixed offered load (--paced-rate msg/s, open loop over 10
 * sessions): the latency each path adds at a load it can carry, next to the saturated figures of the table.
 *
 * Needs Debian's postfix package (smtp-source, smtp-sink) and the npm registry (for Haraka).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import {
  childPids,
  cpuSeconds,
  freePort,
  latencies,
  pacedLatencies,
  pct,
  peakRssMb,
  postguardServeArgs,
  throughput,
  throughputCounting,
  waitSmtp,
} from './harness.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { careReply, customerCsv, hundredKbMail, pdfMail } from './messages.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
const QUICK = flag('quick');
const CUSTOMERS = Number(opt('customers', QUICK ? '10000' : '100000'));
const WORKERS = opt('workers', '2');
const HARAKA = !flag('no-haraka');
/** The floor relay (floor-relay.ts): what the cheapest Node relay costs on this machine, in the same run. */
const FLOOR = !flag('no-floor');
const FLOOR_NAME = 'floor Node relay (relays only)';
/** Only the messages whose name starts with this (e.g. --only 5), for quick runs. */
const ONLY = opt('only', '');
/** Offered load (msg/s) of the paced latency table: well below every path's capacity here, Haraka's included. */
const PACED_RATE = Number(opt('paced-rate', '100'));
const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

interface Target {
  name: string;
  port: number;
  pids: () => number[];
  /** Messages held in quarantine so far (postguard only: fail-closed holds are answered 250 too). */
  held?: () => number;
}

/** Quarantine records in a postguard data dir (one `<id>.json` per held message). */
function heldCount(dataDir: string): number {
  try {
    return readdirSync(join(dataDir, 'quarantine')).filter((f) => f.endsWith('.json')).length;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-bench-relay-'));
  const children: ChildProcess[] = [];
  const spawnBg = (cmd: string, args: string[], cwd = dir) => {
    const c = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(c);
    return c;
  };
  try {
    // inputs
    const csv = join(dir, 'customers.csv');
    const rcptIndex = 42;
    const { rcpt, customer } = customerCsv(csv, CUSTOMERS, rcptIndex);
    const messages = [
      // latencyCount: messages timed by the 10-session client; the 5 KB row carries the p99 target, and its p99
      // over 3,000 messages (the 30th worst) moves less between runs than over 1,000.
      {
        name: '5 KB reply',
        body: careReply(5000, customer),
        count: QUICK ? 600 : 3000,
        latencyCount: QUICK ? 200 : 3000,
        counting: false,
      },
      {
        name: '100 KB mail',
        body: hundredKbMail(customer),
        count: QUICK ? 200 : 800,
        latencyCount: QUICK ? 200 : 800,
        counting: false,
      },
      // sent by our own client: postguard may answer 451 (scanner busy) to some, and smtp-source stops at the first
      {
        name: '1 MB PDF attachment',
        body: pdfMail(customer),
        count: QUICK ? 30 : 120,
        latencyCount: QUICK ? 30 : 120,
        counting: true,
      },
    ]
      .filter((m) => m.name.startsWith(ONLY))
      .map((m, i) => {
        const crlf = join(dir, `m${i}.eml`);
        const lf = join(dir, `m${i}.lf.eml`);
        writeFileSync(crlf, m.body);
        writeFileSync(lf, m.body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'); // smtp-source adds CR itself
        return { ...m, crlf, lf, size: m.body.length };
      });

    // the sink all paths deliver to
    const sinkPort = await freePort();
    // -c: running counters on stdout; every row checks that the sink received as many messages as were sent.
    // The counters go to a file (read when needed), so they never wake this process, which is also the latency
    // client.
    const counters = join(dir, 'sink-counters.txt');
    const countersFd = openSync(counters, 'w');
    const sink = spawn('smtp-sink', ['-c', '-u', 'nobody', `127.0.0.1:${sinkPort}`, '2048'], {
      cwd: dir,
      stdio: ['ignore', countersFd, 'inherit'],
    });
    closeSync(countersFd);
    children.push(sink);
    await waitSmtp(sinkPort);
    const sinkCount = async (): Promise<number> => {
      await new Promise((r) => setTimeout(r, 300)); // the last counters are written
      const size = statSync(counters).size;
      const fd = openSync(counters, 'r');
      try {
        const buf = Buffer.alloc(Math.min(size, 256));
        readSync(fd, buf, 0, buf.length, size - buf.length);
        const all = [...buf.toString('latin1').matchAll(/mesg=(\d+)/g)];
        return all.length ? Number(all[all.length - 1]![1]) : 0;
      } finally {
        closeSync(fd);
      }
    };
    const targets: Target[] = [{ name: 'direct smtp-sink', port: sinkPort, pids: () => [] }];

    if (HARAKA) {
      const hdir = join(dir, 'haraka');
      mkdirSync(hdir);
      writeFileSync(
        join(hdir, 'package.json'),
        JSON.stringify({
          name: 'haraka-bench',
          private: true,
          overrides: { libqp: '2.1.2', 'encoding-japanese': '2.4.0' },
        }),
      );
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', 'Haraka@3.3.4'], {
        cwd: hdir,
        stdio: 'ignore',
        timeout: 600_000,
      });
      execFileSync(join(hdir, 'node_modules/.bin/haraka'), ['-i', join(hdir, 'srv')], { stdio: 'ignore' });
      const cfg = join(hdir, 'srv/config');
      const hport = await freePort();
      writeFileSync(join(cfg, 'plugins'), 'relay\nqueue/smtp_forward\n');
      writeFileSync(join(cfg, 'relay.ini'), '[relay]\nacl=true\n');
      writeFileSync(join(cfg, 'relay_acl_allow'), '127.0.0.1/32\n');
      // enable_outbound: with relaying=true (relay ACL) smtp_forward otherwise skips the message and Haraka's own
      // outbound queue takes it (disk queue + MX lookup), so nothing would reach the sink
      writeFileSync(
        join(cfg, 'smtp_forward.ini'),
        `host=127.0.0.1\nport=${sinkPort}\nenable_tls=false\nenable_outbound=true\nqueue=smtp\n`,
      );
      writeFileSync(join(cfg, 'smtp.ini'), `listen=127.0.0.1:${hport}\nnodes=cpus\n`);
      writeFileSync(join(cfg, 'log.ini'), '[main]\nlevel=warn\n');
      const h = spawnBg(join(hdir, 'node_modules/.bin/haraka'), ['-c', join(hdir, 'srv')], hdir);
      await waitSmtp(hport);
      targets.push({ name: 'Haraka 3.3.4 forward-only', port: hport, pids: () => [h.pid!, ...childPids(h.pid!)] });
    }

    if (FLOOR) {
      const port = await freePort();
      const f = spawnBg(process.execPath, [
        fileURLToPath(new URL('./floor-relay.js', import.meta.url)),
        String(port),
        String(sinkPort),
        WORKERS,
      ]);
      await waitSmtp(port);
      targets.push({ name: FLOOR_NAME, port, pids: () => [f.pid!, ...childPids(f.pid!)] });
    }

    for (const scanning of [false, true]) {
      const port = await freePort();
      const data = join(dir, `data-${scanning}`);
      const args = postguardServeArgs({
        root: ROOT,
        port,
        sinkPort,
        dataDir: data,
        workers: WORKERS,
        scanning,
        directory: csv,
      });
      const p = spawnBg(process.execPath, args);
      await waitSmtp(port, 300_000);
      targets.push({
        name: `postguard scanning ${scanning ? 'on' : 'off'}`,
        port,
        pids: () => [p.pid!, ...childPids(p.pid!)],
        held: () => heldCount(data),
      });
    }

    console.log(
      `\nrelay benchmark: loopback, ${CUSTOMERS.toLocaleString('en')} customers in postguard's directory, postguard --workers ${WORKERS}`,
    );
    console.log(
      `message recipient is customer #${rcptIndex}; each message carries that customer's own name and order id (delivered, not held)\n`,
    );
    console.log(
      '| message | sessions | path | msg/s | delivered | CPU cores | p50 ms to 250 | p99 ms to 250 | peak RSS MB |',
    );
    console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|');
    const failures: string[] = [];
    const results = new Map<string, number>();
    for (const m of messages) {
      for (const sessions of [10, 50]) {
        for (const t of targets) {
          const warm = Math.max(20, Math.round(m.count / 5));
          if (m.counting) await throughputCounting(t.port, m.body, warm, sessions, rcpt);
          else await throughput(t.port, m.lf, warm, sessions, rcpt);
          const before = await sinkCount();
          const heldBefore = t.held?.() ?? 0;
          const cpu0 = cpuSeconds(t.pids());
          const t0 = process.hrtime.bigint();
          let rate: number;
          let deferred = 0;
          if (m.counting) ({ rate, deferred } = await throughputCounting(t.port, m.body, m.count, sessions, rcpt));
          else rate = await throughput(t.port, m.lf, m.count, sessions, rcpt);
          const cores = t.pids().length
            ? (cpuSeconds(t.pids()) - cpu0) / (Number(process.hrtime.bigint() - t0) / 1e9)
            : NaN;
          const got = (await sinkCount()) - before;
          const held = (t.held?.() ?? 0) - heldBefore;
          if (got + held + deferred !== m.count)
            failures.push(
              `${m.name}, ${sessions} sessions, ${t.name}: ${got} of ${m.count} messages reached the sink, ${held} held, ${deferred} deferred`,
            );
          const lat = sessions === 10 ? await latencies(t.port, m.body, m.latencyCount, 10, rcpt, m.counting) : [];
          const rss = t.pids().length ? peakRssMb(t.pids()).toFixed(0) : '-';
          results.set(`${m.name}|${sessions}|${t.name}`, rate);
          if (lat.length) results.set(`${m.name}|p99|${t.name}`, pct(lat, 99));
          console.log(
            `| ${m.name} (${(m.size / 1024).toFixed(0)} KB) | ${sessions} | ${t.name} | ${rate.toFixed(0)} | ${got}/${m.count}${held ? ` (+${held} held)` : ''}${deferred ? ` (+${deferred} deferred, 451)` : ''} | ${Number.isNaN(cores) ? '-' : cores.toFixed(2)} | ${lat.length ? pct(lat, 50).toFixed(2) : ''} | ${lat.length ? pct(lat, 99).toFixed(2) : ''} | ${rss} |`,
          );
        }
      }
    }
    // The same 5 KB reply at a fixed offered load, open loop (the figures above are at saturation).
    const reply = messages.find((m) => m.name === '5 KB reply');
    if (reply) {
      console.log(
        `\ntime-to-250 at a fixed offered load: 5 KB reply, ${PACED_RATE} msg/s offered over 10 sessions (one message per connection)\n`,
      );
      console.log('| path | p50 ms to 250 | p90 | p99 | p99 added vs direct |');
      console.log('|---|---:|---:|---:|---:|');
      let directP99 = NaN;
      for (const t of targets) {
        const lat = await pacedLatencies(t.port, reply.body, QUICK ? 300 : 1500, 10, rcpt, PACED_RATE);
        const p99 = pct(lat, 99);
        if (t.name === 'direct smtp-sink') directP99 = p99;
        results.set(`paced|p99|${t.name}`, p99);
        console.log(
          `| ${t.name} | ${pct(lat, 50).toFixed(2)} | ${pct(lat, 90).toFixed(2)} | ${p99.toFixed(2)} | ${t.name === 'direct smtp-sink' ? '' : (p99 - directP99).toFixed(2)} |`,
        );
      }
    }
    console.log('\nratios (msg/s):');
    for (const m of messages) {
      for (const sessions of [10, 50]) {
        const get = (n: string) => results.get(`${m.name}|${sessions}|${n}`) ?? NaN;
        const on = get('postguard scanning on');
        const line = [`postguard-scanning / direct ${(on / get('direct smtp-sink')).toFixed(3)}`];
        if (HARAKA)
          line.push(`postguard-scanning / Haraka-forward-only ${(on / get('Haraka 3.3.4 forward-only')).toFixed(2)}`);
        line.push(`scanning on / off ${(on / get('postguard scanning off')).toFixed(2)}`);
        console.log(`  ${m.name}, ${sessions} sessions: ${line.join(', ')}`);
      }
    }
    // Latency under saturation scales with the machine's speed, so each run says how fast its machine was.
    const direct = results.get('5 KB reply|10|direct smtp-sink') ?? NaN;
    console.log(
      `\nthis machine in this run: smtp-source → smtp-sink directly ${direct.toFixed(0)} msg/s (5 KB, 10 sessions); issue 6's reference machine: 5,200–5,700`,
    );
    const added =
      (results.get(`5 KB reply|p99|postguard scanning on`) ?? NaN) -
      (results.get(`5 KB reply|p99|direct smtp-sink`) ?? NaN);
    console.log(
      `p99 time-to-250 added by postguard (scanning on, 5 KB, 10 sessions, saturated): ${added.toFixed(2)} ms (target ≤ 10 ms)`,
    );
    const pacedAdded =
      (results.get('paced|p99|postguard scanning on') ?? NaN) - (results.get('paced|p99|direct smtp-sink') ?? NaN);
    if (!Number.isNaN(pacedAdded))
      console.log(
        `p99 time-to-250 added by postguard (scanning on, 5 KB, 10 sessions, ${PACED_RATE} msg/s offered): ${pacedAdded.toFixed(2)} ms`,
      );
    if (FLOOR) {
      const floorAdded =
        (results.get(`5 KB reply|p99|${FLOOR_NAME}`) ?? NaN) - (results.get(`5 KB reply|p99|direct smtp-sink`) ?? NaN);
      console.log(
        `p99 time-to-250 added by the floor relay, which only relays (5 KB, 10 sessions, saturated): ${floorAdded.toFixed(2)} ms`,
      );
    }
    if (failures.length) {
      console.log('\nNOT VALID — messages neither at the sink nor held:');
      for (const f of failures) console.log(`  ${f}`);
      process.exitCode = 1;
    }
    if (HARAKA) {
      const r =
        (results.get('5 KB reply|10|postguard scanning on') ?? NaN) /
        (results.get('5 KB reply|10|Haraka 3.3.4 forward-only') ?? NaN);
      console.log(`postguard-with-scanning / Haraka-forward-only (5 KB, 10 sessions): ${r.toFixed(2)} (target ≥ 2.0)`);
    }
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
