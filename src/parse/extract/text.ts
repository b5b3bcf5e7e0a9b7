/** Textual attachments: charset decoding, and iCalendar/vCard unfolding so folded values read as one line. */
import { decodeBytes } from '../charset.js';

export function extractText(bytes: Uint8Array, charset?: string): string {
  return decodeBytes(bytes, charset);
}

const QP_SOFT_BREAK = /=\r?\n/g;

function decodeQp(s: string, charset?: string): string {
  const bytes: number[] = [];
  const t = s.replace(QP_SOFT_BREAK, '');
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x3d && /^[0-9a-fA-F]{2}$/.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else bytes.push(...Buffer.from(t[i]!, 'utf8'));
  }
  return decodeBytes(Uint8Array.from(bytes), charset);
}

/**
 * iCalendar (RFC 5545) and vCard (RFC 6350, and 2.1's QUOTED-PRINTABLE values): lines unfolded, text escapes
 * (\n \, \;) undone, quoted-printable values decoded.
 */
export function extractCalendar(bytes: Uint8Array, charset?: string): string {
  let s = decodeBytes(bytes, charset);
  // vCard 2.1 quoted-printable values continue with a soft break ("=" at line end) instead of a fold
  s = s.replace(
    /^([^:\r\n]*ENCODING=QUOTED-PRINTABLE[^:\r\n]*:)((?:[^\r\n]*=\r?\n)*[^\r\n]*)/gim,
    (_m, head: string, value: string) => {
      const cs = /CHARSET=([^;:]+)/i.exec(head)?.[1];
      return head + decodeQp(value, cs ?? charset);
    },
  );
  s = s.replace(/\r?\n[ \t]/g, '');
  return s.replace(/\\([nN,;\\])/g, (_m, ch: string) => (ch === 'n' || ch === 'N' ? '\n' : ch));
}
