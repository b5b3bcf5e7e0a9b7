import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileOnce } from '../../src/core/durable-file.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pg-durable-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('createFileOnce', () => {
  it('creates the file with its data and mode, and leaves no temp file', async () => {
    const dir = tempDir();
    const file = join(dir, 'k.key');
    expect(await createFileOnce(file, 'abc\n', { mode: 0o600 })).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('abc\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['k.key']);
  });

  it('never replaces an existing file', async () => {
    const dir = tempDir();
    const file = join(dir, 'k.key');
    writeFileSync(file, 'first\n');
    expect(await createFileOnce(file, 'second\n')).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('first\n');
    expect(readdirSync(dir)).toEqual(['k.key']);
  });

  it('is never seen partly written by a reader polling meanwhile', async () => {
    const dir = tempDir();
    const file = join(dir, 'big.bin');
    // Written in 192 parts (a write each), so a file that were visible while written would show partial lengths.
    const data = Array.from({ length: 192 }, () => Buffer.alloc(256 * 1024, 0x61));
    const size = 192 * 256 * 1024;
    let done = false;
    const seen = new Set<number>();
    const poll = (async () => {
      while (!done) {
        try {
          seen.add((await readFile(file)).length);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          seen.add(-1);
        }
      }
    })();
    await createFileOnce(file, data);
    done = true;
    await poll;
    // Absent, then whole: a plain create-and-write shows lengths in between.
    expect([...seen].filter((n) => n !== -1 && n !== size)).toEqual([]);
    expect(seen.has(-1)).toBe(true);
  });

  it('lets exactly one of several racing processes create the file, and all read the same whole content', async () => {
    const dir = tempDir();
    const file = join(dir, 'shared.key');
    const durable = resolve('dist/src/core/durable-file.js');
    // Each process waits for the same start time, writes 8 MB of its own letter in 64 parts, then reads the file.
    const start = Date.now() + 1500;
    const script = `
      import { createFileOnce } from ${JSON.stringify(durable)};
      import { readFileSync } from 'node:fs';
      const mine = process.argv[1];
      while (Date.now() < ${start});
      const parts = Array.from({ length: 64 }, () => Buffer.alloc(128 * 1024, mine));
      const created = await createFileOnce(${JSON.stringify(file)}, parts);
      const text = readFileSync(${JSON.stringify(file)}, 'latin1');
      const whole = text.length === 8 * 1024 * 1024 && text === text[0].repeat(text.length);
      console.log(JSON.stringify({ created, letter: text[0], whole }));`;
    const letters = ['a', 'b', 'c', 'd', 'e', 'f'];
    const results = await Promise.all(
      letters.map(
        (letter) =>
          new Promise<{ created: boolean; letter: string; whole: boolean }>((done, fail) => {
            let out = '';
            const child = spawn(process.execPath, ['--input-type=module', '-e', script, letter], {
              stdio: ['ignore', 'pipe', 'inherit'],
            });
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.on('error', fail);
            child.on('exit', (code) => (code === 0 ? done(JSON.parse(out)) : fail(new Error(`child exited ${code}`))));
          }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const winner = results.find((r) => r.created)!.letter;
    for (const r of results) expect(r).toMatchObject({ letter: winner, whole: true });
    expect(readdirSync(dir)).toEqual(['shared.key']);
  }, 30_000);
});
