/**
 * Hostile and real-world input.
 *  1. Bombs (deep MIME, 10,000 parts, 1 MB headers, 8 MB lines, pathological HTML, ZIP bombs) through the real
 *     inspector (parse → detect → decide, default policies): each settles within a time bound, peak RSS stays
 *     under a generous bound, and where a limit applies the verdict holds the message (fail closed).
 *  2. A bounded real-world corpus (1,000 messages: the labelled corpus from test/corpus/generate.ts, CPython's
 *     email test messages when installed, and deterministic byte mutations of both) through scanMessage: no
 *     crash, every message settles, bounded time and memory.
 *     (The 6,046 SpamAssassin messages run in spamassassin.test.ts.)
 *  3. The bombs and 100 corpus/mutated messages through the built relay over SMTP: every one answered (250 held /
 *     250 delivered / 4xx / 5xx), no bomb delivered, the relay alive afterwards, its peak RSS bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import type { Verdict } from '../../src/core/types.js';
import { loadPolicies, type PolicySet } from '../../src/decide/index.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { createInspector, scanMessage } from '../../src/inspect/inspector.js';
import { generateCorpusAtFixedTime, writeDirectoryCsv, type Corpus } from '../corpus/generate.js';
import {
  cleanupChildren,
  freePort,
  POLICIES,
  startChildRelay,
  tempDir,
  type ChildRelay,
} from '../helpers/child-relay.js';
import { BOMBS, mutate } from '../helpers/hostile.js';
import { messageIdOf } from '../helpers/retrying-client.js';
import { sendRaw } from '../helpers/smtp-client.js';
import { startSink, type Sink } from '../helpers/sink.js';

/** Generous bounds: the point is "bounded", not "small". */
const MAX_SCAN_MS = 25_000; // scanTimeout (20 s) + slack; the relay cuts at scanTimeout
const MAX_RSS_MB = 1536;
const CORPUS_SIZE = Number(process.env.PG_HOSTILE_CORPUS ?? 1000);
const INTERNAL = ['support.example'];
const ENVELOPE = { mailFrom: 'agent@support.example', rcptTo: ['someone@example.com'] };

/** Peak RSS of a process since the last reset (Linux: VmHWM; reset by writing 5 to clear_refs). */
function peakRssMb(pid: number | 'self' = 'self'): number {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024);
}
function resetPeak(pid: number | 'self' = 'self'): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    /* not permitted: the peak is then since process start, still an upper bound */
  }
}

function pythonEmailCorpus(): Buffer[] {
  const roots = ['/usr/lib', '/root/.pyenv/versions'];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const a of readdirSync(root)) {
      for (const cand of [
        join(root, a, 'test/test_email/data'),
        join(root, a, 'lib', a.replace(/^(\d+\.\d+).*/, 'python$1'), 'test/test_email/data'),
      ]) {
        if (existsSync(cand)) {
          return readdirSync(cand)
            .filter((f) => f.startsWith('msg_'))
            .map((f) => Buffer.from(readFileSync(join(cand, f), 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1'));
        }
      }
    }
  }
  return [];
}

let dir: string;
let corpus: Corpus;
let directory: Directory;
let policies: PolicySet;
let csv: string;
/** A foreign customer's address planted in every bomb: the envelope recipient is nobody in the directory. */
const plant = () => `please also check ${corpus.customers[7]!.email} thanks`;
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  dir = tempDir('pg-hostile-');
  corpus = await generateCorpusAtFixedTime();
  csv = writeDirectoryCsv(corpus.customers, dir);
  directory = await openDirectory({
    dataDir: join(dir, 'data'),
    secret: 'hostile-secret-0123456789abcdef',
    follow: false,
    logger: silentLogger,
  });
  await directory.import(csv, { mode: 'replace' });
  policies = await loadPolicies(POLICIES);
}, 120_000);

afterAll(async () => {
  await directory?.close();
  console.log('[hostile]', JSON.stringify(figures, null, 1));
  await cleanupChildren();
});

describe('bombs through the inspector (parse → detect → decide)', () => {
  for (const bomb of BOMBS) {
    it(
      bomb.name,
      async () => {
        const raw = bomb.raw(plant());
        const inspect = createInspector({
          directory,
          internalDomains: INTERNAL,
          policy: () => policies,
          monitor: false,
        });
        resetPeak();
        const t0 = performance.now();
        let verdict: Verdict | undefined;
        let error: string | undefined;
        try {
          verdict = await inspect({
            id: 'bomb',
            envelope: ENVELOPE,
            client: { remoteAddress: '127.0.0.1', secure: false },
            raw,
            receivedAt: new Date(),
          } as Parameters<typeof inspect>[0]);
        } catch (err) {
          error = (err as { code?: string }).code ?? (err as Error).message.slice(0, 80);
        }
        const ms = Math.round(performance.now() - t0);
        const rss = peakRssMb();
        figures[bomb.name] = {
          inputKB: Math.round(raw.length / 1024),
          ms,
          peakRssMB: rss,
          verdict: verdict?.action,
          rules: verdict?.rules,
          error,
        };
        expect(ms).toBeLessThan(MAX_SCAN_MS);
        expect(rss).toBeLessThan(MAX_RSS_MB);
        // Every bomb carries another customer's e-mail address at its far end (or is cut by a limit): either the
        // scan fails (the relay answers 451), or it is held — found by a complete scan, or unscannable (fail closed).
        if (!error) expect(['quarantine', 'reject']).toContain(verdict!.action);
        if (bomb.mustBeUnscannable && !error) expect(verdict!.rules).toContain('unscannable');
      },
      60_000,
    );
  }
});

describe('real-world corpus through scanMessage', () => {
  it(`${CORPUS_SIZE} messages (generated corpus + CPython email tests + mutations): all settle, bounded time and memory`, async () => {
    const base = [...corpus.messages.map((m) => m.raw), ...pythonEmailCorpus()];
    const inputs: Buffer[] = [];
    for (let i = 0; inputs.length < CORPUS_SIZE; i++)
      inputs.push(i < base.length ? base[i]! : mutate(base[i % base.length]!, i));
    resetPeak();
    let failed = 0;
    let unscannable = 0;
    let maxMs = 0;
    const t0 = performance.now();
    for (const raw of inputs) {
      const s = performance.now();
      try {
        const scan = await scanMessage(raw, ENVELOPE, { directory, internalDomains: INTERNAL });
        if (scan.parsed.unscannable.length) unscannable++;
      } catch {
        failed++; // the relay turns this into 451: fail closed, but count it
      }
      maxMs = Math.max(maxMs, performance.now() - s);
    }
    const totalS = (performance.now() - t0) / 1000;
    figures.corpus = {
      messages: inputs.length,
      generated: corpus.messages.length,
      python: base.length - corpus.messages.length,
      scanThrew: failed,
      withUnscannableParts: unscannable,
      maxMs: Math.round(maxMs),
      totalS: Math.round(totalS * 10) / 10,
      peakRssMB: peakRssMb(),
    };
    expect(inputs.length).toBe(CORPUS_SIZE);
    expect(maxMs).toBeLessThan(MAX_SCAN_MS);
    expect(peakRssMb()).toBeLessThan(MAX_RSS_MB);
    // parse errors are reported as unscannable parts, not thrown: a throw would be a crash-class bug
    expect(failed).toBe(0);
  }, 240_000);
});

describe('bombs and corpus through the relay over SMTP', () => {
  let relay: ChildRelay;
  let sink: Sink;
  let port: number;
  beforeAll(async () => {
    sink = await startSink();
    port = await freePort();
    relay = await startChildRelay({
      args: [
        '--listen',
        `127.0.0.1:${port}`,
        '--admin-listen',
        '',
        '--upstream',
        sink.url,
        '--data-dir',
        join(dir, 'relay-data'),
        '--directory',
        csv,
        '--policies',
        POLICIES,
        '--internal-domain',
        'support.example',
        '--hostname',
        'relay.test',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await relay?.kill();
    await sink?.close();
  });

  it('answers every bomb, delivers none of the limited ones, stays up with bounded RSS', async () => {
    resetPeak(relay.child.pid!);
    const results: Record<string, { code: number; held: boolean; ms: number }> = {};
    for (const bomb of BOMBS) {
      const raw = bomb.raw(plant());
      const before = sink.messages.length;
      const t0 = Date.now();
      const r = await sendRaw(port, {
        from: 'agent@support.example',
        to: ['someone@example.com'],
        body: raw.toString('latin1').replace(/^\./gm, '..'),
      });
      const held = /held for review/.test(r.text);
      results[bomb.name] = { code: r.code, held, ms: Date.now() - t0 };
      expect([250, 421, 451, 452, 550, 552, 554]).toContain(r.code);
      // nothing of it delivered: held, or refused / deferred
      expect(r.code === 250 && !held, `${bomb.name}: ${r.text}`).toBe(false);
      // the relay answers after the upstream's final reply (a held or refused message never gets its final dot
      // there), so nothing more of this session can reach the sink
      expect(sink.messages.slice(before).some((m) => messageIdOf(m.raw) === messageIdOf(raw))).toBe(false);
    }
    const ok = await sendRaw(port, {
      from: 'agent@support.example',
      to: ['someone@example.com'],
      body: 'Subject: still alive\r\n\r\nhello\r\n',
    });
    expect(ok.code).toBe(250);
    const rss = peakRssMb(relay.child.pid!);
    figures.relayBombs = { results, relayPeakRssMB: rss };
    expect(rss).toBeLessThan(MAX_RSS_MB);
  }, 240_000);

  it('answers 100 corpus and mutated messages', async () => {
    const codes: Record<number, number> = {};
    for (let i = 0; i < 100; i++) {
      const m = corpus.messages[(i * 7) % corpus.messages.length]!;
      const raw = i % 2 ? mutate(m.raw, i) : m.raw;
      const r = await sendRaw(port, {
        from: m.envelope.mailFrom,
        to: m.envelope.rcptTo,
        body: raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..'),
      });
      codes[r.code] = (codes[r.code] ?? 0) + 1;
      expect(r.code).toBeGreaterThanOrEqual(250);
    }
    figures.relayCorpus = codes;
    expect((codes[250] ?? 0) + (codes[550] ?? 0) + (codes[451] ?? 0)).toBe(100);
  }, 120_000);
});
