/** Test fixtures built in code: messages, PDF, DOCX, XLSX and ZIP files. */
import ExcelJS from 'exceljs';
import { zipSync, strToU8 } from 'fflate';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';

export async function compose(opts: Mail.Options): Promise<Buffer> {
  return new MailComposer({ from: 'Support <support@shop.example>', to: 'john@example.com', subject: 'Test', ...opts })
    .compile()
    .build();
}

/** A raw message from header lines and a body, CRLF line ends. */
export function rawMail(headers: string[], body: string | Buffer): Buffer {
  const head = Buffer.from(headers.join('\r\n') + '\r\n\r\n', 'latin1');
  return Buffer.concat([head, typeof body === 'string' ? Buffer.from(body.replace(/\r?\n/g, '\r\n'), 'latin1') : body]);
}

function pdfEscape(s: string): string {
  return s.replace(/[\\()]/g, (c) => '\\' + c);
}

/** A valid PDF with one text line per page (Helvetica), with a correct xref table. */
export function makePdf(pages: string[], extraTrailer = ''): Buffer {
  const objs: string[] = [];
  objs[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objs[2] = `<< /Type /Pages /Kids [${pages.map((_, i) => `${4 + 2 * i} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objs[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  pages.forEach((t, i) => {
    const content = `BT /F1 12 Tf 72 720 Td (${pdfEscape(t)}) Tj ET`;
    objs[4 + 2 * i] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + 2 * i} 0 R >>`;
    objs[5 + 2 * i] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  });
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let i = 1; i < objs.length; i++) {
    offsets[i] = out.length;
    out += `${i} 0 obj\n${objs[i]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objs.length}\n0000000000 65535 f \n`;
  for (let i = 1; i < objs.length; i++) out += `${String(offsets[i]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length} /Root 1 0 R ${extraTrailer}>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * A PDF whose trailer points to a standard security handler with a user password: the /U value is random, so
 * the empty password does not open it.
 */
export function makeEncryptedPdf(): Buffer {
  const base = makePdf(['secret']).toString('latin1');
  const hex = (n: number): string => '<' + 'ab'.repeat(n) + '>';
  const enc = `<< /Filter /Standard /V 1 /R 2 /O ${hex(32)} /U ${hex(32)} /P -44 >>`;
  // Insert the Encrypt dictionary as object 99 and reference it from the trailer; pdfjs repairs the xref.
  const withObj = base.replace('xref\n', `99 0 obj\n${enc}\nendobj\nxref\n`);
  return Buffer.from(
    withObj.replace('/Root 1 0 R', '/Root 1 0 R /Encrypt 99 0 R /ID [<0102030405060708> <0102030405060708>]'),
    'latin1',
  );
}

/** A DOCX (OOXML package) with one paragraph per string. */
export function makeDocx(paragraphs: string[]): Buffer {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const doc =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' +
    paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${esc(p)}</w:t></w:r></w:p>`).join('') +
    '</w:body></w:document>';
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
          '<Default Extension="xml" ContentType="application/xml"/>' +
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      ),
      '_rels/.rels': strToU8(
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
      ),
      'word/document.xml': strToU8(doc),
    }),
  );
}

/** An XLSX written by exceljs: one sheet per entry, rows of cells. */
export async function makeXlsx(sheets: Record<string, (string | number)[][]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    for (const r of rows) ws.addRow(r);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function makeZip(files: Record<string, Uint8Array | string>, level: 0 | 6 | 9 = 6): Buffer {
  const input: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(files)) input[k] = typeof v === 'string' ? strToU8(v) : v;
  return Buffer.from(zipSync(input, { level }));
}

/** Sets the "encrypted" flag on every entry (local and central headers) of a ZIP built by makeZip. */
export function markZipEncrypted(zip: Buffer): Buffer {
  const b = Buffer.from(zip);
  for (let i = 0; i + 4 <= b.length; i++) {
    const sig = b.readUInt32LE(i);
    if (sig === 0x04034b50) b.writeUInt16LE(b.readUInt16LE(i + 6) | 1, i + 6);
    else if (sig === 0x02014b50) b.writeUInt16LE(b.readUInt16LE(i + 8) | 1, i + 8);
  }
  return b;
}
