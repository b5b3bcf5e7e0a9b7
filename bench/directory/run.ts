/**
 * Directory benchmark: N customers × 8 values (default 1,000,000).
 *
 *   npm run build && node --expose-gc dist/bench/directory/run.js [N]
 *
 * Generates a CSV (faker pools combined with counters: faker itself is too slow for millions of rows), imports
 * it into an embedded directory, and measures import time, index memory, lookups/s (normalised values, half
 * hits, half misses), reopen-from-snapshot time and detection throughput on a typical reply.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedMessage } from '../../src/core/types.js';
import { detect } from '../../src/detect/index.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { KeyedHasher } from '../../src/directory/keyed-hash.js';
import { lookupSample, QUOTE, row, writeCsv } from './customers.js';

const N = Number(process.argv[2] ?? 1_000_000);
const TARGET = { rssMb: 200, importS: 60, lookupsPerS: 1_000_000 };

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) g();
}

const mb = (b: number): number => b / 1024 / 1024;
const hasher = new KeyedHasher(Buffer.from('bench-secret-0123456789abcdef'));

function lookupsPerSecond(dir: Directory, n: number): { rate: number; cpuRate: number; hits: number; total: number } {
  const sample = lookupSample(n);
  let hits = 0;
  let total = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    for (let i = 0; i < sample.length; i++) {
      const [kind, v] = sample[i]!;
      if (dir.lookup(kind, v).length > 0) hits++;
    }
    total += sample.length;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { rate: total / wall, cpuRate: total / ((cpu.user + cpu.system) / 1e6), hits, total };
}

function hashesPerSecond(): number {
  const h = hasher;
  const values = Array.from({ length: 1000 }, (_, i) => row(i).email);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    for (const v of values) h.hash('email', v);
    n += values.length;
  }
  return n / ((performance.now() - t0) / 1000);
}

function detectRate(dir: Directory, n: number): number {
  const r = row(Math.floor(n / 2));
  const body =
    `Hello ${r.name.split(' ')[0]},\n\nthank you for your message about order ${r.order}. We have checked the ` +
    `device (IMEI ${r.imei}) and will send the replacement to ${r.street}, ${r.city} ${r.zip}.\n` +
    `If you have questions call us on +1 (800) 555-0100 or reply to this mail. Your ticket reference is ` +
    `2024-05-12/7781, total $129.99.\n\nKind regards\nSupport team\nExample Shop Inc., 1 Market Street, San Francisco\n`;
  const parsed: ParsedMessage = {
    subject: `Re: your order ${r.order}`,
    from: [],
    to: [{ address: r.email, name: r.name }],
    cc: [],
    bcc: [],
    replyTo: [],
    headers: new Map(),
    segments: [
      { index: 0, location: 'subject', source: 'subject', text: `Re: your order ${r.order}` },
      { index: 1, location: 'body', source: 'body:text', text: body + '\n> ' + QUOTE.replace(/\n/g, '\n> ') },
    ],
    attachments: [],
    unscannable: [],
  };
  const env = { mailFrom: 'support@shop.example', rcptTo: [r.email] };
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    detect(parsed, env, dir, { internalDomains: ['shop.example'] });
    count++;
  }
  return count / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'pg-bench-dir-'));
  try {
    const csv = join(tmp, 'customers.csv');
    let t = performance.now();
    await writeCsv(csv, N);
    const genS = (performance.now() - t) / 1000;
    const csvMb = mb((await stat(csv)).size);

    gc();
    const base = process.memoryUsage();
    const dir = await openDirectory({
      dataDir: join(tmp, 'data'),
      secret: 'bench-secret-0123456789abcdef',
      follow: false,
      missCache: 0,
    }); // raw index speed: no cross-lookup miss cache
    t = performance.now();
    const report = await dir.import(csv, { mode: 'replace' });
    const importS = (performance.now() - t) / 1000;
    gc();
    await new Promise((r) => setTimeout(r, 200));
    gc();
    const after = process.memoryUsage();
    const rssMb = mb(after.rss - base.rss);
    const heapMb = mb(after.heapUsed + after.arrayBuffers - base.heapUsed - base.arrayBuffers);
    const stats = dir.stats();

    const lk = lookupsPerSecond(dir, N);
    const msgs = detectRate(dir, N);
    const hashes = hashesPerSecond();
    await dir.close();

    t = performance.now();
    const reopened = await openDirectory({
      dataDir: join(tmp, 'data'),
      secret: 'bench-secret-0123456789abcdef',
      follow: false,
    });
    const reopenS = (performance.now() - t) / 1000;
    const customers = reopened.stats().customers;
    await reopened.close();
    const snapMb = mb((await stat(join(tmp, 'data', 'directory', 'snapshot.bin'))).size);

    const pf = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
    const rows: [string, string, string, string][] = [
      ['customers', String(report.customers), '', ''],
      ['values stored (distinct)', String(stats.totalValues), '', ''],
      ['rows skipped / invalid values', `${report.skippedRows} / ${report.invalidValues}`, '', ''],
      ['CSV generation', `${genS.toFixed(1)} s (${csvMb.toFixed(0)} MB)`, '', ''],
      ['import time', `${importS.toFixed(1)} s`, `≤ ${TARGET.importS} s`, pf(importS <= TARGET.importS)],
      ['index RSS delta after gc', `${rssMb.toFixed(0)} MB`, `≤ ${TARGET.rssMb} MB`, pf(rssMb <= TARGET.rssMb)],
      ['index heap+arrayBuffers delta', `${heapMb.toFixed(0)} MB`, '', ''],
      ['index size (own estimate)', `${mb(stats.memoryBytes).toFixed(0)} MB`, '', ''],
      [
        'lookups/s (50% hits)',
        `${Math.round(lk.rate).toLocaleString('en')} (${((lk.hits / lk.total) * 100).toFixed(0)}% hit)`,
        `≥ ${TARGET.lookupsPerS.toLocaleString('en')}`,
        pf(lk.rate >= TARGET.lookupsPerS),
      ],
      ['lookups per CPU-second', Math.round(lk.cpuRate).toLocaleString('en'), '', ''],
      [`keyed hashes/s (HMAC-SHA256, ${hasher.engine})`, Math.round(hashes).toLocaleString('en'), '', ''],
      [
        'reopen from snapshot',
        `${reopenS.toFixed(1)} s (${snapMb.toFixed(0)} MB file, ${customers} customers)`,
        '',
        '',
      ],
      [
        `detect() on a ${(QUOTE.length / 1024 + 0.6).toFixed(1)} KB reply`,
        `${Math.round(msgs).toLocaleString('en')} msgs/s`,
        '',
        '',
      ],
    ];
    const w = [32, 44, 14, 5];
    console.log(
      `postguard directory benchmark — N = ${N.toLocaleString('en')} customers × 8 values, node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`,
    );
    console.log(['metric', 'measured', 'target', ''].map((c, i) => c.padEnd(w[i]!)).join(' '));
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join(' '));
    if (rows.some((r) => r[3] === 'FAIL')) process.exitCode = 1;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

void main();
