/** The faults of the test-only extraction worker (fault-worker.ts) and how a test asks for one. */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

export const FAULTS = ['hang', 'block', 'async-hang', 'oom', 'throw', 'exit', 'gate'] as const;
export type Fault = (typeof FAULTS)[number];

/** How a document's bytes begin to make the fault worker run a fault instead of reading it. */
export const FAULT_MARK = '%PDF-1.4 pg-fault:';

/** A "PDF" (by its bytes) that makes the fault worker run `fault`. */
export function faultPdf(fault: Fault): Buffer {
  return Buffer.from(`${FAULT_MARK}${fault}\n%%EOF\n`, 'latin1');
}

/**
 * A PDF whose reading waits (blocking its worker, like `block`) until the file `gate` exists, then reads `pdf`:
 * the test decides when the extraction may end.
 */
export function gatedPdf(gate: string, pdf: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${FAULT_MARK}gate ${gate}\n`, 'latin1'), pdf]);
}

/** The compiled fault worker, built by the suite's global setup (test/vitest/global-setup.ts). */
export const FAULT_WORKER = pathToFileURL(resolve('dist/test/parse/sandbox/fault-worker.js'));
