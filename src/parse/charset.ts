/** Bytes → string in a declared charset, and RFC 2047 encoded-word decoding for header values. */
import { TextDecoder } from 'node:util';

const decoders = new Map<string, TextDecoder | null>();

function decoderFor(label: string): TextDecoder | null {
  const key = label.trim().toLowerCase().replace(/\*.*$/, ''); // RFC 2231 language suffix
  let dec = decoders.get(key);
  if (dec === undefined) {
    try {
      dec = new TextDecoder(key, { fatal: false });
    } catch {
      dec = null;
    }
    if (decoders.size < 256) decoders.set(key, dec);
  }
  return dec;
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
  return isUtf8(bytes) ? utf8.decode(bytes) : decoderFor('windows-1252')!.decode(bytes);
}

/** Header lines come from the MIME splitter as binary strings; raw 8-bit values are almost always UTF-8. */
export function binaryToText(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return decodeBytes(Buffer.from(s, 'latin1'));
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
const BETWEEN_WORDS = /^[ \t\r\n]+$/;

function decodeWord(charset: string, enc: string, data: string): string {
  let bytes: Buffer;
  if (enc === 'B' || enc === 'b') {
    bytes = Buffer.from(data, 'base64');
  } else {
    const s = data.replace(/_/g, ' ');
    const out: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x3d && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
        out.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else out.push(c & 0xff);
    }
    bytes = Buffer.from(out);
  }
  return decodeBytes(bytes, charset);
}

/**
 * Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`); whitespace between two adjacent encoded
 * words is dropped, as the RFC says.
 */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let last = 0;
  let prevEnd = -1;
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(value); m; m = ENCODED_WORD.exec(value)) {
    const gap = value.slice(last, m.index);
    if (!(prevEnd === last && BETWEEN_WORDS.test(gap))) out += gap;
    out += decodeWord(m[1]!, m[2]!, m[3]!);
    last = m.index + m[0].length;
    prevEnd = last;
  }
  return out + value.slice(last);
}
