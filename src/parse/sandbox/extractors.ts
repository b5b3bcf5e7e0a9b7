/**
 * What runs inside an extraction worker (or in-process when the pool is disabled): one document → Extracted.
 * Imported only by worker.ts and by the pool's in-process mode, so the main thread never loads pdfjs, mammoth or
 * exceljs unless the pool is switched off.
 */
import { ExtractContext, ExtractTimeout } from '../context.js';
import { errorKind, fail, type Extracted } from '../extract/result.js';
import type { TaskKind, TaskRequest, TaskResult } from './protocol.js';

/** Reads one document of a sandboxed kind with its library. */
export type DocumentExtractor = (kind: TaskKind, bytes: Uint8Array, ctx: ExtractContext) => Promise<Extracted>;

export const extractDocument: DocumentExtractor = async (kind, bytes, ctx) => {
  // each library is loaded on first use, so a fresh worker starts fast (workers are replaced after a kill)
  switch (kind) {
    case 'pdf':
      return (await import('../extract/pdf.js')).extractPdf(bytes, ctx);
    case 'docx':
      return (await import('../extract/docx.js')).extractDocx(bytes, ctx);
    case 'xlsx':
      return (await import('../extract/xlsx.js')).extractXlsx(bytes, ctx);
    default:
      return fail('unsupported', 'part: no extractor');
  }
};

/**
 * Runs one task under the message's limits and deadline. Never throws for a library error; an uncaught
 * asynchronous error kills the worker instead.
 */
export async function runTask(
  req: Omit<TaskRequest, 'id'>,
  extract: DocumentExtractor = extractDocument,
): Promise<TaskResult> {
  const ctx = new ExtractContext({ ...req.limits, timeoutMs: Math.max(0, req.deadline - Date.now()) });
  let result: Extracted;
  try {
    result = await extract(req.kind, req.bytes, ctx);
  } catch (err) {
    if (err instanceof ExtractTimeout) return { type: 'timeout', decompressed: ctx.decompressedBytes() };
    result = fail('extract-error', `${req.kind}: ${errorKind(err)}`);
  }
  return { type: 'done', result, decompressed: ctx.decompressedBytes() };
}
