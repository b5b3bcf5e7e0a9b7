/**
 * Bytes → string in a declared charset, and RFC 2047 encoded-word decoding for header values.
 *
 * Charsets: the WHATWG decoders built into Node (every ISO-8859-x but -16, Windows-125x, KOI8-R/U, ISO-2022-JP,
 * Shift_JIS, EUC-JP, GBK/GB18030, Big5, EUC-KR, …), and iconv-lite for the labels they do not know
 * (ISO-8859-16, CP932/CP936/CP949/CP950, UTF-7, …). Label lookup is lenient about case, `_`/`-` and RFC 2231
 * language suffixes. An unknown label decodes as UTF-8 when the bytes are valid UTF-8, windows-1252 otherwise.
 */
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';

interface Decoder {
  decode(bytes: Uint8Array): string;
}

const decoders = new Map<string, Decoder | null>();

/** Labels mail clients write that neither decoder knows under that name. */
const ALIASES = new Map<string, string>([
  ['x-sjis', 'shift_jis'],
  ['sjis', 'shift_jis'],
  ['ms932', 'windows-31j'],
  ['x-euc-jp', 'euc-jp'],
  ['x-gbk', 'gbk'],
  ['ks_c_5601', 'euc-kr'],
  ['ks_c_5601-1989', 'euc-kr'],
  ['x-windows-949', 'cp949'],
  ['unicode-1-1-utf-7', 'utf-7'],
  ['x-unicode-2-0-utf-7', 'utf-7'],
  ['iso-8859-8-e', 'iso-8859-8'],
]);

function makeDecoder(key: string): Decoder | null {
  try {
    return new TextDecoder(key, { fatal: false });
  } catch {
    // not a WHATWG label: try iconv-lite
  }
  const name = key.replace(/_/g, '-');
  for (const k of [key, name, key.replace(/[-_]/g, '')]) {
    if (iconv.encodingExists(k))
      return { decode: (b) => iconv.decode(Buffer.from(b.buffer, b.byteOffset, b.byteLength), k) };
  }
  if (name !== key) {
    try {
      return new TextDecoder(name, { fatal: false });
    } catch {
      // unknown
    }
  }
  return null;
}

function decoderFor(label: string): Decoder | null {
  let key = label
    .trim()
    .toLowerCase()
    .replace(/\*.*$/, '')
    .replace(/^["']|["']$/g, ''); // RFC 2231 language suffix, quotes
  key = ALIASES.get(key) ?? key;
  let dec = decoders.get(key);
  if (dec === undefined) {
    dec = makeDecoder(key);
    if (decoders.size < 256) decoders.set(key, dec);
  }
  return dec;
}

/** True when `label` names a charset postguard can decode. */
export function knownCharset(label: string): boolean {
  return decoderFor(label) !== null;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** True when `bytes` is valid UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes bytes in `charset` (a MIME/WHATWG label). A byte-order mark wins over the label; an unknown or absent
 * label means UTF-8 when the bytes are valid UTF-8, windows-1252 otherwise.
 */
export function decodeBytes(bytes: Uint8Array, charset?: string): string {
  if (bytes.length >= 2) {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return decoderFor('utf-16le')!.decode(bytes);
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return decoderFor('utf-16be')!.decode(bytes);
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8.decode(bytes);
  const dec = charset ? decoderFor(charset) : null;
  if (dec) return dec.decode(bytes);
  if (hasIso2022Escape(bytes)) return decoderFor('iso-2022-jp')!.decode(bytes);
  return isUtf8(bytes) ? utf8.decode(bytes) : decoderFor('windows-1252')!.decode(bytes);
}

/** ESC $ B / ESC $ @ / ESC ( J: the 7-bit ISO-2022-JP shifts (Japanese mail sent without a declared charset). */
function hasIso2022Escape(bytes: Uint8Array): boolean {
  for (let i = bytes.indexOf(0x1b); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(0x1b, i + 1)) {
    const a = bytes[i + 1];
    const b = bytes[i + 2];
    if ((a === 0x24 && (b === 0x42 || b === 0x40)) || (a === 0x28 && b === 0x4a)) return true;
  }
  return false;
}

const META_CHARSET = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)/i;
const XML_ENCODING = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([a-zA-Z0-9_:.+-]+)["']/i;

/**
 * The charset an HTML or XML document declares in its first 1,024 bytes (`<meta charset>`, `<meta http-equiv=
 * "Content-Type" content="…; charset=…">`, `<?xml … encoding="…"?>`), when postguard knows it.
 */
export function declaredMarkupCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString('latin1');
  const m = META_CHARSET.exec(head) ?? XML_ENCODING.exec(head);
  const label = m?.[1];
  return label && knownCharset(label) ? label : undefined;
}

/** Decodes an HTML/XML document: the MIME charset, else a BOM, else its own declaration, else as decodeBytes. */
export function decodeMarkup(bytes: Uint8Array, charset?: string): string {
  if (charset && knownCharset(charset)) return decodeBytes(bytes, charset);
  return decodeBytes(bytes, declaredMarkupCharset(bytes));
}

/**
 * A text body part that declares no charset: an HTML part's own `<meta charset>`, else 7-bit ISO-2022-JP by its
 * escapes, else UTF-8 when valid (as before, BOM kept), else windows-1252 — never U+FFFD for every legacy byte.
 */
export function decodeUndeclared(bytes: Uint8Array, html: boolean): string {
  const declared = html ? declaredMarkupCharset(bytes) : undefined;
  if (declared && !/^utf-?8$/i.test(declared)) return decodeBytes(bytes, declared);
  if (hasIso2022Escape(bytes)) return decoderFor('iso-2022-jp')!.decode(bytes);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isUtf8(bytes) ? buf.toString('utf8') : decoderFor('windows-1252')!.decode(bytes);
}

/** True when a part without a declared charset would not read as plain UTF-8 (see decodeUndeclared). */
export function needsCharsetSniffing(bytes: Uint8Array, html: boolean): boolean {
  if (hasIso2022Escape(bytes) || !isUtf8(bytes)) return true;
  const declared = html ? declaredMarkupCharset(bytes) : undefined;
  return declared !== undefined && !/^utf-?8$/i.test(declared);
}

/**
 * Header lines come from the MIME splitter as binary strings. Raw 8-bit values are decoded as UTF-8 when they
 * are valid UTF-8, else in `fallback` (the message's own Content-Type charset: old clients write raw headers in
 * the body's charset), else windows-1252. 7-bit ISO-2022-JP (escape sequences) is decoded as such.
 */
export function binaryToText(s: string, fallback?: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(s)) return s.includes('\x1b') ? decodeBytes(Buffer.from(s, 'latin1')) : s;
  const bytes = Buffer.from(s, 'latin1');
  if (isUtf8(bytes)) return utf8.decode(bytes);
  return decodeBytes(bytes, fallback && knownCharset(fallback) ? fallback : 'windows-1252');
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
const BETWEEN_WORDS = /^[ \t\r\n]+$/;

function wordBytes(enc: string, data: string): Buffer {
  if (enc === 'B' || enc === 'b') return Buffer.from(data, 'base64');
  const s = data.replace(/_/g, ' ');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3d && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c & 0xff);
  }
  return Buffer.from(out);
}

/**
 * Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`); whitespace between two adjacent encoded
 * words is dropped, as the RFC says. Adjacent words in the same charset are decoded together, so a multibyte
 * character split over two words (as long UTF-8, Shift_JIS or GB18030 subjects often are) stays whole.
 */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let last = 0;
  let prevEnd = -1;
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = (): void => {
    if (pending) out += decodeBytes(Buffer.concat(pending.bytes), pending.charset);
    pending = null;
  };
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(value); m; m = ENCODED_WORD.exec(value)) {
    const gap = value.slice(last, m.index);
    const adjacent = prevEnd === last && (gap === '' || BETWEEN_WORDS.test(gap));
    const charset = m[1]!.toLowerCase().replace(/\*.*$/, '');
    const bytes = wordBytes(m[2]!, m[3]!);
    if (adjacent && pending && (pending as { charset: string }).charset === charset) {
      (pending as { bytes: Buffer[] }).bytes.push(bytes);
    } else {
      flush();
      if (!adjacent) out += gap;
      pending = { charset, bytes: [bytes] };
    }
    last = m.index + m[0].length;
    prevEnd = last;
  }
  flush();
  return out + value.slice(last);
}
