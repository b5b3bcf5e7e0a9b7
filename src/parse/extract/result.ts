import type { UnscannableReason } from '../../core/types.js';

export interface ExtractProblem {
  reason: UnscannableReason;
  /** Technical detail without content, e.g. "pdf: 812 pages > 500". */
  detail: string;
}

/** Text pulled from one document; `problem` is set when only part of it could be read. */
export type Extracted = { ok: true; text: string; problem?: ExtractProblem } | ({ ok: false } & ExtractProblem);

export function fail(reason: UnscannableReason, detail: string): Extracted {
  return { ok: false, reason, detail };
}

/** A short, content-free description of a library error: its class name only. */
export function errorKind(err: unknown): string {
  return err instanceof Error ? err.name || 'Error' : typeof err;
}
