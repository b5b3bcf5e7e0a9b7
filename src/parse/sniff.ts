/**
 * What an attachment is, decided by its bytes first (magic numbers), then its declared type and extension.
 * A sender's label is never trusted alone: a ".png" that is a ZIP is opened as a ZIP.
 */
import { isUtf8 } from './charset.js';
import { listZip } from './extract/zipdir.js';

export type PartKind =
  | 'text' // text/* and textual formats, decoded by charset
  | 'calendar' // ICS / VCF: unfolded, escapes and quoted-printable undone
  | 'html'
  | 'pdf'
  | 'docx'
  | 'xlsx'
  | 'zip'
  | 'message' // message/rfc822, .eml
  | 'encrypted' // S/MIME enveloped data, PGP messages
  | 'unsupported' // a document or archive format that can hold text we cannot read
  | 'binary'; // media and other data with no text to extract

const TEXT_EXT = new Set(['txt', 'csv', 'tsv', 'log', 'md', 'json', 'xml', 'yaml', 'yml', 'rtf', 'text', 'ini', 'sql']);
const CAL_EXT = new Set(['ics', 'ical', 'ifb', 'vcf', 'vcard']);
const UNSUPPORTED_EXT = new Set([
  'doc',
  'xls',
  'ppt',
  'pptx',
  'odt',
  'ods',
  'odp',
  'pages',
  'numbers',
  'key',
  'rar',
  '7z',
  'gz',
  'tgz',
  'bz2',
  'xz',
  'tar',
  'msg',
  'xlsb',
  'xlsm',
  'docm',
  'epub',
  'mbox',
]);
const BINARY_PREFIX = /^(?:image|audio|video|font|model)\//;

export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? '' : filename.slice(dot + 1).toLowerCase();
}

function startsWith(b: Uint8Array, sig: number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function startsWithText(b: Uint8Array, s: string): boolean {
  return startsWith(b, Array.from(Buffer.from(s, 'latin1')));
}

function hasPdfHeader(b: Uint8Array): boolean {
  // "%PDF-" may follow some junk, readers accept it within the first KiB
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 1024)).toString('latin1');
  return head.includes('%PDF-');
}

/** PNG, JPEG or GIF by magic number: media with no text to extract, whatever the declared type says. */
export function isMediaHead(b: Uint8Array): boolean {
  return (
    startsWith(b, [0x89, 0x50, 0x4e, 0x47]) ||
    startsWith(b, [0xff, 0xd8, 0xff]) ||
    startsWith(b, [0x47, 0x49, 0x46, 0x38])
  );
}

/** Opaque binary formats recognised by their magic numbers. */
function knownBinary(b: Uint8Array): 'binary' | 'unsupported' | null {
  if (isMediaHead(b)) return 'binary';
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'unsupported'; // OLE2: .doc/.xls/.msg
  if (startsWith(b, [0x1f, 0x8b])) return 'unsupported'; // gzip
  if (startsWith(b, [0x52, 0x61, 0x72, 0x21])) return 'unsupported'; // RAR
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf])) return 'unsupported'; // 7z
  return null;
}

/** Looks like text: valid UTF-8 (or a UTF-16 BOM) and no NUL bytes in the first 8 KiB. */
export function looksTextual(b: Uint8Array): boolean {
  if (startsWith(b, [0xff, 0xfe]) || startsWith(b, [0xfe, 0xff])) return true;
  const head = b.subarray(0, 8192);
  if (head.includes(0)) return false;
  // cut a possibly split multi-byte character at the end of the sample
  let end = head.length;
  while (end > 0 && end > head.length - 4 && (head[end - 1]! & 0xc0) === 0x80) end--;
  if (end > 0 && head[end - 1]! >= 0xc0) end--;
  return isUtf8(head.subarray(0, end));
}

function zipFlavour(b: Uint8Array): 'docx' | 'xlsx' | 'zip' {
  const dir = listZip(b);
  if (!dir.ok) return 'zip';
  const names = new Set(dir.entries.map((e) => e.name));
  if (names.has('word/document.xml')) return 'docx';
  if (names.has('xl/workbook.xml')) return 'xlsx';
  return 'zip';
}

/** Decides how to read a part. `contentType` is lower-case without parameters. */
export function sniffKind(b: Uint8Array, contentType: string, filename: string): PartKind {
  const ext = extensionOf(filename);
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if ((contentType === 'application/pdf' || ext === 'pdf') && !isMediaHead(b) && hasPdfHeader(b)) return 'pdf';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) return zipFlavour(b);
  const bin = knownBinary(b);
  if (bin) return bin;
  // Declared as a document we read, but without its magic: read it anyway so it fails as 'extract-error'.
  if (contentType === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (ext === 'docx' || contentType.includes('wordprocessingml')) return 'docx';
  if (ext === 'xlsx' || contentType.includes('spreadsheetml')) return 'xlsx';
  if (ext === 'zip' || contentType === 'application/zip' || contentType === 'application/x-zip-compressed')
    return 'zip';
  if (contentType === 'message/rfc822' || contentType === 'message/global' || ext === 'eml') return 'message';
  if (contentType === 'application/pkcs7-mime' || contentType === 'application/x-pkcs7-mime' || ext === 'p7m')
    return 'encrypted';
  if (startsWithText(b, '-----BEGIN PGP MESSAGE-----')) return 'encrypted';
  if (contentType === 'application/ms-tnef' || filename.toLowerCase() === 'winmail.dat') return 'unsupported';
  if (
    contentType === 'text/calendar' ||
    contentType === 'text/vcard' ||
    contentType === 'text/x-vcard' ||
    CAL_EXT.has(ext)
  )
    return 'calendar';
  if (contentType === 'text/html' || ext === 'html' || ext === 'htm') return 'html';
  if (contentType.startsWith('text/') || TEXT_EXT.has(ext)) return 'text';
  if (UNSUPPORTED_EXT.has(ext)) return 'unsupported';
  if (looksTextual(b)) return 'text';
  if (BINARY_PREFIX.test(contentType)) return 'binary';
  return 'binary';
}
