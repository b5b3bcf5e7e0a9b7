/**
 * parse/ benchmark: latency (p50/p99) and throughput for a 5 KB reply, a 100 KB mail and 25 MB attachments;
 * peak RSS growth against message size (each large case in a fresh child process); cost at 1×, 4× and 16× size.
 *
 *   npm run build && node dist/bench/scan/parse.js
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { parseMessage } from '../../src/parse/index.js';

const PARA =
  'Hello John, thanks for your message about order A-12345. We checked the shipment to Hauptstrasse 5, 10115 Berlin ' +
  'and it will arrive tomorrow. If you have questions call +49 30 1234567. Kind regards, your support team. ';

async function compose(
  text: string,
  html: string,
  attachments: { filename: string; content: Buffer }[] = [],
): Promise<Buffer> {
  return new MailComposer({
    from: '"Support Team" <support@shop.example>',
    to: '"John Doe" <john@example.com>',
    cc: 'Jane Roe <jane@example.org>',
    subject: 'Re: Your order A-12345 =?',
    text,
    html,
    attachments,
  })
    .compile()
    .build();
}

/** A ~`kb` KB text+html reply with a tracking link. */
async function reply(kb: number): Promise<Buffer> {
  const n = Math.max(1, Math.round((kb * 1024) / (PARA.length * 2.3)));
  const text = PARA.repeat(n) + '\nTrack: https://track.example/p/A-12345?email=john%40example.com\n';
  const html =
    '<html><body>' +
    Array.from({ length: n }, () => `<p style="margin:0">${PARA}</p>`).join('') +
    '<a href="https://track.example/p/A-12345?email=john%40example.com">track</a></body></html>';
  return compose(text, html);
}

/** ~`kb` KB: an HTML newsletter-style body plus a CSV attachment, scaled together. */
async function mixed(kb: number): Promise<Buffer> {
  const rows = Math.round((kb * 1024 * 0.5) / 60);
  const csv = Buffer.from(
    'id,name,email,phone\n' +
      Array.from({ length: rows }, (_, i) => `${i},Customer ${i},c${i}@example.com,+4930${i}\n`).join(''),
  );
  const n = Math.max(1, Math.round((kb * 1024 * 0.35) / (PARA.length * 1.6)));
  const html = Array.from(
    { length: n },
    (_, i) => `<tr><td>${PARA}</td><td><a href="https://x.example/i/${i}?u=${i}">x</a></td></tr>`,
  ).join('');
  return compose(PARA.repeat(n), `<table>${html}</table>`, [{ filename: 'list.csv', content: csv }]);
}

/** A message with one base64 attachment of `bytes`, written straight into a buffer (no composer overhead). */
function withAttachment(content: Buffer, filename: string, contentType: string): Buffer {
  const head = Buffer.from(
    'From: Support <support@shop.example>\r\nTo: john@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/mixed; boundary="BOUND"\r\n\r\n--BOUND\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
      'see attachment\r\n--BOUND\r\n' +
      `Content-Type: ${contentType}; name="${filename}"\r\nContent-Disposition: attachment; filename="${filename}"\r\n` +
      'Content-Transfer-Encoding: base64\r\n\r\n',
  );
  const tail = Buffer.from('\r\n--BOUND--\r\n');
  const lines = Math.ceil(content.length / 57);
  const body = Buffer.allocUnsafe(lines * 78);
  let o = 0;
  for (let i = 0; i < content.length; i += 57) {
    o += body.write(content.toString('base64', i, Math.min(i + 57, content.length)), o, 'latin1');
    o += body.write('\r\n', o, 'latin1');
  }
  return Buffer.concat([head, body.subarray(0, o), tail]);
}

function bigCsv(bytes: number): Buffer {
  const row = (i: number): string =>
    `${i},Customer Name ${i},customer${i}@example.com,+49 30 ${1000000 + i},Street ${i % 300}\n`;
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const r = row(i);
    parts.push(r);
    size += r.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latency(
  name: string,
  raw: Buffer,
  iterations: number,
): Promise<{ p50: number; p99: number; mbps: number }> {
  for (let i = 0; i < Math.min(50, iterations); i++) await parseMessage(raw);
  const times: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    await parseMessage(raw);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const total = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort((a, b) => a - b);
  const r = { p50: pct(times, 50), p99: pct(times, 99), mbps: (raw.length * iterations) / 1e6 / total };
  console.log(
    `${name.padEnd(28)} size ${(raw.length / 1024).toFixed(1).padStart(9)} KB  p50 ${r.p50.toFixed(3).padStart(8)} ms  ` +
      `p99 ${r.p99.toFixed(3).padStart(8)} ms  ${r.mbps.toFixed(1).padStart(6)} MB/s  ${(iterations / total).toFixed(0).padStart(6)} msg/s`,
  );
  return r;
}

type BigCase = 'jpeg25' | 'random25' | 'csv25' | 'zip25';

function buildBig(c: BigCase): Buffer {
  const mb = 25 * 1024 * 1024;
  if (c === 'jpeg25') {
    const img = randomBytes(mb);
    img.set([0xff, 0xd8, 0xff, 0xe0]); // JPEG magic: media, no text
    return withAttachment(img, 'photo.jpg', 'image/jpeg');
  }
  if (c === 'random25') return withAttachment(randomBytes(mb), 'blob.bin', 'application/octet-stream');
  if (c === 'csv25') return withAttachment(bigCsv(mb), 'export.csv', 'text/csv');
  // a 25 MB archive of incompressible data (stored): every member is read
  const header = (name: string, size: number, offset: number, central: boolean): Buffer => {
    const h = Buffer.alloc(central ? 46 : 30);
    h.writeUInt32LE(central ? 0x02014b50 : 0x04034b50, 0);
    const o = central ? 2 : 0;
    h.writeUInt16LE(20, 4 + o);
    h.writeUInt32LE(size, 18 + o);
    h.writeUInt32LE(size, 22 + o);
    h.writeUInt16LE(name.length, 26 + o);
    if (central) h.writeUInt32LE(offset, 42);
    return Buffer.concat([h, Buffer.from(name)]);
  };
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (let i = 0; i < 25; i++) {
    const name = `blob${i}.bin`;
    const data = randomBytes(1024 * 1024);
    const local = header(name, data.length, off, false);
    central.push(header(name, data.length, off, true));
    parts.push(local, data);
    off += local.length + data.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(25, 8);
  eocd.writeUInt16LE(25, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(off, 16);
  return withAttachment(Buffer.concat([...parts, cd, eocd]), 'archive.zip', 'application/zip');
}

/** Child: read one big message from a file (so building it does not set the peak), report RSS growth. */
async function child(file: string): Promise<void> {
  const raw = readFileSync(file);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage().rss;
  const baseMax = process.resourceUsage().maxRSS * 1024;
  const t = process.hrtime.bigint();
  const p = await parseMessage(raw);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const peak = process.resourceUsage().maxRSS * 1024;
  const growth = Math.max(0, peak - Math.max(base, baseMax));
  process.send?.({
    size: raw.length,
    ms,
    growth,
    segments: p.segments.length,
    unscannable: p.unscannable.map((u) => u.reason),
  });
}

function runChild(
  file: string,
): Promise<{ size: number; ms: number; growth: number; segments: number; unscannable: string[] }> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', file], { execArgv: ['--expose-gc'] });
    proc.once('message', (m) => resolve(m as never));
    proc.once('error', reject);
    proc.once('exit', (code) => (code ? reject(new Error(`child exit ${code}`)) : undefined));
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!);
  if (process.argv[2] === '--dump') {
    // writes the large messages as .eml files, for profiling outside the benchmark
    for (const c of ['jpeg25', 'random25', 'csv25', 'zip25'] as BigCase[])
      writeFileSync(join(process.argv[3]!, `${c}.eml`), buildBig(c));
    return;
  }
  console.log(`node ${process.version}\n\n# latency`);
  await latency('5 KB reply (text+html)', await reply(5), 5000);
  await latency('100 KB mail (html+csv)', await mixed(100), 500);
  await latency('25 MB JPEG attachment', buildBig('jpeg25'), 10);
  await latency('25 MB CSV attachment', buildBig('csv25'), 5);
  await latency('25 MB ZIP (25 members)', buildBig('zip25'), 5);

  console.log('\n# linearity (mixed html+csv mail)');
  let base = 0;
  for (const f of [1, 4, 16]) {
    const raw = await mixed(100 * f);
    const r = await latency(`${f}x`, raw, Math.max(20, Math.round(400 / f)));
    if (f === 1) base = r.p50;
    console.log(`   cost ratio vs 1x: ${(r.p50 / base).toFixed(2)} (size ratio ${f})`);
  }

  console.log('\n# peak RSS growth (fresh process per case)');
  const dir = mkdtempSync(join(tmpdir(), 'pg-bench-'));
  for (const c of ['jpeg25', 'random25', 'csv25', 'zip25'] as BigCase[]) {
    const file = join(dir, `${c}.eml`);
    writeFileSync(file, buildBig(c));
    const r = await runChild(file);
    console.log(
      `${c.padEnd(10)} message ${(r.size / 1e6).toFixed(1)} MB  parse ${r.ms.toFixed(0)} ms  peak RSS growth ${(r.growth / 1e6).toFixed(1)} MB ` +
        `= ${(r.growth / r.size).toFixed(2)}x message  segments ${r.segments}  unscannable [${r.unscannable.join(', ')}]`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

await main();
