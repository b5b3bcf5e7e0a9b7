/**
 * One attachment or archive member → segments, by what its bytes are (see sniff.ts). PDF, DOCX and XLSX are read
 * in the extraction sandbox (sandbox/pool.ts); everything else on the calling thread.
 */
import { decodeMarkup } from './charset.js';
import type { ExtractContext } from './context.js';
import { ExtractBusy, ExtractTimeout } from './context.js';
import { extractCalendar, extractText } from './extract/text.js';
import { errorKind, type Extracted } from './extract/result.js';
import { extractZip } from './extract/zip.js';
import { htmlToText } from './html.js';
import { addLinkSegments, findBareUrls } from './links.js';
import { extractMessage } from './message.js';
import { extractSandboxed } from './sandbox/pool.js';
import { extensionOf, sniffKind } from './sniff.js';
import type { PartInput } from './part.js';

/** Reads one part into the context; the PartVisitor (part.ts) the containers below are handed. */
export async function extractPart(ctx: ExtractContext, part: PartInput): Promise<void> {
  const source = `attachment:${part.path}`;
  ctx.addAttachment({
    filename: part.filename,
    contentType: part.contentType,
    size: part.size ?? part.bytes.length,
    source: part.path,
  });
  addFilenameSegment(ctx, part, source);
  if (ctx.expired()) {
    ctx.addUnscannable(source, 'timeout', 'not reached before the time limit');
    return;
  }
  try {
    await extractKind(ctx, part, source);
  } catch (err) {
    if (err instanceof ExtractBusy) ctx.addUnscannable(source, 'busy', 'extraction workers busy with other messages');
    else if (err instanceof ExtractTimeout) ctx.addUnscannable(source, 'timeout', 'time limit reached while reading');
    else ctx.addUnscannable(source, 'extract-error', `${extensionOf(part.filename) || 'part'}: ${errorKind(err)}`);
  }
}

/**
 * The file name is text the recipient sees ("Invoice Anna Schmidt.pdf", "kunde@example.net.csv"): scanned
 * without its extension, and with "_" read as a space when it has one ("Anna_Schmidt").
 */
function addFilenameSegment(ctx: ExtractContext, part: PartInput, source: string): void {
  const stem = part.filename.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  const text = stem.includes('_') ? `${stem}\n${stem.replace(/_+/g, ' ')}` : stem;
  const attachment = { filename: part.filename, contentType: part.contentType };
  ctx.addSegment({ location: 'attachment', source: `${source}:filename`, text, attachment });
}

async function extractKind(ctx: ExtractContext, part: PartInput, source: string): Promise<void> {
  const meta = { filename: part.filename, contentType: part.contentType };
  const add = (text: string): void => ctx.addSegment({ location: 'attachment', source, text, attachment: meta });
  const kind = sniffKind(part.bytes, part.contentType, part.filename);
  const links = `${source}/`;
  switch (kind) {
    case 'text': {
      const bytes = ctx.capTextBytes(source, part.bytes);
      const xml = extensionOf(part.filename) === 'xml' || part.contentType.endsWith('/xml');
      const text = xml ? htmlToText(decodeMarkup(bytes, part.charset)).text : extractText(bytes, part.charset);
      add(text);
      addLinkSegments(ctx, findBareUrls(text), links);
      return;
    }
    case 'calendar': {
      const text = extractCalendar(ctx.capTextBytes(source, part.bytes), part.charset);
      add(text);
      addLinkSegments(ctx, findBareUrls(text), links);
      return;
    }
    case 'html': {
      const h = htmlToText(decodeMarkup(ctx.capTextBytes(source, part.bytes), part.charset));
      add(h.text);
      addLinkSegments(ctx, h.urls, links);
      return;
    }
    case 'pdf':
    case 'docx':
    case 'xlsx':
      // third-party parsers run in a worker thread with heap and time limits (sandbox/pool.ts)
      return addExtracted(ctx, source, await extractSandboxed(kind, part.bytes, ctx), add);
    case 'zip':
    case 'message': {
      if (part.depth + 1 > ctx.limits.maxDepth) {
        ctx.addUnscannable(source, 'depth-limit', `${kind}: nesting depth > ${ctx.limits.maxDepth}`);
        return;
      }
      if (kind === 'zip') return extractZip(ctx, part, extractPart);
      const raw = Buffer.from(part.bytes.buffer, part.bytes.byteOffset, part.bytes.byteLength);
      await extractMessage(
        ctx,
        raw,
        { prefix: `${source}/`, path: `${part.path}/`, depth: part.depth + 1 },
        extractPart,
      );
      return;
    }
    case 'encrypted':
      ctx.addUnscannable(source, 'encrypted', `${extensionOf(part.filename) || part.contentType}: encrypted content`);
      return;
    case 'unsupported':
      ctx.addUnscannable(
        source,
        'unsupported',
        `${extensionOf(part.filename) || part.contentType}: format not readable`,
      );
      return;
    case 'binary':
      return;
  }
}

function addExtracted(ctx: ExtractContext, source: string, r: Extracted, add: (text: string) => void): void {
  if (!r.ok) {
    ctx.addUnscannable(source, r.reason, r.detail);
    return;
  }
  add(r.text);
  if (r.problem) ctx.addUnscannable(source, r.problem.reason, r.problem.detail);
}
