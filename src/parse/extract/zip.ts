/** ZIP archives: each member read within the message's decompression budget and handled by its kind. */
import type { ExtractContext } from '../context.js';
import { safeName, typeForName } from '../names.js';
import type { PartInput, PartVisitor } from '../part.js';
import { listZip, readEntry } from './zipdir.js';

/** Reads the archive `part`; each member is handed to `visitPart`. */
export async function extractZip(ctx: ExtractContext, part: PartInput, visitPart: PartVisitor): Promise<void> {
  const source = `attachment:${part.path}`;
  const dir = listZip(part.bytes, ctx.limits.maxZipEntries);
  if (!dir.ok) {
    ctx.addUnscannable(source, 'extract-error', dir.error);
    return;
  }
  if (dir.total > ctx.limits.maxZipEntries) {
    ctx.addUnscannable(source, 'part-limit', `zip: ${dir.total} entries > ${ctx.limits.maxZipEntries}`);
  }
  for (const e of dir.entries) {
    if (e.isDir) continue;
    const name = e.name.split('/').map(safeName).filter(Boolean).join('/') || 'unnamed';
    const path = `${part.path}/${name}`;
    const memberSource = `attachment:${path}`;
    if (ctx.expired()) {
      ctx.addUnscannable(memberSource, 'timeout', 'not reached before the time limit');
      continue;
    }
    if (!ctx.takePart(memberSource)) return;
    const r = readEntry(part.bytes, e, ctx.decompressBudget());
    ctx.chargeDecompressed(r.produced);
    const filename = name.slice(name.lastIndexOf('/') + 1);
    if (!r.ok) {
      ctx.addAttachment({ filename, contentType: typeForName(filename), size: e.size, source: path });
      ctx.addUnscannable(memberSource, r.reason, r.detail);
      continue;
    }
    await visitPart(ctx, { bytes: r.data, filename, contentType: typeForName(filename), path, depth: part.depth + 1 });
  }
}
