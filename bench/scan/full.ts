/**
 * Full scanning benchmark (parse + detect + decide, the relay's inspect step) against a directory of 100,000
 * generated customers: per-message latency (p50/p99) and MB/s for a 5 KB reply, a 100 KB mail and 25 MB
 * attachments; peak RSS growth against message size (each case in a fresh child process); cost at 1×, 4×, 16×.
 *
 *   npm run build && node dist/bench/scan/full.js [--customers N]
 *
 * Self-contained (bench/ is compiled, test/ is not): the customers and messages are generated here with a seeded
 * PRNG, written as a directory CSV and imported into a temporary embedded store.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Envelope } from '../../src/core/types.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadPolicies, type PolicySet } from '../../src/decide/index.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { decideScan, scanMessage, type InspectorDeps } from '../../src/inspect/inspector.js';
import { withLuhnDigit } from '../lib/luhn.js';
import { mulberry32Float } from '../lib/prng.js';

const SECRET = 'bench-secret-0123456789abcdef0123';
/** Budget for one scan in a child process (the 25 MB CSV case). */
const CHILD_TIMEOUT_MS = 300_000;
const INTERNAL = ['support.example'];
const POLICIES = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../policies');

// ---------------------------------------------------------------------------------------------------------
// deterministic customers
// ---------------------------------------------------------------------------------------------------------

interface Customer {
  id: string;
  name: string;
  email: string;
  phone: string;
  street: string;
  city: string;
  postal: string;
  country: string;
  imei: string;
  order: string;
}

const FIRST = [
  'Maria',
  'Thomas',
  'Anna',
  'David',
  'Laura',
  'Jürgen',
  'Hélène',
  'François',
  'Zoë',
  'Oliver',
  'Sophie',
  'Lukas',
  'Emma',
  'Noah',
  'Chloé',
  'Björn',
  'Amelia',
  'James',
  'Léa',
  'Müge',
];
const LAST = [
  'Müller',
  'Schmidt',
  'Dubois',
  'Martin',
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Bernard',
  'Weiß',
  'Fischer',
  'Lefèvre',
  'Moreau',
  'Wilson',
  'Davies',
  'Evans',
  'Wagner',
  'Becker',
  'Roux',
  'Garcia',
];
const DOMAINS = [
  'gmail.com',
  'outlook.com',
  'web.de',
  'gmx.de',
  'orange.fr',
  'yahoo.com',
  'hotmail.com',
  'btinternet.com',
];
const COUNTRY = [
  {
    cc: 'US',
    city: 'Springfield',
    street: 'Oak Street',
    phone: (r: () => number) => `+1 415 ${200 + Math.floor(r() * 700)} ${digits(r, 4)}`,
  },
  {
    cc: 'GB',
    city: 'London',
    street: 'High Street',
    phone: (r: () => number) => `07${7 + Math.floor(r() * 3)}${digits(r, 2)} ${digits(r, 6)}`,
  },
  { cc: 'DE', city: 'Berlin', street: 'Lindenstraße', phone: (r: () => number) => `+49 151 ${digits(r, 8)}` },
  {
    cc: 'FR',
    city: 'Paris',
    street: 'rue de la Paix',
    phone: (r: () => number) => `06 ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
  },
];

function digits(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 10);
  return s;
}

function customers(n: number): Customer[] {
  const r = mulberry32Float(20240514);
  const out: Customer[] = [];
  for (let i = 0; i < n; i++) {
    const c = COUNTRY[i % 4]!;
    const first = FIRST[Math.floor(r() * FIRST.length)]!;
    const last = LAST[Math.floor(r() * LAST.length)]!;
    const fold = (s: string) =>
      s
        .normalize('NFKD')
        .replace(/[^a-zA-Z]/g, '')
        .toLowerCase();
    out.push({
      id: `C${100000 + i}`,
      name: `${first} ${last}`,
      email: `${fold(first)}.${fold(last)}.${i}@${DOMAINS[i % DOMAINS.length]}`,
      phone: c.phone(r),
      street: c.cc === 'DE' ? `${c.street} ${1 + (i % 200)}` : `${1 + (i % 200)} ${c.street}`,
      city: c.city,
      postal: c.cc === 'GB' ? `E${1 + (i % 20)} ${digits(r, 1)}AB` : digits(r, 5),
      country: c.cc,
      imei: withLuhnDigit('35' + digits(r, 12)),
      order: `ORD-${String(100000 + i)}`,
    });
  }
  return out;
}

function csv(cs: readonly Customer[]): string {
  const q = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return (
    'customer_id,full_name,email,phone,street,city,postal_code,country,imei,order_id\n' +
    cs
      .map((c) =>
        [c.id, c.name, c.email, c.phone, c.street, c.city, c.postal, c.country, c.imei, c.order].map(q).join(','),
      )
      .join('\n') +
    '\n'
  );
}

// ---------------------------------------------------------------------------------------------------------
// messages
// ---------------------------------------------------------------------------------------------------------

function sig(): string {
  return '\n\nKind regards,\nSam\nExample Shop GmbH · Friedrichstraße 68, 10117 Berlin · +49 30 2360 8800\nhttps://www.shop.example/help\n';
}

async function compose(
  to: Customer,
  subject: string,
  text: string,
  html: string,
  attachments: { filename: string; content: Buffer; contentType?: string }[] = [],
): Promise<Buffer> {
  const raw = await new MailComposer({
    from: 'Example Shop <help@support.example>',
    to: `"${to.name}" <${to.email}>`,
    subject,
    text,
    html,
    attachments,
    date: new Date('2024-05-14T09:30:00Z'),
    messageId: '<bench@support.example>',
  })
    .compile()
    .build();
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** A ~`kb` KB text+html reply to customer `c` with their own order, phone, address and IMEI. */
async function reply(c: Customer, kb: number): Promise<Buffer> {
  const para =
    `thank you for contacting us about your order ${c.order}. We tried to call you on ${c.phone}; the replacement ships to ` +
    `${c.street}, ${c.postal} ${c.city}. Your device (IMEI ${c.imei}) is registered for the repair. Tracking 1Z999AA10123456784, total 129.99 EUR. `;
  const n = Math.max(1, Math.round((kb * 1024) / (para.length * 2.2)));
  const text = `Dear ${c.name},\n\n` + Array.from({ length: n }, () => para).join('\n') + sig();
  const html =
    `<html><body><p>Dear ${c.name},</p>` +
    Array.from({ length: n }, () => `<p>${para}</p>`).join('') +
    `<p>${sig()}</p></body></html>`;
  return compose(c, `Re: Your order ${c.order}`, text, html);
}

/** ~`kb` KB: an HTML body plus a CSV of directory customers (half the size each); scales linearly. */
async function mixed(to: Customer, cs: readonly Customer[], kb: number, offset: number): Promise<Buffer> {
  const rowsWanted = Math.max(1, Math.round((kb * 1024 * 0.5) / 110));
  const rows = Array.from({ length: rowsWanted }, (_, i) => cs[(offset + i * 7919) % cs.length]!);
  const attachment = Buffer.from(csv(rows));
  const para = `Status update for the ${rowsWanted} tickets in the attached list; prices from 9.99 EUR, next review on 2024-06-01. `;
  const n = Math.max(1, Math.round((kb * 1024 * 0.5) / (para.length * 2.4)));
  const text = Array.from({ length: n }, () => para).join('\n') + sig();
  const html =
    '<table>' +
    Array.from(
      { length: n },
      (_, i) => `<tr><td>${para}</td><td><a href="https://www.shop.example/t/${i}">open</a></td></tr>`,
    ).join('') +
    '</table>';
  return compose(to, 'Ticket status', text, html, [
    { filename: 'tickets.csv', content: attachment, contentType: 'text/csv' },
  ]);
}

/** One base64 attachment of `content` written straight into a buffer (no composer overhead at 25 MB). */
function withAttachment(to: Customer, content: Buffer, filename: string, contentType: string): Buffer {
  const head = Buffer.from(
    `From: Example Shop <help@support.example>\r\nTo: "${to.name}" <${to.email}>\r\nSubject: Your files\r\nMIME-Version: 1.0\r\n` +
      'Content-Type: multipart/mixed; boundary="BOUND"\r\n\r\n--BOUND\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
      'please find the file attached.\r\n--BOUND\r\n' +
      `Content-Type: ${contentType}; name="${filename}"\r\nContent-Disposition: attachment; filename="${filename}"\r\n` +
      'Content-Transfer-Encoding: base64\r\n\r\n',
    'utf8',
  );
  const lines: string[] = [];
  for (let i = 0; i < content.length; i += 57)
    lines.push(content.toString('base64', i, Math.min(i + 57, content.length)));
  return Buffer.concat([head, Buffer.from(lines.join('\r\n'), 'latin1'), Buffer.from('\r\n--BOUND--\r\n')]);
}

function bigCsv(cs: readonly Customer[], bytes: number): Buffer {
  const parts: string[] = ['customer_id,full_name,email,phone,street,city,postal_code,country,imei,order_id\n'];
  let size = parts[0]!.length;
  for (let i = 0; size < bytes; i++) {
    const line = csv([cs[(i * 7919) % cs.length]!]).split('\n')[1]! + '\n';
    parts.push(line);
    size += Buffer.byteLength(line);
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

function bigJpeg(bytes: number): Buffer {
  const r = mulberry32Float(7);
  const b = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i += 4) b.writeUInt32LE(Math.floor(r() * 4294967296), Math.min(i, bytes - 4));
  b.set([0xff, 0xd8, 0xff, 0xe0]);
  return b;
}

// ---------------------------------------------------------------------------------------------------------
// measuring
// ---------------------------------------------------------------------------------------------------------

interface Env {
  directory: Directory;
  deps: InspectorDeps;
}

async function openEnv(dataDir: string): Promise<Env> {
  const directory = await openDirectory({ dataDir, secret: SECRET, follow: false, logger: silentLogger });
  const policy: PolicySet = await loadPolicies(POLICIES);
  return { directory, deps: { directory, internalDomains: INTERNAL, policy: () => policy, monitor: false } };
}

async function fullScan(
  env: Env,
  raw: Buffer,
  envelope: Envelope,
): Promise<{ action: string; findings: number; unscannable: string[] }> {
  const scan = await scanMessage(raw, envelope, env.deps);
  const verdict = await decideScan(scan, envelope, env.deps);
  return {
    action: verdict.action,
    findings: scan.detection.findings.length,
    unscannable: scan.detection.unscannable.map((u) => u.reason),
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Row {
  name: string;
  size: number;
  p50: number;
  p99: number;
  mbps: number;
  action: string;
  findings: number;
  unscannable: string[];
}

/** Up to `iterations` runs (after warm-up), stopping early once `budgetMs` is spent (at least 3 runs). */
async function latency(
  env: Env,
  name: string,
  raw: Buffer,
  envelope: Envelope,
  iterations: number,
  budgetMs = 20_000,
): Promise<Row> {
  let last = await fullScan(env, raw, envelope);
  const warm = Date.now();
  for (let i = 1; i < Math.min(20, iterations) && Date.now() - warm < budgetMs / 4; i++)
    await fullScan(env, raw, envelope);
  const times: number[] = [];
  const start = process.hrtime.bigint();
  const t0 = Date.now();
  for (let i = 0; i < iterations && (i < 3 || Date.now() - t0 < budgetMs); i++) {
    const t = process.hrtime.bigint();
    last = await fullScan(env, raw, envelope);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const total = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort((a, b) => a - b);
  iterations = times.length;
  const row = {
    name,
    size: raw.length,
    p50: pct(times, 50),
    p99: pct(times, 99),
    mbps: (raw.length * iterations) / 1e6 / total,
    ...last,
  };
  console.log(
    `| ${name.padEnd(30)} | ${fmtSize(row.size).padStart(9)} | ${row.p50.toFixed(2).padStart(9)} | ${row.p99.toFixed(2).padStart(9)} | ${row.mbps.toFixed(1).padStart(6)} | ` +
      `${String(iterations).padStart(5)} | ${row.action.padEnd(10)} | ${String(row.findings).padStart(8)} | ${row.unscannable.join(',') || '-'}`,
  );
  return row;
}

function fmtSize(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`;
}

/** Child: open the directory, read one message from a file, scan it once; report peak RSS growth. */
async function child(dataDir: string, file: string, rcpt: string): Promise<void> {
  const env = await openEnv(dataDir);
  const envelope = { mailFrom: 'help@support.example', rcptTo: [rcpt] };
  // warm up the code paths (pdfjs/exceljs not involved; text, html, csv) on a tiny message
  await fullScan(env, Buffer.from(`From: a@support.example\r\nTo: ${rcpt}\r\nSubject: x\r\n\r\nhello\r\n`), envelope);
  const raw = readFileSync(file);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = Math.max(process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const t = process.hrtime.bigint();
  const r = await fullScan(env, raw, envelope);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const growth = Math.max(0, process.resourceUsage().maxRSS * 1024 - base);
  await env.directory.close();
  process.send?.({ size: raw.length, ms, growth, baseRss: base, ...r });
}

interface ChildResult {
  size: number;
  ms: number;
  growth: number;
  baseRss: number;
  action: string;
  findings: number;
  unscannable: string[];
}

/** One full scan in a fresh process; null when it did not finish within `timeoutMs` (the child is killed). */
function runChild(dataDir: string, file: string, rcpt: string, timeoutMs: number): Promise<ChildResult | null> {
  return new Promise((resolvePromise, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', dataDir, file, rcpt], { execArgv: ['--expose-gc'] });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolvePromise(null);
    }, timeoutMs);
    proc.once('message', (m) => {
      clearTimeout(timer);
      resolvePromise(m as ChildResult);
    });
    proc.once('error', reject);
    proc.once('exit', (code) => (code ? reject(new Error(`child exit ${code}`)) : undefined));
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
  const ci = process.argv.indexOf('--customers');
  const n = ci > 0 ? Number(process.argv[ci + 1]) : 100_000;
  const tmp = mkdtempSync(join(tmpdir(), 'pg-bench-full-'));
  try {
    console.log(`node ${process.version}, ${n.toLocaleString('en')} customers`);
    const cs = customers(n);
    const csvFile = join(tmp, 'customers.csv');
    writeFileSync(csvFile, csv(cs));
    const dataDir = join(tmp, 'data');
    const importer = await openDirectory({ dataDir, secret: SECRET, follow: false, logger: silentLogger });
    const t0 = Date.now();
    const report = await importer.import(csvFile, { mode: 'replace' });
    const stats = importer.stats();
    console.log(
      `directory import: ${report.customers.toLocaleString('en')} customers, ${stats.totalValues.toLocaleString('en')} values in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
        `index ≈ ${(stats.memoryBytes / 1e6).toFixed(1)} MB; invalid cells ${report.invalidValues}`,
    );
    await importer.close();

    const env = await openEnv(dataDir);
    const me = cs[42]!;
    const envelope: Envelope = { mailFrom: 'help@support.example', rcptTo: [me.email] };

    console.log('\n# latency of full scanning (parse + detect + decide)\n');
    console.log(
      `| ${'message'.padEnd(30)} | ${'size'.padStart(9)} | ${'p50 ms'.padStart(9)} | ${'p99 ms'.padStart(9)} | ${'MB/s'.padStart(6)} | ${'iters'.padStart(5)} | ${'verdict'.padEnd(10)} | findings | unscannable`,
    );
    console.log(
      `|${'-'.repeat(32)}|${'-'.repeat(11)}|${'-'.repeat(11)}|${'-'.repeat(11)}|${'-'.repeat(8)}|${'-'.repeat(7)}|${'-'.repeat(12)}|${'-'.repeat(10)}|------------`,
    );
    const r5 = await reply(me, 5);
    const m100 = await mixed(me, cs, 100, 1);
    const csv25 = withAttachment(me, bigCsv(cs, 25 * 1024 * 1024), 'export.csv', 'text/csv');
    const jpg25 = withAttachment(me, bigJpeg(25 * 1024 * 1024), 'photo.jpg', 'image/jpeg');
    await latency(env, '5 KB own-data reply (text+html)', r5, envelope, 3000);
    await latency(env, '100 KB mail (html + csv list)', m100, envelope, 300);
    await latency(env, '25 MB JPEG attachment', jpg25, envelope, 10);
    console.log('  (25 MB CSV export: one scan in a fresh process with a time budget, see the RSS table)');

    // The relay stops detection at 5,000 findings (the decision is made by then); the dense list passes that
    // at 4×, so here the cap is lifted to measure what scanning all of it costs.
    console.log('\n# cost against size (html + csv list; findings cap lifted, so everything is scanned)\n');
    const uncapped: Env = { ...env, deps: { ...env.deps, maxFindings: Number.MAX_SAFE_INTEGER } };
    let base = 0;
    for (const f of [1, 4, 16]) {
      const raw = await mixed(me, cs, 100 * f, f);
      const row = await latency(
        uncapped,
        `${f}x (${100 * f} KB)`,
        raw,
        envelope,
        Math.max(10, Math.round(200 / f)),
        30_000,
      );
      if (f === 1) base = row.p50;
      console.log(
        `    cost ratio vs 1x: ${(row.p50 / base).toFixed(2)} for size ratio ${(raw.length / m100.length).toFixed(2)}`,
      );
    }
    await env.directory.close();

    console.log('\n# peak RSS growth during one full scan (fresh process per case, directory loaded before)\n');
    const cases: [string, Buffer][] = [
      ['5 KB reply', r5],
      ['100 KB mail', m100],
      ['400 KB mail', await mixed(me, cs, 400, 4)],
      ['1.6 MB mail', await mixed(me, cs, 1600, 16)],
      ['25 MB JPEG attachment', jpg25],
      ['25 MB CSV attachment', csv25],
    ];
    for (const [name, raw] of cases) {
      const file = join(tmp, 'msg.eml');
      writeFileSync(file, raw);
      const r = await runChild(dataDir, file, me.email, CHILD_TIMEOUT_MS);
      if (!r) {
        console.log(
          `  ${name.padEnd(24)} message ${fmtSize(raw.length).padStart(9)}  scan did not finish within ${CHILD_TIMEOUT_MS / 1000} s (killed)`,
        );
        continue;
      }
      console.log(
        `  ${name.padEnd(24)} message ${fmtSize(r.size).padStart(9)}  scan ${r.ms.toFixed(0).padStart(6)} ms  RSS before ${(r.baseRss / 1e6).toFixed(0)} MB  ` +
          `peak growth ${(r.growth / 1e6).toFixed(1).padStart(6)} MB = ${(r.growth / r.size).toFixed(2)}x message  (${r.action}, ${r.findings} findings${r.unscannable.length ? `, unscannable: ${r.unscannable.join(',')}` : ''})`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
