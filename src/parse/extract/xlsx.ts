/** XLSX text via exceljs: every sheet, cells joined by tab, rows by newline, sheets by a blank line. */
import ExcelJS from 'exceljs';
import type { ExtractContext } from '../context.js';
import { ExtractTimeout } from '../context.js';
import { checkPackage } from './package.js';
import { errorKind, fail, type Extracted } from './result.js';

export async function extractXlsx(bytes: Uint8Array, ctx: ExtractContext): Promise<Extracted> {
  const problem = checkPackage(bytes, ctx, 'xlsx');
  if (problem) return { ok: false, ...problem };
  const wb = new ExcelJS.Workbook();
  try {
    // exceljs' typings want its own Buffer alias; a Node Buffer is what it reads.
    await ctx.race(
      wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer),
    );
  } catch (err) {
    if (err instanceof ExtractTimeout) throw err;
    return fail('extract-error', `xlsx: ${errorKind(err)}`);
  }
  const sheets: string[] = [];
  let chars = 0;
  try {
    for (const ws of wb.worksheets) {
      ctx.checkTime();
      const rows: string[] = [];
      ws.eachRow({ includeEmpty: false }, (row) => {
        if (chars > ctx.limits.maxSegmentChars) return;
        const cells: string[] = [];
        row.eachCell({ includeEmpty: false }, (cell) => {
          cells.push(cell.text);
        });
        const line = cells.join('\t');
        chars += line.length + 1;
        rows.push(line);
      });
      sheets.push(rows.join('\n'));
    }
  } catch (err) {
    if (err instanceof ExtractTimeout) throw err;
    return fail('extract-error', `xlsx: ${errorKind(err)}`);
  }
  return { ok: true, text: sheets.join('\n\n') };
}
