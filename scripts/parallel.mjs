#!/usr/bin/env node
/**
 * Runs npm scripts side by side and fails (exit 1) when any of them fails. Each script's output is printed in one
 * piece when it ends, under its name, so outputs never interleave; the script named with --live streams its output
 * as it comes (the test suite, whose progress is worth seeing).
 *
 * All start at once: the type check and lint are single-threaded and the suite mostly waits on child
 * processes, so together they use the machine's cores instead of taking turns.
 *
 * Usage: node scripts/parallel.mjs [--live SCRIPT] SCRIPT…
 *   e.g. `node scripts/parallel.mjs --live test:suite check:code lint:rest`
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const liveAt = args.indexOf('--live');
const live = liveAt >= 0 ? args.splice(liveAt, 2)[1] : undefined;
const scripts = live ? [live, ...args] : args;
if (!scripts.length || (liveAt >= 0 && !live)) {
  console.error('usage: node scripts/parallel.mjs [--live SCRIPT] SCRIPT…');
  process.exit(2);
}

const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];

function run(name) {
  return new Promise((resolve) => {
    const started = performance.now();
    const streaming = name === live;
    const child = spawn(npm[0], [...npm.slice(1), 'run', '--silent', name], {
      stdio: ['ignore', streaming ? 'inherit' : 'pipe', streaming ? 'inherit' : 'pipe'],
    });
    const out = [];
    child.stdout?.on('data', (d) => out.push(d));
    child.stderr?.on('data', (d) => out.push(d));
    child.on('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
    child.on('close', (code, signal) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const ok = code === 0;
      const text = Buffer.concat(out).toString();
      process.stdout.write(`${ok ? '✓' : '✗'} ${name} (${seconds} s)${ok ? '' : `: exit ${code ?? signal}`}\n`);
      if (text.trim()) process.stdout.write(ok ? text.replace(/^/gm, '  ') : text);
      resolve(ok);
    });
  });
}

const results = await Promise.all(scripts.map(run));
process.exit(results.every(Boolean) ? 0 : 1);
