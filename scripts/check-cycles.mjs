#!/usr/bin/env node
/**
 * Fails (exit 1) when modules under src/ import each other in a circle, and names every circle found.
 *
 * Import edges are read with TypeScript's own pre-processor (static imports, re-exports and dynamic import()
 * of relative paths; `import type` included: a type-only circle is still two modules that know each other).
 * Circles are the strongly connected components of that graph (Tarjan). eslint's import-x/no-cycle would do the
 * same inside lint, but it is not installed; eslint-plugin-boundaries checks layers, not circles.
 *
 * Usage: node scripts/check-cycles.mjs [root…]   (default: src)
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['src'];

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [resolve(p)] : [];
  });
}

/** A relative specifier ('./x.js', '../y/index.js', './dir') → the .ts file it names, or null. */
function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const c of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) if (existsSync(c)) return c;
  return null;
}

const files = roots.flatMap(tsFiles);
const edges = new Map();
for (const f of files) {
  const info = ts.preProcessFile(readFileSync(f, 'utf8'), true, true);
  edges.set(f, [...new Set(info.importedFiles.map((i) => resolveImport(f, i.fileName)).filter(Boolean))]);
}

// Tarjan's strongly connected components (iterative enough for a few hundred modules).
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const circles = [];
function visit(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!idx.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) circles.push(scc);
  }
}
for (const f of files) if (!idx.has(f)) visit(f);

if (circles.length === 0) {
  console.log(`check-cycles: ${files.length} modules, no import circle`);
} else {
  for (const c of circles) {
    const names = c.map((f) => relative(process.cwd(), f)).sort();
    console.error(`import circle (${names.length} modules): ${names.join(' ↔ ')}`);
  }
  console.error(
    `check-cycles: ${circles.length} import circle(s); break them (pass a callback down, move the shared part lower)`,
  );
  process.exit(1);
}
