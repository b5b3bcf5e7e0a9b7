/**
 * The extraction sandbox with real worker threads (src/parse/sandbox/): hanging, memory-hungry, throwing and
 * crashing extractors end as unscannable parts, the process and its event loop keep serving, and the default
 * policy holds such a message. Only the first test burns CPU in its endless loop; the others block with
 * Atomics.wait (no CPU), so parallel test files keep their time budgets. The misbehaving extractors live in a
 * test-only worker entry (sandbox/fault-worker.ts, the pool's `worker` option) that runs a fault for a "PDF"
 * marked in its bytes; the suite's global setup compiles it to dist/. Waits are on the pool's own counters
 * (a task in a worker), never on fixed sleeps.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { InboundMessage, Verdict } from '../../src/core/types.js';
import { loadPolicies } from '../../src/decide/index.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { createInspector } from '../../src/inspect/inspector.js';
import { parseMessage } from '../../src/parse/index.js';
import {
  DEFAULT_POOL_OPTIONS,
  closeExtractionPool,
  configureExtractionPool,
  extractionPoolStats,
} from '../../src/parse/sandbox/pool.js';
import { waitUntil } from '../helpers/child-relay.js';
import { message, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { sendRaw } from '../helpers/smtp-client.js';
import { compose, makeDocx, makePdf, makeZip } from './fixtures.js';
import { FAULT_WORKER, faultPdf, gatedPdf, type Fault } from './sandbox/faults.js';

/** A message with a short body and one attachment whose reading runs the named fault. */
function misbehaving(name: Exclude<Fault, 'gate'>, to = 'john@example.com'): Promise<Buffer> {
  return compose({
    to,
    text: 'please see the attached report',
    attachments: [{ filename: 'report.pdf', content: faultPdf(name) }],
  });
}

/** Until a worker has taken a task (the stuck one): what a test waits for before it sends the next. */
function taskInWorker(): Promise<void> {
  return waitUntil(() => extractionPoolStats().busy >= 1, 30_000, 'a task in an extraction worker');
}

async function pdfMail(text: string): Promise<Buffer> {
  return compose({ text: 'pdf attached', attachments: [{ filename: 'ok.pdf', content: makePdf([text]) }] });
}

beforeEach(async () => {
  await configureExtractionPool({ ...DEFAULT_POOL_OPTIONS, worker: FAULT_WORKER });
});
afterAll(async () => {
  // closes the pool; the settings are module state: a later test file in this worker gets the product's defaults
  await configureExtractionPool({ ...DEFAULT_POOL_OPTIONS });
});

describe('extraction sandbox', () => {
  it('terminates a synchronously hanging extractor at the deadline; the next message parses normally', async () => {
    const t0 = Date.now();
    const p = await parseMessage(await misbehaving('hang'), { timeoutMs: 600 });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(550);
    expect(p.unscannable).toEqual([
      { source: 'attachment:report.pdf', reason: 'timeout', detail: 'time limit reached while reading' },
    ]);
    expect(p.segments.find((s) => s.source === 'body:text')?.text).toContain('please see the attached report');
    expect(extractionPoolStats().replaced).toBe(1);

    const next = await parseMessage(await pdfMail('order A-777 for jane@example.org'));
    expect(next.unscannable).toEqual([]);
    expect(next.segments.find((s) => s.source === 'attachment:ok.pdf')?.text).toContain(
      'order A-777 for jane@example.org',
    );
  });

  it('answers an asynchronous stall from the worker itself, without killing it', async () => {
    // a long grace: the worker's own answer must not race the pool's termination on a loaded machine
    await configureExtractionPool({ graceMs: 30_000 });
    const p = await parseMessage(await misbehaving('async-hang'), { timeoutMs: 400 });
    expect(p.unscannable).toEqual([
      { source: 'attachment:report.pdf', reason: 'timeout', detail: 'time limit reached while reading' },
    ]);
    expect(extractionPoolStats()).toMatchObject({ workers: 1, busy: 0, replaced: 0 });
  });

  it('stops an extractor that allocates without bound at the heap limit; the process lives on', async () => {
    await configureExtractionPool({ maxOldGenerationSizeMb: 64 });
    const rssBefore = process.memoryUsage().rss;
    const p = await parseMessage(await misbehaving('oom'));
    expect(p.unscannable).toEqual([
      { source: 'attachment:report.pdf', reason: 'size-limit', detail: 'pdf: memory limit exceeded' },
    ]);
    expect(extractionPoolStats().replaced).toBe(1);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 1024 * 1024);
    const next = await parseMessage(await pdfMail('still here'));
    expect(next.segments.find((s) => s.source === 'attachment:ok.pdf')?.text).toContain('still here');
  });

  it('reports a throwing extractor as extract-error and a dying worker as extract-error', async () => {
    const thrown = await parseMessage(await misbehaving('throw'));
    expect(thrown.unscannable).toEqual([
      { source: 'attachment:report.pdf', reason: 'extract-error', detail: 'pdf: TypeError' },
    ]);
    const died = await parseMessage(await misbehaving('exit'));
    expect(died.unscannable).toEqual([
      { source: 'attachment:report.pdf', reason: 'extract-error', detail: 'pdf: extractor crashed' },
    ]);
    const next = await parseMessage(await pdfMail('after the crash'));
    expect(next.segments.find((s) => s.source === 'attachment:ok.pdf')?.text).toContain('after the crash');
  });

  it('reads PDF, DOCX and archive members in workers, and never starts one for text and HTML', async () => {
    await closeExtractionPool();
    const reply = await compose({ text: 'Hello John,\nthanks.', html: '<p>Hello <b>John</b>, thanks.</p>' });
    const r = await parseMessage(reply);
    expect(r.segments.map((s) => s.source)).toEqual(expect.arrayContaining(['body:text', 'body:html']));
    expect(extractionPoolStats().workers).toBe(0);

    const p = await parseMessage(
      await compose({
        attachments: [
          { filename: 'a.docx', content: makeDocx(['docx text']) },
          {
            filename: 'bundle.zip',
            content: makeZip({ 'inner.pdf': makePdf(['member pdf text']), 'note.txt': 'plain member' }),
          },
        ],
      }),
    );
    expect(p.unscannable).toEqual([]);
    expect(p.segments.find((s) => s.source === 'attachment:a.docx')?.text).toContain('docx text');
    expect(p.segments.find((s) => s.source === 'attachment:bundle.zip/inner.pdf')?.text).toContain('member pdf text');
    expect(extractionPoolStats().workers).toBeGreaterThan(0);
  });

  it('keeps the event loop free while an extraction hangs, and other messages parse meanwhile', async () => {
    await configureExtractionPool({ size: 2 });
    // generous: the plain reply and the PDF below must be read before this one's deadline, also on a loaded machine
    const hanging = parseMessage(await misbehaving('block'), { timeoutMs: 8000 });
    let settled = false;
    void hanging.then(() => (settled = true));
    await taskInWorker();
    // timers fire while the worker is stuck
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    // a plain reply and a PDF (second worker) are read while the first worker is stuck
    const plain = await parseMessage(await compose({ text: 'quick reply' }));
    expect(plain.segments.find((s) => s.source === 'body:text')?.text).toContain('quick reply');
    const pdf = await parseMessage(await pdfMail('parallel pdf'));
    expect(pdf.segments.find((s) => s.source === 'attachment:ok.pdf')?.text).toContain('parallel pdf');
    expect(settled).toBe(false);
    const p = await hanging;
    expect(p.unscannable.map((u) => u.reason)).toEqual(['timeout']);
  });

  it("lets a queued task time out when every worker is stuck, as 'busy' (the load's fault, not the part's)", async () => {
    await configureExtractionPool({ size: 1 });
    const queued = await pdfMail('queued');
    // stuck for much longer than the second message's whole life, so that one never gets the worker
    const first = parseMessage(await misbehaving('block'), { timeoutMs: 5000 });
    await taskInWorker();
    const second = await parseMessage(queued, { timeoutMs: 300 });
    // it ended at its own deadline, while the stuck worker was still running (none replaced yet)
    expect(extractionPoolStats()).toMatchObject({ workers: 1, busy: 1, queued: 0, replaced: 0 });
    expect(second.unscannable).toEqual([
      { source: 'attachment:ok.pdf', reason: 'busy', detail: 'extraction workers busy with other messages' },
    ]);
    // the stuck one started at once: its timeout is its own
    expect((await first).unscannable.map((u) => u.reason)).toEqual(['timeout']);
  });

  it("a task that waited less than half its time and then ran out of it is a plain 'timeout'", async () => {
    await configureExtractionPool({ size: 1 });
    const first = parseMessage(await misbehaving('block'), { timeoutMs: 300 });
    await taskInWorker();
    // waits ~300 ms + grace for the stuck worker to be replaced, then blocks itself until its deadline
    const second = await parseMessage(await misbehaving('block'), { timeoutMs: 2500 });
    expect((await first).unscannable.map((u) => u.reason)).toEqual(['timeout']);
    expect(second.unscannable.map((u) => u.reason)).toEqual(['timeout']);
  });

  it('runs in-process with size 0 (no isolation), same results', async () => {
    await configureExtractionPool({ size: 0 });
    const p = await parseMessage(await pdfMail('in process'));
    expect(p.segments.find((s) => s.source === 'attachment:ok.pdf')?.text).toContain('in process');
    // in-process there is no fault worker: a real broken PDF makes the library throw
    const broken = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage');
    const thrown = await parseMessage(
      await compose({ text: 'x', attachments: [{ filename: 'report.pdf', content: broken }] }),
    );
    expect(thrown.unscannable).toMatchObject([
      { source: 'attachment:report.pdf', reason: 'extract-error', detail: expect.stringMatching(/^pdf: /) },
    ]);
    expect(extractionPoolStats().workers).toBe(0);
  });
});

describe('through the relay with the default policy', () => {
  let tmp: string;
  let directory: Directory;
  let relay: TestRelay;
  const held: { message: InboundMessage; verdict: Verdict }[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pg-sandbox-'));
    directory = await openDirectory({
      dataDir: tmp,
      secret: 'sandbox-test-secret-0123456789',
      follow: false,
      logger: silentLogger,
    });
    const policy = await loadPolicies('policies');
    // generous: a second message must reach the relay while the first one's extraction is still stuck
    const inspector = createInspector({
      directory,
      internalDomains: ['support.example'],
      policy: () => policy,
      monitor: false,
      parseLimits: { timeoutMs: 4000 },
    });
    relay = await startTestRelay(
      {},
      {
        inspector,
        quarantine: {
          hold: async (m, verdict) => {
            held.push({ message: m, verdict });
            return { id: m.id };
          },
        },
      },
    );
  });
  afterAll(async () => {
    await relay?.close();
    await directory?.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  afterEach(() => {
    held.length = 0;
  });

  it('holds a message whose extraction hangs and answers plain messages meanwhile', async () => {
    const bad = (await misbehaving('block', 'customer@example.com')).toString('latin1');
    const t0 = Date.now();
    const slow = sendRaw(relay.port, { from: 'agent@support.example', to: ['customer@example.com'], body: bad }).then(
      (r) => ({ r, at: Date.now() - t0 }),
    );
    await taskInWorker();
    const quick = await sendRaw(relay.port, {
      from: 'agent@support.example',
      to: ['customer@example.com'],
      body: message(),
    });
    const quickAt = Date.now() - t0;
    expect(quick.code).toBe(250);
    expect(quick.text).not.toMatch(/held/i);

    const { r, at } = await slow;
    expect(quickAt).toBeLessThan(at);
    expect(r.code).toBe(250);
    expect(r.text).toMatch(/held for review/);
    expect(held).toHaveLength(1);
    expect(held[0]!.verdict).toMatchObject({ action: 'quarantine', rules: ['unscannable'] });
    expect(readdirSync(join(relay.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  });

  it('a burst that keeps every extraction worker busy: the waiting message gets 451 4.3.2 (not held), and goes through when sent again', async () => {
    await configureExtractionPool({ size: 1, worker: FAULT_WORKER });
    // The invoice's reading waits for a gate the test opens only before the retry: when the stuck worker is
    // replaced at its deadline, the invoice gets the fresh worker but cannot finish before its own deadline.
    const gate = join(tmp, 'invoice-gate');
    const invoice = gatedPdf(gate, makePdf(['Invoice 2041, thank you']));
    const pdf = (
      await compose({
        to: 'customer@example.com',
        text: 'invoice attached',
        attachments: [{ filename: 'invoice.pdf', content: invoice }],
      })
    ).toString('latin1');
    const stuckBody = (await misbehaving('block', 'customer@example.com')).toString('latin1');
    const stuck = sendRaw(relay.port, { from: 'agent@support.example', to: ['customer@example.com'], body: stuckBody });
    await taskInWorker();
    const deferred = await sendRaw(relay.port, {
      from: 'agent@support.example',
      to: ['customer@example.com'],
      body: pdf,
    });
    expect(deferred.code).toBe(451);
    expect(deferred.text).toMatch(/^451 4\.3\.2 Scanner busy with other messages, try again later, ref [0-9A-Z]+$/);
    const id = /ref ([0-9A-Z]+)/.exec(deferred.text)![1]!;
    expect(relay.logs.find((l) => l.tx === id && l.msg === 'transaction')).toMatchObject({
      verdict: 'error',
      reply: 451,
    });
    // the stuck one is held (its own timeout); the deferred one is not
    expect((await stuck).text).toMatch(/held for review/);
    expect(held).toHaveLength(1);
    expect(held[0]!.message.id).not.toBe(id);
    // the client's retry, once the worker is free
    writeFileSync(gate, '');
    const retry = await sendRaw(relay.port, { from: 'agent@support.example', to: ['customer@example.com'], body: pdf });
    expect(retry.code).toBe(250);
    expect(retry.text).not.toMatch(/held/);
    expect(held).toHaveLength(1);
  });

  it('holds messages whose extractor runs out of memory or throws', async () => {
    await configureExtractionPool({ maxOldGenerationSizeMb: 64, worker: FAULT_WORKER });
    for (const name of ['oom', 'throw'] as const) {
      const body = (await misbehaving(name, 'customer@example.com')).toString('latin1');
      const r = await sendRaw(relay.port, { from: 'agent@support.example', to: ['customer@example.com'], body });
      expect(r.code, name).toBe(250);
      expect(r.text).toMatch(/held for review/);
    }
    expect(held.map((h) => h.verdict.action)).toEqual(['quarantine', 'quarantine']);
  });
});
