/**
 * Long fuzzing run (issue 7): N generated SMTP sessions (command sequences + MIME trees) against the relay as
 * `serve` composes it, C sessions at a time. Properties: see engine.ts. Exits 1 on the first violation (printing
 * the seed, the case index and the case as JSON for replay), 0 when all N passed.
 *
 *   npm run build && node dist/bench/fuzz/run.js [CASES=100000] [--seed S] [--concurrency C]
 */
import fc from 'fast-check';
import {
  alive,
  checkDelivery,
  PropertyViolation,
  runCase,
  sessionArb,
  settle,
  startFuzzTarget,
  type FuzzCase,
} from './engine.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
const CASES = Number(argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
const SEED = Number(opt('seed', String(Date.now() % 2 ** 31)));
const CONCURRENCY = Number(opt('concurrency', '8'));
const BATCH = 1000;

async function main(): Promise<void> {
  const target = await startFuzzTarget();
  const outcomes = new Map<string, { code: number; held: boolean }>();
  const started = Date.now();
  let done = 0;
  let replies = 0;
  let datas = 0;
  const codes = new Map<number, number>();
  let failure: { index: number; fcase: FuzzCase; error: string } | undefined;
  console.log(`fuzz: ${CASES} cases, seed ${SEED}, concurrency ${CONCURRENCY}, relay on 127.0.0.1:${target.port}`);
  try {
    for (let b = 0; b * BATCH < CASES && !failure; b++) {
      const n = Math.min(BATCH, CASES - b * BATCH);
      // one deterministic sample per batch: (seed, batch) replays it
      const cases = fc.sample(sessionArb, { seed: SEED + b, numRuns: n });
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < cases.length && !failure) {
            const i = next++;
            try {
              const o = await runCase(target.port, cases[i]!, { runId: `b${b}` });
              replies += o.replies;
              for (const [id, v] of o.data) {
                outcomes.set(id, v);
                datas++;
                codes.set(v.code, (codes.get(v.code) ?? 0) + 1);
              }
            } catch (err) {
              if (!(err instanceof PropertyViolation)) throw err;
              failure = { index: b * BATCH + i, fcase: cases[i]!, error: err.message };
            }
            done++;
          }
        }),
      );
      if (target.crashes.length)
        failure ??= {
          index: -1,
          fcase: { ehlo: false, cmds: [], quit: false },
          error: `relay crashed: ${target.crashes[0]}`,
        };
      if (!failure) {
        await settle(target, outcomes);
        const problems = checkDelivery(target, outcomes);
        if (problems.length)
          failure = {
            index: -1,
            fcase: { ehlo: false, cmds: [], quit: false },
            error: problems.slice(0, 5).join('; '),
          };
      }
      const s = (Date.now() - started) / 1000;
      console.log(
        `  ${done}/${CASES} cases, ${replies} replies, ${datas} DATA (${[...codes].map(([k, v]) => `${k}:${v}`).join(' ')}), ${(done / s).toFixed(0)} cases/s, rss ${Math.round(process.memoryUsage().rss / 1048576)} MB`,
      );
    }
    if (!failure && !(await alive(target.port)))
      failure = { index: -1, fcase: { ehlo: false, cmds: [], quit: false }, error: 'relay no longer answers' };
  } finally {
    await target.close();
  }
  if (failure) {
    console.error(
      `FAILED at case ${failure.index} (seed ${SEED}, batch seed ${SEED + Math.floor(failure.index / BATCH)}): ${failure.error}`,
    );
    console.error(JSON.stringify(failure.fcase).slice(0, 5000));
    process.exit(1);
  }
  console.log(`fuzz: all ${CASES} cases passed in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED})`);
  process.exit(0);
}

void main();
