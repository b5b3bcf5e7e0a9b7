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
 *
 * Compiled to dist/test/parse/sandbox/fault-worker.js by the suite's global setup (test/vitest/global-setup.ts).
 */
import type { ExtractContext } from '../../../src/parse/context.js';
import type { Extracted } from '../../../src/parse/extract/result.js';
import { extractDocument, runTask } from '../../../src/parse/sandbox/extractors.js';
import { serveTasks } from '../../../src/parse/sandbox/serve.js';
import { FAULT_MARK, type Fault } from './faults.js';

function faultOf(bytes: Uint8Array): Fault | null {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  return head.startsWith(FAULT_MARK) ? (head.slice(FAULT_MARK.length).split(/\s/, 1)[0] as Fault) : null;
}

async function runFault(fault: Fault, ctx: ExtractContext): Promise<Extracted> {
  switch (fault) {
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
    const fault = faultOf(bytes);
    return fault ? runFault(fault, ctx) : extractDocument(kind, bytes, ctx);
  }),
);
