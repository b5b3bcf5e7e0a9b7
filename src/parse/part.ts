/**
 * One attachment or archive member to read, and the visitor that reads it (attachment.ts `extractPart`).
 *
 * The containers — a message's attachments (message.ts) and an archive's members (extract/zip.ts) — are handed the
 * visitor instead of importing attachment.ts, which itself opens containers: so these modules form no import circle.
 */
import type { ExtractContext } from './context.js';

export interface PartInput {
  bytes: Uint8Array;
  filename: string;
  /** Declared (or, for archive members, guessed) content type, lower-case without parameters. */
  contentType: string;
  charset?: string;
  /** Path inside the message, e.g. "export.zip/list.csv" (AttachmentInfo.source). */
  path: string;
  /** Containers (nested messages, archives) enclosing this part. */
  depth: number;
  /** Decoded size when `bytes` holds only the head of the part (media). */
  size?: number;
}

/** Reads one part into `ctx` (segments, attachment info, unscannable parts); never throws for bad content. */
export type PartVisitor = (ctx: ExtractContext, part: PartInput) => Promise<void>;
