/**
 * Hostile messages built in code (no fixtures on disk): MIME and archive bombs, huge headers, very long lines,
 * pathological HTML, and byte-level mutations of real messages. Every builder is bounded in the memory it needs to
 * *build* the bomb (the ZIP bomb's 1 MB of deflated zeros is repeated, never materialised).
 */
import { Zip, zipSync, type ZipInputFile } from 'fflate';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';

const CRLF = '\r\n';
const HEAD = (ct: string, extra: string[] = []) =>
  [
    'From: agent@support.example',
    'To: someone@example.com',
    'Subject: hostile',
    `Message-ID: <h${Math.random().toString(36).slice(2)}@support.example>`,
    'MIME-Version: 1.0',
    ...extra,
    `Content-Type: ${ct}`,
  ].join(CRLF) +
  CRLF +
  CRLF;

/** multipart/mixed nested `depth` levels deep, a text part at the bottom. */
export function nestedMultipart(depth: number, plant = ''): Buffer {
  let body = `Content-Type: text/plain\r\n\r\nbottom ${plant}\r\n`;
  for (let i = depth - 1; i >= 0; i--) {
    body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`;
  }
  const first = body.indexOf('\r\n\r\n');
  return Buffer.from(HEAD(body.slice('Content-Type: '.length, first)) + body.slice(first + 4));
}

/** message/rfc822 nested `depth` levels deep. */
export function nestedRfc822(depth: number, plant = ''): Buffer {
  let inner = `Subject: bottom\r\nContent-Type: text/plain\r\n\r\nbottom ${plant}\r\n`;
  for (let i = 0; i < depth; i++) inner = `Subject: level ${i}\r\nContent-Type: message/rfc822\r\n\r\n${inner}`;
  return Buffer.from(HEAD('message/rfc822') + inner);
}

/** One multipart with `n` small text (and every 10th a tiny attachment) parts. */
export function manyParts(n: number, plant = ''): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      i % 10 === 0
        ? `--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="f${i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQ=\r\n`
        : `--B\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`,
    );
  }
  parts.push(`--B\r\nContent-Type: text/plain\r\n\r\nlast ${plant}\r\n`);
  return Buffer.from(HEAD('multipart/mixed; boundary="B"') + parts.join('') + '--B--\r\n');
}

/** A single header line of `bytes` bytes (unfolded), plus a folded 1 MB Subject. */
export function hugeHeader(bytes: number, plant = ''): Buffer {
  const folded = Array.from({ length: Math.ceil(bytes / 70) }, (_, i) => (i ? ' ' : '') + 'w'.repeat(69)).join('\r\n');
  return Buffer.from(HEAD('text/plain', [`X-Huge: ${'h'.repeat(bytes)}`, `X-Folded: ${folded}`]) + `body ${plant}\r\n`);
}

/** 50,000 header fields. */
export function manyHeaders(n: number, plant = ''): Buffer {
  const hs = Array.from({ length: n }, (_, i) => `X-H${i}: value ${i}`);
  return Buffer.from(HEAD('text/plain', hs) + `body ${plant}\r\n`);
}

/** A body line of `bytes` bytes without any line break (text and base64 variants). */
export function longLine(bytes: number, base64 = false, plant = ''): Buffer {
  if (base64)
    return Buffer.from(
      HEAD('text/plain; charset=utf-8', ['Content-Transfer-Encoding: base64']) +
        Buffer.concat([Buffer.alloc(bytes * 0.75, 'A'), Buffer.from(' ' + plant)]).toString('base64') +
        CRLF,
    );
  return Buffer.from(HEAD('text/plain') + 'l'.repeat(bytes) + ' ' + plant + CRLF);
}

/** `n` nested tags (plus unclosed tags, attribute soup and an unterminated comment). */
export function pathologicalHtml(
  n: number,
  kind: 'nested' | 'unclosed' | 'attrs' | 'comment' = 'nested',
  plant = '',
): Buffer {
  let html: string;
  if (kind === 'nested') html = '<div>'.repeat(n) + `deep text ${plant}` + '</div>'.repeat(n);
  else if (kind === 'unclosed') html = '<a href="x"><b><i>'.repeat(n / 3) + `text ${plant}`;
  else if (kind === 'attrs')
    html = '<p ' + Array.from({ length: n }, (_, i) => `a${i}="${i}"`).join(' ') + `>text ${plant}</p>`;
  else html = `<p>before ${plant}</p><!--` + '-'.repeat(n) + '<p>after';
  // quoted-printable would be the usual form; keep lines short enough for SMTP (998) by folding with soft breaks
  const qp = html.replace(/(.{0,900})/g, '$1=\r\n');
  return Buffer.from(HEAD('text/html; charset=utf-8', ['Content-Transfer-Encoding: quoted-printable']) + qp + CRLF);
}

function attachmentMail(filename: string, data: Uint8Array, ct = 'application/zip'): Buffer {
  const b64 = Buffer.from(data)
    .toString('base64')
    .replace(/(.{76})/g, '$1\r\n');
  return Buffer.from(
    HEAD('multipart/mixed; boundary="Z"') +
      `--Z\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--Z\r\nContent-Type: ${ct}\r\nContent-Disposition: attachment; filename="${filename}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--Z--\r\n`,
  );
}

/**
 * A ZIP whose single member inflates to `mb` MB of zeros. The deflate stream is 1 MB of zeros compressed once
 * (zlib, level 9, ending on a byte boundary: sync flush) and repeated `mb` times, then closed by an empty final
 * block: a valid stream of `mb` MB that costs one 1 MB compression to build instead of `mb` (compressing 256 MB
 * plus 100 MB for the two bombs took ~3 s of CPU in every run). fflate writes the ZIP around it.
 */
export function zipBombBytes(mb: number, name = 'zeros.bin'): Uint8Array {
  const zerosMb = new Uint8Array(1024 * 1024);
  const blocks = deflateRawSync(zerosMb, { level: 9, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const out: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    out.push(chunk);
  });
  let crc = 0;
  for (let i = 0; i < mb; i++) crc = crc32(zerosMb, crc);
  const member: ZipInputFile = { filename: name, compression: 8, size: mb * zerosMb.length, crc };
  zip.add(member);
  for (let i = 0; i < mb; i++) member.ondata!(null, blocks, false);
  member.ondata!(null, deflateRawSync(Buffer.alloc(0)), true);
  zip.end();
  return Buffer.concat(out);
}

export function zipBomb(mb: number): Buffer {
  return attachmentMail('invoice.zip', zipBombBytes(mb));
}

/** ZIP of `copies` ZIPs of `mbEach` MB of zeros each (42.zip style, one level of nesting). */
export function nestedZipBomb(copies: number, mbEach: number): Buffer {
  const inner = zipBombBytes(mbEach);
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < copies; i++) files[`part${i}.zip`] = inner;
  return attachmentMail('archive.zip', zipSync(files, { level: 0 }));
}

/** ZIP nested `depth` levels (zip in zip in zip …). */
export function deepZip(depth: number): Buffer {
  let z: Uint8Array = zipSync({ 'bottom.txt': new TextEncoder().encode('bottom') });
  for (let i = 0; i < depth; i++) z = zipSync({ [`level${i}.zip`]: z }, { level: 0 });
  return attachmentMail('deep.zip', z);
}

/** A ZIP listing `n` tiny members. */
export function manyEntryZip(n: number): Buffer {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < n; i++) files[`f${i}.txt`] = new Uint8Array([0x61]);
  return attachmentMail('many.zip', zipSync(files, { level: 0 }));
}

/** Truncated / corrupted archives and documents. */
export function brokenAttachments(): Buffer {
  const zip = zipSync({ 'a.txt': new TextEncoder().encode('hello '.repeat(1000)) });
  return Buffer.from(
    HEAD('multipart/mixed; boundary="Q"') +
      `--Q\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename="cut.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(zip.slice(0, zip.length / 2)).toString('base64')}\r\n` +
      `--Q\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="bad.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('%PDF-1.7\n1 0 obj << /Length 999999999 >> stream\nxx').toString('base64')}\r\n` +
      `--Q\r\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\r\nContent-Disposition: attachment; filename="bad.docx"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n` +
      `--Q\r\nContent-Type: text/plain; charset=x-unknown-charset\r\nContent-Transfer-Encoding: x-weird\r\n\r\n\u00ff\u00fe garbage\r\n--Q`, // no closing boundary
    'latin1',
  );
}

export interface Bomb {
  name: string;
  /** The bomb; `plant` (a customer value) is put where only a complete scan finds it (the far end, the deepest part). */
  raw: (plant: string) => Buffer;
  /** A resource limit applies: the parse must report an unscannable part. */
  mustBeUnscannable: boolean;
}

const memo = new Map<string, Buffer>();
function cached(key: string, build: () => Buffer): Buffer {
  let b = memo.get(key);
  if (!b) memo.set(key, (b = build()));
  return b;
}

export const BOMBS: Bomb[] = [
  { name: 'multipart nested 100 deep', raw: (p) => nestedMultipart(100, p), mustBeUnscannable: false },
  { name: 'message/rfc822 nested 100 deep', raw: (p) => nestedRfc822(100, p), mustBeUnscannable: true },
  { name: '10,000 MIME parts', raw: (p) => manyParts(10_000, p), mustBeUnscannable: true },
  { name: '1 MB header line + 1 MB folded header', raw: (p) => hugeHeader(1024 * 1024, p), mustBeUnscannable: false },
  { name: '50,000 header fields', raw: (p) => manyHeaders(50_000, p), mustBeUnscannable: false },
  { name: '8 MB line without a break', raw: (p) => longLine(8 * 1024 * 1024, false, p), mustBeUnscannable: true },
  { name: '8 MB base64 single line', raw: (p) => longLine(8 * 1024 * 1024, true, p), mustBeUnscannable: true },
  // regression: the e-mail recognizer was quadratic on long local-part-like runs in a segment with an '@'
  {
    name: "1 MB word of letters next to an '@'",
    raw: (p) => Buffer.from(HEAD('text/plain') + `${p} x@ ` + 'a'.repeat(1024 * 1024) + '\r\n'),
    mustBeUnscannable: false,
  },
  {
    name: "1 MB of dashes next to an '@'",
    raw: (p) => Buffer.from(HEAD('text/plain') + `${p} ` + '-'.repeat(1024 * 1024) + '\r\n'),
    mustBeUnscannable: false,
  },
  { name: 'HTML 100k nested <div>', raw: (p) => pathologicalHtml(100_000, 'nested', p), mustBeUnscannable: false },
  { name: 'HTML 100k unclosed tags', raw: (p) => pathologicalHtml(100_000, 'unclosed', p), mustBeUnscannable: false },
  {
    name: 'HTML tag with 100k attributes',
    raw: (p) => pathologicalHtml(100_000, 'attrs', p),
    mustBeUnscannable: false,
  },
  {
    name: 'HTML 1 MB unterminated comment',
    raw: (p) => pathologicalHtml(1_000_000, 'comment', p),
    mustBeUnscannable: false,
  },
  {
    name: 'ZIP bomb: 1 member → 256 MB of zeros',
    raw: () => cached('zip256', () => zipBomb(256)),
    mustBeUnscannable: true,
  },
  {
    name: 'nested ZIP bomb: 10 × 100 MB',
    raw: () => cached('nested', () => nestedZipBomb(10, 100)),
    mustBeUnscannable: true,
  },
  { name: 'ZIP nested 20 deep', raw: () => deepZip(20), mustBeUnscannable: true },
  { name: 'ZIP with 10,000 entries', raw: () => cached('many', () => manyEntryZip(10_000)), mustBeUnscannable: true },
  { name: 'truncated/corrupt attachments', raw: () => brokenAttachments(), mustBeUnscannable: true },
];

/** Deterministic byte mutations of a message (PRNG seeded), for the real-world corpus run. */
export function mutate(raw: Buffer, seed: number): Buffer {
  let s = seed >>> 0 || 1;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const b = Buffer.from(raw);
  const kind = seed % 4;
  if (kind === 0) return b.subarray(0, Math.floor(rnd() * b.length)); // truncated
  if (kind === 1) {
    for (let i = 0; i < 20; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256); // random bytes
    return b;
  }
  if (kind === 2) {
    // boundary / header damage: drop every line containing "--" or "Content-" with probability 1/2
    const lines = b.toString('latin1').split('\r\n');
    return Buffer.from(lines.filter((l) => !(/^--|^Content-/i.test(l) && rnd() < 0.5)).join('\r\n'), 'latin1');
  }
  // duplicated block in the middle
  const at = Math.floor(rnd() * b.length);
  return Buffer.concat([b.subarray(0, at), b.subarray(Math.floor(at / 2)), b.subarray(at)]);
}
