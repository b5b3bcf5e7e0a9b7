/**
 * The extraction sandbox: PDF, DOCX and XLSX (top-level or archive members) are read by third-party libraries
 * (pdfjs-dist, mammoth, exceljs) in a small pool of worker threads, so a library that loops synchronously or
 * exhausts its heap costs one worker, not the relay:
 *
 * - each worker runs one task at a time under V8 heap limits (`resourceLimits`); reaching them ends the worker
 *   (ERR_WORKER_OUT_OF_MEMORY) and the part becomes 'size-limit' ("<kind>: memory limit exceeded");
 * - each task has the message's deadline: the worker's own ExtractContext answers 'timeout' for asynchronous
 *   stalls; a worker still busy `graceMs` after the deadline (a synchronous loop) is terminated and the part
 *   becomes 'timeout';
 * - a worker that dies otherwise (uncaught error, exit) gives 'extract-error' ("<kind>: extractor crashed");
 * - a task that timed out after waiting for a free worker for half of its time or more is 'busy' (ExtractBusy):
 *   the load's fault, not the part's, and the relay answers 451 instead of holding the message;
 * - a dead or terminated worker is dropped; the next task starts a fresh one. Workers start lazily, idle ones
 *   are unref'd so they never keep the process alive. `closeExtractionPool()` stops them all (shutdown).
 *
 * Text, HTML, calendar parts, MIME and our own bounded ZIP reader stay on the main thread (no round trip).
 * Memory outside the V8 heap (ArrayBuffers, native allocations) is not capped by `resourceLimits`.
 *
 * The worker entry is the compiled `dist/src/parse/sandbox/worker.js`; when this module runs from TypeScript
 * sources (vitest), it is resolved there too (the test suite's global setup builds dist/ first). The `worker`
 * option names another entry module speaking the same protocol (serve.ts).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ExtractContext } from '../context.js';
import { ExtractBusy, ExtractTimeout } from '../context.js';
import { fail, type Extracted } from '../extract/result.js';
import type { ParseLimits } from '../limits.js';
import type { TaskKind, TaskRequest, TaskResponse, TaskResult } from './protocol.js';

export interface ExtractionPoolOptions {
  /** Worker threads. 0 runs the extractors in-process: no isolation (benchmarks, debugging). */
  size: number;
  /** V8 old-generation heap limit of each worker. */
  maxOldGenerationSizeMb: number;
  /** V8 young-generation limit of each worker. */
  maxYoungGenerationSizeMb: number;
  stackSizeMb: number;
  /** How long after the message's deadline a busy worker may still answer before it is terminated. */
  graceMs: number;
  /** The worker entry module (default: the compiled worker.js, see workerUrl()). */
  worker?: URL;
}

export const DEFAULT_POOL_OPTIONS: Readonly<ExtractionPoolOptions> = Object.freeze({
  size: Math.max(1, Math.min(2, availableParallelism())),
  maxOldGenerationSizeMb: 512,
  maxYoungGenerationSizeMb: 32,
  stackSizeMb: 4,
  graceMs: 250,
});

export interface ExtractionPoolStats {
  workers: number;
  busy: number;
  queued: number;
  /** Workers terminated at a deadline or lost to a crash / memory limit since the pool started. */
  replaced: number;
}

type Outcome = TaskResult | { type: 'oom' } | { type: 'crash' } | { type: 'closed' };

/** A task's outcome and how long it waited in the queue for a worker. */
interface Settled {
  out: Outcome;
  /** Milliseconds from submission to a worker taking it (to the outcome, if none did). */
  waitedMs: number;
  /** Milliseconds the task had when submitted (its deadline minus the submission time). */
  budgetMs: number;
}

interface Pending {
  id: number;
  kind: TaskKind;
  bytes: Uint8Array;
  limits: ParseLimits;
  deadline: number;
  timer: NodeJS.Timeout;
  settled: boolean;
  queuedAt: number;
  startedAt?: number;
  resolve: (s: Settled) => void;
}

interface Slot {
  worker: Worker;
  task?: Pending;
  error?: unknown;
  dead: boolean;
}

function workerUrl(): URL {
  const here = import.meta.url;
  // From TypeScript sources (vitest) the compiled worker is used: worker threads do not load .ts files.
  return here.endsWith('.ts')
    ? new URL('../../../dist/src/parse/sandbox/worker.js', here)
    : new URL('./worker.js', here);
}

class ExtractionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private replaced = 0;
  private closed = false;
  private readonly url: URL;

  constructor(private readonly opts: ExtractionPoolOptions) {
    this.url = opts.worker ?? workerUrl();
  }

  run(kind: TaskKind, bytes: Uint8Array, limits: ParseLimits, deadline: number): Promise<Settled> {
    if (this.closed) return Promise.resolve({ out: { type: 'closed' }, waitedMs: 0, budgetMs: 0 });
    return new Promise<Settled>((resolve) => {
      const p: Pending = {
        id: this.nextId++,
        kind,
        // a private copy, transferred below: cloning a view would copy its whole underlying buffer
        bytes: bytes.slice(),
        limits,
        deadline,
        settled: false,
        queuedAt: Date.now(),
        resolve,
        timer: setTimeout(() => this.expire(p), Math.max(0, deadline + this.opts.graceMs - Date.now())),
      };
      this.queue.push(p);
      this.pump();
    });
  }

  stats(): ExtractionPoolStats {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.task).length,
      queued: this.queue.length,
      replaced: this.replaced,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) this.settle(p, { type: 'closed' });
    const slots = this.slots.splice(0);
    for (const s of slots) {
      s.dead = true;
      if (s.task) this.settle(s.task, { type: 'closed' });
    }
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private pump(): void {
    while (this.queue.length && !this.closed) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot) {
        if (this.slots.length >= this.opts.size) return;
        slot = this.spawn();
      }
      const p = this.queue.shift()!;
      p.startedAt = Date.now();
      slot.task = p;
      slot.worker.ref();
      const req: TaskRequest = { id: p.id, kind: p.kind, bytes: p.bytes, limits: p.limits, deadline: p.deadline };
      slot.worker.postMessage(req, [p.bytes.buffer as ArrayBuffer]);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.url, {
      resourceLimits: {
        maxOldGenerationSizeMb: this.opts.maxOldGenerationSizeMb,
        maxYoungGenerationSizeMb: this.opts.maxYoungGenerationSizeMb,
        stackSizeMb: this.opts.stackSizeMb,
      },
    });
    const slot: Slot = { worker, dead: false };
    worker.on('message', (res: TaskResponse) => {
      const p = slot.task;
      if (slot.dead || !p || p.id !== res.id) return;
      slot.task = undefined;
      worker.unref();
      this.settle(p, res);
      this.pump();
    });
    worker.on('error', (err) => {
      slot.error = err;
    });
    worker.on('exit', () => {
      if (slot.dead) return;
      slot.dead = true;
      this.drop(slot);
      const p = slot.task;
      if (p)
        this.settle(
          p,
          (slot.error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? { type: 'oom' }
            : { type: 'crash' },
        );
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  /** The task's deadline (plus grace) passed: drop it from the queue, or terminate the worker running it. */
  private expire(p: Pending): void {
    if (p.settled) return;
    const q = this.queue.indexOf(p);
    if (q >= 0) this.queue.splice(q, 1);
    const slot = this.slots.find((s) => s.task === p);
    if (slot) {
      slot.dead = true;
      this.drop(slot);
      void slot.worker.terminate().catch(() => undefined);
    }
    this.settle(p, { type: 'timeout', decompressed: 0 });
    this.pump();
  }

  private drop(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    this.replaced++;
  }

  private settle(p: Pending, o: Outcome): void {
    if (p.settled) return;
    p.settled = true;
    clearTimeout(p.timer);
    p.resolve({ out: o, waitedMs: (p.startedAt ?? Date.now()) - p.queuedAt, budgetMs: p.deadline - p.queuedAt });
  }
}

let options: ExtractionPoolOptions = { ...DEFAULT_POOL_OPTIONS };
let pool: ExtractionPool | undefined;

/** Changes the pool's settings; a running pool is closed and the next extraction starts a new one. */
export async function configureExtractionPool(opts: Partial<ExtractionPoolOptions>): Promise<void> {
  options = { ...options, ...opts };
  await closeExtractionPool();
}

/** Stops every extraction worker (shutdown). Pending extractions end as 'extract-error'; a later one restarts the pool. */
export async function closeExtractionPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

export function extractionPoolStats(): ExtractionPoolStats {
  return pool?.stats() ?? { workers: 0, busy: 0, queued: 0, replaced: 0 };
}

/**
 * Reads one document in the sandbox. Returns the extractor's result (or an unscannable outcome for a crash or
 * the memory limit); throws ExtractTimeout when the message's deadline passed, like the in-process extractors.
 */
export async function extractSandboxed(kind: TaskKind, bytes: Uint8Array, ctx: ExtractContext): Promise<Extracted> {
  const limits: ParseLimits = { ...ctx.limits, maxDecompressedBytes: ctx.decompressBudget() };
  let out: Outcome;
  let busy = false;
  if (options.size <= 0) {
    const { runTask } = await import('./extractors.js');
    out = await runTask({ kind, bytes, limits, deadline: ctx.deadline });
  } else {
    pool ??= new ExtractionPool(options);
    const settled = await pool.run(kind, bytes, limits, ctx.deadline);
    out = settled.out;
    // Waiting for a worker took at least half the time this part had: the timeout is the load's, not the part's.
    busy = settled.waitedMs * 2 >= settled.budgetMs;
  }
  switch (out.type) {
    case 'done':
      ctx.chargeDecompressed(out.decompressed);
      return out.result;
    case 'timeout':
      ctx.chargeDecompressed(out.decompressed);
      throw busy ? new ExtractBusy() : new ExtractTimeout();
    case 'oom':
      return fail('size-limit', `${kind}: memory limit exceeded`);
    case 'crash':
      return fail('extract-error', `${kind}: extractor crashed`);
    case 'closed':
      return fail('extract-error', `${kind}: extraction stopped`);
  }
}
