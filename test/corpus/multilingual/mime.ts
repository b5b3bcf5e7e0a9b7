/**
 * A small MIME writer for the multilingual corpus, so the corpus controls exactly what real clients emit:
 * legacy charsets (iconv-lite), quoted-printable with soft line breaks at any column (they cut values in two),
 * base64, RFC 2047 encoded words in headers, RFC 2231 attachment names, multipart/alternative and /mixed.
 */
import iconv from 'iconv-lite';
import Encoding from 'encoding-japanese';

export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Charset of a non-ASCII file name (RFC 2231); default utf-8. */
  filenameCharset?: string;
}

export interface BodySpec {
  text?: string;
  html?: string;
  /** Body charset; default utf-8. `iso-2022-jp` is written with encoding-japanese. */
  charset?: string;
  cte?: 'quoted-printable' | 'base64' | '8bit' | '7bit';
  /** Column of quoted-printable soft breaks (default 76). */
  qpWidth?: number;
  attachments?: Attachment[];
}

/** Vietnamese in Windows-1258: base letters precomposed where the code page has them, tone marks combining. */
function toCp1258Form(s: string): string {
  const TONES = /[\u0300\u0301\u0303\u0309\u0323]/g;
  let out = '';
  for (const ch of s.normalize('NFC')) {
    const dch = ch.normalize('NFD');
    const tones = dch.match(TONES)?.join('') ?? '';
    out += dch.replace(TONES, '').normalize('NFC') + tones;
  }
  return out;
}

export function encodeText(s: string, charset: string): Buffer {
  const cs = charset.toLowerCase();
  if (cs === 'utf-8') return Buffer.from(s, 'utf8');
  if (cs === 'iso-2022-jp')
    return Buffer.from(Encoding.convert(Encoding.stringToCode(s), { to: 'JIS', from: 'UNICODE' }) as number[]);
  if (cs === 'windows-1258') return iconv.encode(toCp1258Form(s), cs);
  return iconv.encode(s, cs);
}

/** Quoted-printable with soft breaks every `width` columns, wherever they fall. CRLF line ends. */
export function qp(bytes: Buffer, width = 76): string {
  const lines: string[] = [];
  let cur = '';
  const flush = (soft: boolean): void => {
    lines.push(cur + (soft ? '=' : ''));
    cur = '';
  };
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k]!;
    if (b === 0x0d && bytes[k + 1] === 0x0a) {
      if (/[ \t]$/.test(cur))
        cur =
          cur.slice(0, -1) +
          '=' +
          cur
            .charCodeAt(cur.length - 1)
            .toString(16)
            .toUpperCase()
            .padStart(2, '0');
      flush(false);
      k++;
      continue;
    }
    const tok =
      b === 0x3d || b > 126 || (b < 32 && b !== 9)
        ? '=' + b.toString(16).toUpperCase().padStart(2, '0')
        : String.fromCharCode(b);
    if (cur.length + tok.length > width - 1) flush(true);
    cur += tok;
  }
  lines.push(cur);
  return lines.join('\r\n');
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
}

/** RFC 2047 encoded word(s) for a header value with non-ASCII text; ASCII stays as is. */
export function ew(s: string, charset = 'utf-8', enc: 'B' | 'Q' = 'B'): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  const words: string[] = [];
  const chars = [...s];
  for (let k = 0; k < chars.length; k += 18) {
    const bytes = encodeText(chars.slice(k, k + 18).join(''), charset);
    words.push(
      enc === 'B'
        ? `=?${charset.toUpperCase()}?B?${bytes.toString('base64')}?=`
        : `=?${charset.toUpperCase()}?Q?${[...bytes].map((b) => (b === 0x20 ? '_' : b > 126 || b < 33 || b === 0x3d || b === 0x3f || b === 0x5f ? '=' + b.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(b))).join('')}?=`,
    );
  }
  return words.join(' ');
}

/** `Name <addr>` with the display name encoded when needed. */
export function mailbox(name: string | undefined, address: string, charset = 'utf-8'): string {
  if (!name) return `<${address}>`;
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(name) ? `"${name.replace(/"/g, '')}" <${address}>` : `${ew(name, charset)} <${address}>`;
}

function textPart(type: 'plain' | 'html', s: string, spec: BodySpec): string {
  const charset = spec.charset ?? 'utf-8';
  const bytes = encodeText(s.replace(/\r?\n/g, '\r\n'), charset);
  const cte = charset === 'iso-2022-jp' ? '7bit' : (spec.cte ?? 'quoted-printable');
  const body =
    cte === 'base64' ? b64(bytes) : cte === 'quoted-printable' ? qp(bytes, spec.qpWidth) : bytes.toString('latin1');
  return `Content-Type: text/${type}; charset=${charset}\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n${body}\r\n`;
}

function attachmentPart(a: Attachment): string {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(a.filename);
  const cs = a.filenameCharset ?? 'utf-8';
  const pct = [...encodeText(a.filename, cs)]
    .map((b) =>
      /[A-Za-z0-9._-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : '%' + b.toString(16).toUpperCase().padStart(2, '0'),
    )
    .join('');
  const nameParam = ascii ? `name="${a.filename}"` : `name="${ew(a.filename, cs)}"`;
  const disp = ascii ? `filename="${a.filename}"` : `filename*=${cs}''${pct}`;
  return `Content-Type: ${a.contentType}; ${nameParam}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; ${disp}\r\n\r\n${b64(a.content)}\r\n`;
}

/** The whole message: header lines (already encoded) + body. CRLF throughout. */
export function buildMime(headers: string[], spec: BodySpec, boundary: string): Buffer {
  const alt = spec.text !== undefined && spec.html !== undefined;
  let body: string;
  let contentHeaders: string;
  const main = alt
    ? `Content-Type: multipart/alternative; boundary="alt-${boundary}"\r\n\r\n--alt-${boundary}\r\n${textPart('plain', spec.text!, spec)}--alt-${boundary}\r\n${textPart('html', spec.html!, spec)}--alt-${boundary}--\r\n`
    : textPart(spec.html !== undefined ? 'html' : 'plain', spec.html ?? spec.text ?? '', spec);
  if (spec.attachments?.length) {
    contentHeaders = `Content-Type: multipart/mixed; boundary="mix-${boundary}"`;
    body =
      `--mix-${boundary}\r\n${main}` +
      spec.attachments.map((a) => `--mix-${boundary}\r\n${attachmentPart(a)}`).join('') +
      `--mix-${boundary}--\r\n`;
  } else {
    const k = main.indexOf('\r\n\r\n');
    contentHeaders = main.slice(0, k);
    body = main.slice(k + 4);
  }
  const head = [...headers, 'MIME-Version: 1.0', contentHeaders].join('\r\n') + '\r\n\r\n';
  // header lines may carry raw UTF-8 (RFC 6532); bodies are bytes in latin1 string form
  return Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from(body, 'latin1')]);
}
