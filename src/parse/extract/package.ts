/**
 * DOCX and XLSX are ZIP packages that mammoth and exceljs unpack whole. Before handing one over, every member is
 * inflated here, counting only, so a package bomb stops at the budget instead of inside the library.
 */
import type { ExtractContext } from '../context.js';
import type { ExtractProblem } from './result.js';
import { listZip, readEntry } from './zipdir.js';

export function checkPackage(bytes: Uint8Array, ctx: ExtractContext, label: string): ExtractProblem | null {
  const dir = listZip(bytes, ctx.limits.maxZipEntries + 1);
  if (!dir.ok) return { reason: 'extract-error', detail: `${label}: not a valid package` };
  if (dir.total > ctx.limits.maxZipEntries)
    return { reason: 'size-limit', detail: `${label}: ${dir.total} entries > ${ctx.limits.maxZipEntries}` };
  for (const e of dir.entries) {
    if (e.isDir) continue;
    const r = readEntry(bytes, e, ctx.decompressBudget(), false);
    ctx.chargeDecompressed(r.produced);
    if (!r.ok) return { reason: r.reason, detail: r.detail.replace(/^zip/, label) };
  }
  return null;
}
