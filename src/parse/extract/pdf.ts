/** PDF text via pdfjs-dist (legacy build for Node 20): every page up to the page limit. */
import type { ExtractContext } from '../context.js';
import { ExtractTimeout } from '../context.js';
import { errorKind, fail, type Extracted } from './result.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsLoad: Promise<PdfJs> | undefined;

/** pdfjs is large: loaded on the first PDF, not at start. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjsLoad ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsLoad;
}

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

export async function extractPdf(bytes: Uint8Array, ctx: ExtractContext): Promise<Extracted> {
  const pdfjs = await ctx.race(loadPdfJs());
  // pdfjs transfers (detaches) the buffer it is given; hand it a private copy unless we own the whole buffer.
  const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.length > 4096;
  const data = owned ? new Uint8Array(bytes.buffer, 0, bytes.byteLength) : new Uint8Array(bytes);
  const task = pdfjs.getDocument({
    data,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  try {
    let doc;
    try {
      doc = await ctx.race(task.promise);
    } catch (err) {
      if (err instanceof ExtractTimeout) throw err;
      if (err instanceof Error && err.name === 'PasswordException') return fail('encrypted', 'pdf: password protected');
      return fail('extract-error', `pdf: ${errorKind(err)}`);
    }
    const pages = doc.numPages;
    const last = Math.min(pages, ctx.limits.maxPdfPages);
    const out: string[] = [];
    let chars = 0;
    for (let n = 1; n <= last; n++) {
      ctx.checkTime();
      let page;
      try {
        page = await ctx.race(doc.getPage(n));
        const content = await ctx.race(page.getTextContent());
        let s = '';
        for (const item of content.items as TextItemLike[]) {
          if (typeof item.str === 'string') s += item.str;
          if (item.hasEOL) s += '\n';
        }
        out.push(s);
        chars += s.length;
      } catch (err) {
        if (err instanceof ExtractTimeout) throw err;
        return fail('extract-error', `pdf: page ${n}: ${errorKind(err)}`);
      } finally {
        page?.cleanup();
      }
      if (chars > ctx.limits.maxSegmentChars) break; // the segment cap reports the rest
    }
    const text = out.join('\n');
    if (pages > last)
      return { ok: true, text, problem: { reason: 'page-limit', detail: `pdf: ${pages} pages > ${last}` } };
    return { ok: true, text };
  } finally {
    void task.destroy().catch(() => undefined);
  }
}
