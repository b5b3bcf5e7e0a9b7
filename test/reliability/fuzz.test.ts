/**
 * Fuzzing with fast-check, fixed seed (CI): 600 generated SMTP sessions (command sequences with malformed and
 * out-of-order commands, control characters, AUTH, pipelined-looking garbage; DATA with generated MIME trees,
 * broken boundaries/encodings, bare CR/LF, customer values) against the relay as `serve` composes it.
 * Properties (bench/fuzz/engine.ts): the relay never crashes, every command gets one syntactically valid reply,
 * every DATA ends with 250/4xx/5xx, nothing is delivered that was not answered 250 (and every plain 250 is).
 * Long runs: `node dist/bench/fuzz/run.js 100000`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alive,
  checkDelivery,
  runCase,
  sessionArb,
  settle,
  startFuzzTarget,
  type FuzzTarget,
} from '../../bench/fuzz/engine.js';

const SEED = 20241118;
const RUNS = Number(process.env.PG_FUZZ_RUNS ?? 600);

let target: FuzzTarget;
beforeAll(async () => {
  target = await startFuzzTarget();
}, 60_000);
afterAll(async () => {
  await target?.close();
});

describe('fuzz: SMTP command sequences and MIME structure', () => {
  it(`${RUNS} sessions, seed ${SEED}: valid replies, DATA always answered, nothing delivered without 250, no crash`, async () => {
    const outcomes = new Map<string, { code: number; held: boolean }>();
    const codes: Record<number, number> = {};
    let replies = 0;
    const t0 = Date.now();
    await fc.assert(
      fc.asyncProperty(sessionArb, async (fcase) => {
        const o = await runCase(target.port, fcase, { replyTimeoutMs: 30_000, runId: 'ci' });
        replies += o.replies;
        for (const [id, v] of o.data) {
          outcomes.set(id, v);
          codes[v.code] = (codes[v.code] ?? 0) + 1;
        }
        expect(target.crashes).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    await settle(target, outcomes);
    const problems = checkDelivery(target, outcomes);
    console.log(
      '[fuzz]',
      JSON.stringify({
        runs: RUNS,
        seed: SEED,
        replies,
        data: outcomes.size,
        dataReplies: codes,
        delivered: target.delivered.size,
        held: [...outcomes.values()].filter((o) => o.held).length,
        seconds: (Date.now() - t0) / 1000,
      }),
    );
    expect(problems).toEqual([]);
    expect(target.crashes).toEqual([]);
    expect(await alive(target.port)).toBe(true);
  }, 120_000);
});
