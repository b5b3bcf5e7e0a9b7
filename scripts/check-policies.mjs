#!/usr/bin/env node
/**
 * Fails (exit 1) when a policy file in policies/ (and its subfolders, each folder one policy set) is invalid, with
 * file:line: key: message for every problem — the loader's own checks (schema and compiler), not a copy — or when
 * policies/schema.json is not the schema the loader uses (run `npm run docs`). Reads the compiled code, which it
 * brings up to date first (scripts/transpile.mjs: only stale files).
 *
 * Usage: node scripts/check-policies.mjs [DIR]   (default: policies)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { transpileToDist } from './transpile.mjs';

transpileToDist();
const { compilePolicies, formatIssue, policySchema } = await import('../dist/src/decide/index.js');

const root = process.argv[2] ?? 'policies';
let failed = 0;

/** Folders under root (root first) with their *.yaml / *.yml files, sorted by name as the loader reads them. */
function policyFolders(dir) {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name) && !e.name.startsWith('.'))
    .map((e) => join(dir, e.name));
  const sub = entries.filter((e) => e.isDirectory()).flatMap((e) => policyFolders(join(dir, e.name)));
  return files.length ? [{ dir, files }, ...sub] : sub;
}

let files = 0;
for (const { files: names } of policyFolders(root)) {
  files += names.length;
  try {
    compilePolicies(names.map((f) => ({ name: relative(process.cwd(), f), text: readFileSync(f, 'utf8') })));
  } catch (err) {
    const issues = err?.details?.issues;
    if (!Array.isArray(issues) || issues.length === 0) throw err;
    for (const i of issues) console.error(formatIssue(i));
    failed += issues.length;
  }
}

const schemaFile = join(root, 'schema.json');
const expected = `${JSON.stringify(policySchema(), null, 2)}\n`;
let published = '';
try {
  published = readFileSync(schemaFile, 'utf8');
} catch {
  /* reported below */
}
if (published !== expected) {
  console.error(`${schemaFile}: not the schema the loader uses; run \`npm run docs\` to write it`);
  failed++;
}

if (failed > 0) {
  console.error(`check-policies: ${failed} problem(s)`);
  process.exit(1);
}
console.log(`check-policies: ${files} policy file(s) valid, ${schemaFile} up to date`);
