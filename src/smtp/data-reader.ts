/**
 * Reads the DATA stream of one message. Enforces the size limit while streaming (past it, bytes are drained and
 * dropped, never buffered) and detects bare CR / bare LF line endings (SMTP smuggling, RFC 5321 §2.3.8).
 */
import type { Readable } from 'node:stream';

export interface DataResult {
  /** The message, or null when it was over the limit (then only `size` is known). */
  raw: Buffer | null;
  size: number;
  oversize: boolean;
  /** A CR not followed by LF or an LF not preceded by CR was seen. */
  bareLineEnding: boolean;
}

export function readData(stream: Readable, maxSize: number): Promise<DataResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let oversize = false;
    let bare = false;
    let prevCR = false; // last byte of previous chunk was CR

    stream.on('data', (chunk: Buffer) => {
      if (!bare) {
        // CR at the end of the previous chunk must be followed by LF here.
        if (prevCR && chunk[0] !== 0x0a) bare = true;
        let i = chunk.indexOf(0x0a);
        while (i !== -1 && !bare) {
          const before = i === 0 ? (prevCR ? 0x0d : -1) : chunk[i - 1];
          if (before !== 0x0d) bare = true;
          i = chunk.indexOf(0x0a, i + 1);
        }
        let j = chunk.indexOf(0x0d);
        while (j !== -1 && !bare) {
          if (j + 1 < chunk.length && chunk[j + 1] !== 0x0a) bare = true;
          j = chunk.indexOf(0x0d, j + 1);
        }
        prevCR = chunk[chunk.length - 1] === 0x0d;
      }
      size += chunk.length;
      if (size > maxSize) {
        oversize = true;
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    });
    stream.once('error', reject);
    stream.once('end', () => {
      // A message ends with CRLF before the terminating dot; a CR left dangling is bare.
      if (prevCR) bare = true;
      resolve({ raw: oversize ? null : Buffer.concat(chunks, size), size, oversize, bareLineEnding: bare });
    });
  });
}
