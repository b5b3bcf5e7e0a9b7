#!/usr/bin/env node
/**
 * Runs npm scripts side by side (as many at a time as the machine has cores) and fails when any of them fails.
 * Each script's output is printed in one piece when it ends, under its name, so two outputs never interleave.
 *
 * Usage: node scripts/parallel.mjs SCRIPT…   (e.g. `node scripts/parallel.mjs typecheck lint`)
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

const scripts = process.argv.slice(2);
if (!scripts.length) {
  console.error('usage: node scripts/parallel.mjs SCRIPT…');
  process.exit(2);
}

const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];

function run(name) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(npm[0], [...npm.slice(1), 'run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
    child.on('close', (code, signal) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const ok = code === 0;
      const text = Buffer.concat(out).toString();
      process.stdout.write(
        `${ok ? '✓' : '✗'} ${name} (${seconds} s)${ok ? '' : `: exit ${code ?? signal}`}\n${text && !ok ? text : ''}`,
      );
      if (ok && text.trim()) process.stdout.write(text.replace(/^/gm, '  '));
      resolve(ok);
    });
  });
}

const queue = [...scripts];
const results = [];
await Promise.all(
  Array.from({ length: Math.min(queue.length, Math.max(1, availableParallelism())) }, async () => {
    for (let name = queue.shift(); name; name = queue.shift()) results.push(await run(name));
  }),
);
process.exit(results.every(Boolean) ? 0 : 1);
