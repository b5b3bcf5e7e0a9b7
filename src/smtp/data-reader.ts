/**
 * Reads the DATA stream of one message. Enforces the size limit while streaming (past it, bytes are drained and
 * dropped, never buffered) and handles line endings other than CRLF (SMTP smuggling, RFC 5321 §2.3.8).
 *
 * smtp-server ends DATA only at CRLF.CRLF, so `\n.\n`, `\r\n.\n` or `\n.\r\n` are message content, never the end
 * of the message. What is done with a bare LF is `smtp.bareNewline` (Postfix `smtpd_forbid_bare_newline`):
 * - `normalize` (default): a bare LF is a line ending; it becomes CRLF, so the message handed on (and the copy the
 *   upstream gets) has CRLF line endings only. A `.` line ended by a bare LF is content and is dot-stuffed on the
 *   way out like any other, so it cannot end the upstream's DATA either.
 * - `reject`: the message is refused (550 5.6.0).
 * A bare CR (not followed by LF) is refused in both modes: it is no line ending in any mail software postguard
 * serves, and passing it on would let a downstream server that reads `\r.\r` as the end see two messages.
 */
import type { Readable } from 'node:stream';

export const BARE_NEWLINE_MODES = ['normalize', 'reject'] as const;
export type BareNewlineMode = (typeof BARE_NEWLINE_MODES)[number];

export interface DataResult {
  /** The message (CRLF line endings only unless refused), or null when it was over the limit (then only `size` is known). */
  raw: Buffer | null;
  /** Bytes of the message as handed on (after normalisation). */
  size: number;
  oversize: boolean;
  /** A line ending the mode refuses was seen: a bare CR, or a bare LF with `reject`. */
  bareLineEnding: boolean;
  /** Bare LFs turned into CRLF (`normalize`). */
  bareNewlines: number;
}

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');

export function readData(stream: Readable, maxSize: number, mode: BareNewlineMode = 'normalize'): Promise<DataResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let oversize = false;
    let refused = false;
    let bareNewlines = 0;
    let prevCR = false; // last byte of the previous chunk was CR

    const keep = (piece: Buffer) => {
      if (piece.length === 0) return;
      size += piece.length;
      if (size > maxSize) {
        oversize = true;
        chunks.length = 0;
      } else if (!oversize) {
        chunks.push(piece);
      }
    };

    // A refused message is drained and counted, never kept.
    const drop = (chunk: Buffer) => {
      chunks.length = 0;
      size += chunk.length;
    };

    stream.on('data', (chunk: Buffer) => {
      if (refused) return drop(chunk);
      // A CR at the end of the previous chunk must be followed by LF here.
      if (prevCR && chunk[0] !== LF) refused = true;
      for (let j = chunk.indexOf(CR); j !== -1 && !refused; j = chunk.indexOf(CR, j + 1)) {
        if (j + 1 < chunk.length && chunk[j + 1] !== LF) refused = true;
      }
      if (refused) return drop(chunk);
      let from = 0;
      for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
        const before = i === 0 ? (prevCR ? CR : -1) : chunk[i - 1];
        if (before === CR) continue;
        if (mode === 'reject') {
          refused = true;
          break;
        }
        bareNewlines++;
        keep(chunk.subarray(from, i));
        keep(CRLF);
        from = i + 1;
      }
      if (refused) return drop(chunk);
      keep(chunk.subarray(from));
      prevCR = chunk[chunk.length - 1] === CR;
    });
    stream.once('error', reject);
    stream.once('end', () => {
      // A message ends with CRLF before the terminating dot; a CR left dangling is bare.
      if (prevCR) refused = true;
      resolve({
        raw: oversize || refused ? null : Buffer.concat(chunks, size),
        size,
        oversize,
        bareLineEnding: refused,
        bareNewlines,
      });
    });
  });
}
