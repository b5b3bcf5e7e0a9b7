/**
 * A test-only extraction worker entry (passed to the pool as its `worker` option): it is the product's worker
 * (src/parse/sandbox/worker.ts), except that a document whose bytes start with `%PDF-1.4 pg-fault:<name>` runs a
 * fault on purpose, so the sandbox is tested with real worker threads without relying on a library bug:
 *
 *   hang        a synchronous endless loop burning CPU (only worker.terminate() stops it)
 *   block       a synchronous endless wait (Atomics.wait) that burns no CPU, same effect as `hang`
 *   async-hang  a promise that never settles (the worker's own deadline stops it)
 *   oom         allocates without bound (the worker's heap limit stops it)
 *   throw       throws a TypeError (→ 'extract-error')
 *   exit        ends the worker thread mid-task (→ 'extract-error')
 *   gate PATH   blocks like `block` until the file PATH exists, then reads the PDF after the first line
 *
 * Compiled to dist/test/parse/sandbox/fault-worker.js by the suite's global setup (test/vitest/global-setup.ts).
 */
import { existsSync } from 'node:fs';
import type { ExtractContext } from '../../../src/parse/context.js';
import type { Extracted } from '../../../src/parse/extract/result.js';
import { extractDocument, runTask } from '../../../src/parse/sandbox/extractors.js';
import { serveTasks } from '../../../src/parse/sandbox/serve.js';
import { FAULT_MARK, type Fault } from './faults.js';

interface Marked {
  fault: Fault;
  /** The rest of the marker line (the gate's path). */
  arg: string;
  /** The bytes after the marker line. */
  rest: Uint8Array;
}

function faultOf(bytes: Uint8Array): Marked | null {
  const eol = bytes.indexOf(0x0a);
  const line = Buffer.from(bytes.subarray(0, eol < 0 ? bytes.length : eol)).toString('latin1');
  if (!line.startsWith(FAULT_MARK)) return null;
  const [fault, ...arg] = line.slice(FAULT_MARK.length).split(' ');
  return { fault: fault as Fault, arg: arg.join(' '), rest: bytes.subarray(eol + 1) };
}

async function runFault({ fault, arg, rest }: Marked, ctx: ExtractContext): Promise<Extracted> {
  switch (fault) {
    case 'gate': {
      const tick = new Int32Array(new SharedArrayBuffer(4));
      while (!existsSync(arg)) Atomics.wait(tick, 0, 0, 20);
      return extractDocument('pdf', rest, ctx);
    }
    case 'hang': {
      let n = 0;
      for (;;) n = (n + 1) | 0;
    }
    case 'block':
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      return { ok: false, reason: 'extract-error', detail: 'fault: woke up' };
    case 'async-hang':
      return ctx.race(new Promise<Extracted>(() => undefined));
    case 'oom': {
      const hoard: unknown[] = [];
      for (let i = 0; ; i++) hoard.push({ i, s: `chunk ${i}`, a: new Array<number>(64).fill(i) });
    }
    case 'throw':
      throw new TypeError('fault extractor failed');
    case 'exit':
      process.exit(3);
  }
}

serveTasks((req) =>
  runTask(req, (kind, bytes, ctx) => {
    const marked = faultOf(bytes);
    return marked ? runFault(marked, ctx) : extractDocument(kind, bytes, ctx);
  }),
);
