/**
 * Micro-benchmarks behind the directory lookup figure: keyed-hash engines and the index probe alone.
 *
 *   npm run build && node dist/bench/directory/micro.js [M]      # M distinct values in the index, default 4.8M
 *
 * Figures are per second of this process's CPU time (the machine is shared: wall-clock rates mostly measure the
 * other jobs), best of 15 interleaved 200 ms windows.
 */
import { createHmac } from 'node:crypto';
import { CompactIndex } from '../../src/directory/compact-index.js';
import { KeyedHasher } from '../../src/directory/keyed-hash.js';

const M = Number(process.argv[2] ?? 4_824_602);
const CUSTOMERS = 1_000_000;

/** Operations per second of this process's CPU time (user + system) over a 200 ms wall-clock window. */
function rate(fn: () => number): () => number {
  return () => {
    let n = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    while (performance.now() - t0 < 200) n += fn();
    const c = process.cpuUsage(c0);
    return n / ((c.user + c.system) / 1e6);
  };
}

function bestOf(cases: Record<string, () => number>, rounds = 15): Record<string, number> {
  const best: Record<string, number> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(cases)) best[name] = Math.max(best[name] ?? 0, run());
  }
  return best;
}

function randomU32(): number {
  return (Math.random() * 0x100000000) >>> 0;
}

function main(): void {
  const secret = Buffer.from('bench-secret-0123456789abcdef');
  const wasm = new KeyedHasher(secret);
  const js = new KeyedHasher(secret, { wasm: false });
  const values = Array.from({ length: 1000 }, (_, i) => `first.last.${i}@gmail.com`);
  const kinds = ['email', 'phone', 'full_name', 'address'];
  let sink = 0;
  const hashCases: Record<string, () => number> = {
    'node:crypto createHmac': rate(() => {
      for (let i = 0; i < 200; i++) sink ^= createHmac('sha256', secret).update(`email\0${values[i]!}`).digest()[0]!;
      return 200;
    }),
    'JS SHA-256 (fallback)': rate(() => {
      for (const v of values) js.hash('email', v);
      return values.length;
    }),
    'WASM, one call per value': rate(() => {
      for (const v of values) wasm.hash('email', v);
      return values.length;
    }),
    'WASM, kind changes every value': rate(() => {
      for (let i = 0; i < values.length; i++) wasm.hash(kinds[i & 3]!, values[i]!);
      return values.length;
    }),
  };
  const hb = bestOf(hashCases);

  // Index probe: M random 64-bit keys, sorted, refs into 1M customers; probes half hits, half misses.
  const hi = new Uint32Array(M);
  const lo = new Uint32Array(M);
  for (let i = 0; i < M; i++) {
    hi[i] = randomU32();
    lo[i] = randomU32();
  }
  const order = Array.from({ length: M }, (_, i) => i).sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]!);
  const keys = new Uint32Array(2 * M);
  order.forEach((o, i) => {
    keys[2 * i] = hi[o]!;
    keys[2 * i + 1] = lo[o]!;
  });
  const ref = Uint32Array.from({ length: M }, () => Math.floor(Math.random() * CUSTOMERS));
  const ids = Array.from({ length: CUSTOMERS }, (_, i) => `C${String(i).padStart(8, '0')}`);
  const index = new CompactIndex({
    kinds: ['email'],
    strengths: {},
    regions: [''],
    emailDomains: [],
    digitless: [],
    ids,
    keys,
    kind: new Uint8Array(M),
    ref,
    overflow: new Uint32Array(0),
    region: new Uint8Array(CUSTOMERS),
  });
  // Each probe follows a keyed hash, as in a real lookup: the hash's ~2,000 instructions keep the CPU from
  // overlapping one probe's cache misses with the next (a bare probe loop would hide them).
  const P = 200_000;
  const probes = new Uint32Array(2 * P);
  for (let i = 0; i < P; i++) {
    if (i % 2 === 0) {
      const p = Math.floor(Math.random() * M);
      probes[2 * i] = keys[2 * p]!;
      probes[2 * i + 1] = keys[2 * p + 1]!;
    } else {
      probes[2 * i] = randomU32();
      probes[2 * i + 1] = randomU32();
    }
  }
  const emails = Array.from({ length: P }, (_, i) => `first.last.${i}@gmail.com`);
  const pb = bestOf(
    {
      'hash only': rate(() => {
        for (let i = 0; i < P; i++) {
          wasm.hash('email', emails[i]!);
          sink += wasm.lo;
        }
        return P;
      }),
      'hash + find()': rate(() => {
        for (let i = 0; i < P; i++) {
          wasm.hash('email', emails[i]!);
          sink += wasm.lo + index.find(probes[2 * i]!, probes[2 * i + 1]!);
        }
        return P;
      }),
      'hash + lookupHash() (find + id)': rate(() => {
        for (let i = 0; i < P; i++) {
          wasm.hash('email', emails[i]!);
          sink += wasm.lo + index.lookupHash(probes[2 * i]!, probes[2 * i + 1]!).length;
        }
        return P;
      }),
    },
    8,
  );
  const fmt = (r: number): string =>
    `${Math.round(r).toLocaleString('en').padStart(11)} /s  ${(1e9 / r).toFixed(0).padStart(5)} ns`;
  console.log(`keyed hash of a ~26-byte email (engine: ${wasm.engine})`);
  for (const [k, v] of Object.entries(hb)) console.log(`  ${k.padEnd(34)} ${fmt(v)}`);
  console.log(`keyed hash + index probe, ${M.toLocaleString('en')} values, 50% hits`);
  for (const [k, v] of Object.entries(pb)) console.log(`  ${k.padEnd(34)} ${fmt(v)}`);
  if (sink === 0.5) console.log('');
}

main();
