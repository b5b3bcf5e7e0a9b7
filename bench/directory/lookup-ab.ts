/**
 * Lookup speed of two builds of the directory in one process, so that both see the same machine load: the same N
 * customers (customers.ts, as run.js) imported into each, then run.js's lookup sample in alternating windows of 1 s
 * of CPU time, counted two ways — only the number of customers found (what run.js's lookups/s does) and reading
 * every returned customer id (what detection does with a hit: its findings carry the ids, compared with the
 * recipients' customers).
 *
 *   npm run build && node dist/bench/directory/lookup-ab.js --a <other checkout, built> [--b <checkout>] [N]
 *
 * `--b` defaults to this checkout; N to 1,000,000. Prints lookups per CPU-second, median and best of 6 windows each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Directory, OpenDirectoryOptions } from '../../src/directory/index.js';
import { lookupSample, writeCsv } from './customers.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const A = opt('--a');
const B = opt('--b') ?? resolve(fileURLToPath(import.meta.url), '../../../..');
const N = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 1_000_000);
const WINDOWS = 6;

type Open = (opts: OpenDirectoryOptions) => Promise<Directory>;

async function opener(root: string): Promise<Open> {
  const mod = (await import(pathToFileURL(join(resolve(root), 'dist/src/directory/index.js')).href)) as {
    openDirectory: Open;
  };
  return mod.openDirectory;
}

let sink = 0;

/** Lookups per CPU-second over one window of at least 1 s of CPU time. */
function window(dir: Directory, sample: readonly [string, string][], readIds: boolean): number {
  const c0 = process.cpuUsage();
  let total = 0;
  let used = 0;
  do {
    for (const [kind, v] of sample) {
      const ids = dir.lookup(kind, v);
      sink += ids.length;
      if (readIds) for (const id of ids) sink += id.charCodeAt(id.length - 1);
    }
    total += sample.length;
    const c = process.cpuUsage(c0);
    used = c.user + c.system;
  } while (used < 1e6);
  return total / (used / 1e6);
}

async function main(): Promise<void> {
  if (!A) throw new Error('usage: lookup-ab.js --a <other checkout, built> [--b <checkout>] [N]');
  const tmp = await mkdtemp(join(tmpdir(), 'pg-bench-ab-'));
  const dirs: Directory[] = [];
  try {
    const csv = join(tmp, 'customers.csv');
    await writeCsv(csv, N);
    for (const [name, root] of [
      ['a', A],
      ['b', B],
    ] as const) {
      const open = await opener(root);
      const dir = await open({
        dataDir: join(tmp, name),
        secret: 'bench-secret-0123456789abcdef',
        follow: false,
        missCache: 0,
      });
      dirs.push(dir);
      await dir.import(csv, { mode: 'replace' });
    }
    const sample = lookupSample(N);
    console.log(
      `directory lookups, A/B in one process — N = ${N.toLocaleString('en')}, node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`,
    );
    console.log(`A = ${resolve(A)}\nB = ${resolve(B)}`);
    for (const readIds of [false, true]) {
      const rates: number[][] = [[], []];
      for (let w = 0; w < WINDOWS; w++)
        for (const x of w % 2 ? [1, 0] : [0, 1]) rates[x]!.push(window(dirs[x]!, sample, readIds));
      const line = (x: number): string => {
        const v = [...rates[x]!].sort((p, q) => p - q);
        return `median ${Math.round(v[WINDOWS >> 1]!)
          .toLocaleString('en')
          .padStart(9)}, best ${Math.round(v[WINDOWS - 1]!)
          .toLocaleString('en')
          .padStart(9)}`;
      };
      const what = readIds ? 'every returned id read' : 'result length only (as run.js)';
      console.log(`lookups per CPU-second, ${what}:\n  A ${line(0)}\n  B ${line(1)}`);
    }
    if (sink === 0.5) console.log('');
  } finally {
    for (const d of dirs) await d.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
