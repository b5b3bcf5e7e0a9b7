/** File names as they appear in source paths. */

/** Maps, not object literals: the keys come from messages, and "constructor" must find nothing. */
const EXT_BY_TYPE = new Map<string, string>(
  Object.entries({
    'message/rfc822': 'eml',
    'text/plain': 'txt',
    'text/html': 'html',
    'text/csv': 'csv',
    'text/calendar': 'ics',
    'text/vcard': 'vcf',
    'application/pdf': 'pdf',
    'application/zip': 'zip',
  }),
);

const TYPE_BY_EXT = new Map<string, string>(
  Object.entries({
    txt: 'text/plain',
    csv: 'text/csv',
    tsv: 'text/tab-separated-values',
    html: 'text/html',
    htm: 'text/html',
    ics: 'text/calendar',
    vcf: 'text/vcard',
    xml: 'application/xml',
    json: 'application/json',
    pdf: 'application/pdf',
    zip: 'application/zip',
    eml: 'message/rfc822',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
  }),
);

/** One path component: no separators or control characters, bounded length. */
export function safeName(name: string): string {
  return name
    .replace(/[\x00-\x1f\x7f]/g, '') // eslint-disable-line no-control-regex
    .replace(/[/\\]/g, '_')
    .trim()
    .slice(0, 200);
}

/** Name for an attachment in source paths; unnamed parts get "part-N.<ext>", messages always end in ".eml". */
export function partName(filename: string | undefined, contentType: string, n: number): string {
  let name = safeName(filename ?? '');
  if (!name) {
    const ext = EXT_BY_TYPE.get(contentType);
    name = `part-${n}${ext ? '.' + ext : ''}`;
  }
  if (contentType === 'message/rfc822' && !name.toLowerCase().endsWith('.eml')) name += '.eml';
  return name;
}

/** Content type for an archive member, from its extension. */
export function typeForName(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && TYPE_BY_EXT.get(name.slice(dot + 1).toLowerCase())) || 'application/octet-stream';
}
