#!/usr/bin/env node
/**
 * Brings dist/ up to date with src/ and bench/ (the files of tsconfig.json) plus the test-only entries below, by
 * transpiling each stale file on its own: no type check (that is `npm run typecheck`), only files whose output is
 * missing or older than the source. Used by the tests' global setup (test/vitest/global-setup.ts) and by
 * scripts/check-policies.mjs, which read compiled code; `npm run build` (tsc) remains the production build.
 * A syntax error fails with the file named.
 *
 * Usage: node scripts/transpile.mjs   (prints how many files were written)
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Test-only files run as compiled code (dist/test/…, never part of the package): the fault worker and its imports. */
const TEST_ENTRIES = ['test/parse/sandbox/fault-worker.ts', 'test/parse/sandbox/faults.ts'];

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Two transpiles may run at once (npm test starts the policy check and the suite side by side): each file is
 * written under a name of its own and renamed, so a reader never sees half a file.
 */
function writeAtomically(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  // a script with a shebang (the CLI, package.json "bin") is executable, as `npx postguard` needs
  writeFileSync(tmp, text, { mode: text.startsWith('#!') ? 0o755 : 0o644 });
  renameSync(tmp, file);
}

/** Transpiles every stale source to dist/; returns how many files were written. */
export function transpileToDist(root = process.cwd()) {
  const configPath = resolve(root, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  const outDir = parsed.options.outDir ?? resolve(root, 'dist');
  const rootDir = parsed.options.rootDir ?? root;
  // package.json "type": "module": NodeNext emits ES modules, as ESNext does for a single file
  const options = {
    ...parsed.options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    sourceMap: true,
  };
  let written = 0;
  const errors = [];
  for (const src of [...parsed.fileNames, ...TEST_ENTRIES.map((f) => resolve(root, f))]) {
    const out = join(outDir, relative(rootDir, src)).replace(/\.ts$/, '.js');
    if (mtime(out) >= mtime(src)) continue;
    const r = ts.transpileModule(readFileSync(src, 'utf8'), {
      fileName: src,
      compilerOptions: options,
      reportDiagnostics: true,
    });
    for (const d of r.diagnostics ?? []) {
      if (d.category === ts.DiagnosticCategory.Error)
        errors.push(`${relative(root, src)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
    const map = JSON.parse(r.sourceMapText ?? '{}');
    map.file = basename(out);
    map.sources = [relative(dirname(out), src)];
    mkdirSync(dirname(out), { recursive: true });
    writeAtomically(`${out}.map`, JSON.stringify(map));
    writeAtomically(out, r.outputText);
    written++;
  }
  if (errors.length) throw new Error(`transpiling to dist/ failed:\n${errors.join('\n')}`);
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`transpile: ${transpileToDist()} file(s) written to dist/`);
}
