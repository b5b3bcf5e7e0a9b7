/** DOCX text via mammoth's raw-text extraction, after the package passed the ZIP budget check. */
import mammoth from 'mammoth';
import type { ExtractContext } from '../context.js';
import { ExtractTimeout } from '../context.js';
import { checkPackage } from './package.js';
import { errorKind, fail, type Extracted } from './result.js';

export async function extractDocx(bytes: Uint8Array, ctx: ExtractContext): Promise<Extracted> {
  const problem = checkPackage(bytes, ctx, 'docx');
  if (problem) return { ok: false, ...problem };
  try {
    const res = await ctx.race(
      mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }),
    );
    return { ok: true, text: res.value };
  } catch (err) {
    if (err instanceof ExtractTimeout) throw err;
    return fail('extract-error', `docx: ${errorKind(err)}`);
  }
}
