/**
 * What runs inside an extraction worker (or in-process when the pool is disabled): one document → Extracted.
 * Imported only by worker.ts and by the pool's in-process mode, so the main thread never loads pdfjs, mammoth or
 * exceljs unless the pool is switched off.
 */
import { ExtractContext, ExtractTimeout } from '../context.js';
import { errorKind, fail, type Extracted } from '../extract/result.js';
import type { TaskRequest, TaskResult } from './protocol.js';
import { runTestExtractor } from './test-extractors.js';

/** Runs one task. Never throws for a library error; an uncaught asynchronous error kills the worker instead. */
export async function runTask(req: Omit<TaskRequest, 'id'>, testExtractors: boolean): Promise<TaskResult> {
  const ctx = new ExtractContext({ ...req.limits, timeoutMs: Math.max(0, req.deadline - Date.now()) });
  let result: Extracted;
  try {
    switch (req.kind) {
      // each library is loaded on first use, so a fresh worker starts fast (workers are replaced after a kill)
      case 'pdf':
        result = await (await import('../extract/pdf.js')).extractPdf(req.bytes, ctx);
        break;
      case 'docx':
        result = await (await import('../extract/docx.js')).extractDocx(req.bytes, ctx);
        break;
      case 'xlsx':
        result = await (await import('../extract/xlsx.js')).extractXlsx(req.bytes, ctx);
        break;
      default:
        if (!testExtractors) return { type: 'done', result: fail('unsupported', 'part: no extractor'), decompressed: 0 };
        result = await runTestExtractor(req.kind, ctx);
    }
  } catch (err) {
    if (err instanceof ExtractTimeout) return { type: 'timeout', decompressed: ctx.decompressedBytes() };
    result = fail('extract-error', `${labelOf(req.kind)}: ${errorKind(err)}`);
  }
  return { type: 'done', result, decompressed: ctx.decompressedBytes() };
}

/** The short, content-free label used in details ("pdf", "docx", "xlsx", "test"). */
export function labelOf(kind: TaskRequest['kind']): string {
  return kind.startsWith('test-') ? 'test' : kind;
}
