/** Messages between the extraction pool (main thread) and its worker threads. */
import type { ParseLimits } from '../limits.js';
import type { Extracted } from '../extract/result.js';

/** Document kinds read by a third-party library, hence run in a worker (see pool.ts). */
export type SandboxKind = 'pdf' | 'docx' | 'xlsx';

export type TaskKind = SandboxKind;

export interface TaskRequest {
  id: number;
  kind: TaskKind;
  /** A private copy of the part, transferred (not cloned) to the worker. */
  bytes: Uint8Array;
  /** The message's limits; maxDecompressedBytes is what is left of the message's budget. */
  limits: ParseLimits;
  /** Absolute deadline (ms since epoch) of the message's extraction budget. */
  deadline: number;
}

/** What a task produced; `decompressed` is what it drew from the message's decompression budget. */
export type TaskResult =
  { type: 'done'; result: Extracted; decompressed: number } | { type: 'timeout'; decompressed: number };

export type TaskResponse = TaskResult & { id: number };
