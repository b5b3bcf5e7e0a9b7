/**
 * Global setup of every vitest project: brings dist/ up to date with src/ and bench/ (tsconfig.json), plus the
 * test-only entries below, before any test file runs, so tests that run compiled code never see a stale build:
 * the parse sandbox's worker threads (dist/src/parse/sandbox/worker.js, the fault worker
 * dist/test/parse/sandbox/fault-worker.js) and the CLI started as a child process (dist/src/cli/main.js).
 *
 * Each file is transpiled on its own (no type check: that is `npm run typecheck`), and only when its output is
 * missing or older than the source, so after `npm run build` (as in `npm test`) this costs next to nothing.
 * A syntax error fails the run here.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Test-only files run as compiled code (dist/test/…, never part of the package): the fault worker and its imports. */
const TEST_ENTRIES = ['test/parse/sandbox/fault-worker.ts', 'test/parse/sandbox/faults.ts'];

const state = globalThis as { __postguardTestBuild?: true };

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** Transpiles every stale source to dist/; returns how many files were written. */
export function buildForTests(root = process.cwd()): number {
  const configPath = resolve(root, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  const outDir = parsed.options.outDir ?? resolve(root, 'dist');
  const rootDir = parsed.options.rootDir ?? root;
  // package.json "type": "module": NodeNext emits ES modules, as ESNext does for a single file
  const options: ts.CompilerOptions = {
    ...parsed.options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    sourceMap: true,
  };
  let written = 0;
  const errors: string[] = [];
  for (const src of [...parsed.fileNames, ...TEST_ENTRIES.map((f) => resolve(root, f))]) {
    const out = join(outDir, relative(rootDir, src)).replace(/\.ts$/, '.js');
    if (mtime(out) >= mtime(src)) continue;
    const r = ts.transpileModule(readFileSync(src, 'utf8'), { fileName: src, compilerOptions: options, reportDiagnostics: true });
    for (const d of r.diagnostics ?? []) {
      if (d.category === ts.DiagnosticCategory.Error) errors.push(`${relative(root, src)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
    const map = JSON.parse(r.sourceMapText ?? '{}') as { sources?: string[]; file?: string };
    map.file = basename(out);
    map.sources = [relative(dirname(out), src)];
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, r.outputText);
    writeFileSync(`${out}.map`, JSON.stringify(map));
    written++;
  }
  if (errors.length) throw new Error(`building dist/ for the tests failed:\n${errors.join('\n')}`);
  return written;
}

export default function setup(): void {
  // Every project runs its global setup; one build per vitest process is enough.
  if (state.__postguardTestBuild) return;
  buildForTests();
  state.__postguardTestBuild = true;
}
