/**
 * A minimal import resolver (eslint-module-utils interface v2) for eslint-plugin-boundaries: TypeScript sources
 * import each other as './x.js' (NodeNext); the file on disk is './x.ts'. Relative specifiers are mapped to the
 * .ts file; everything else (packages, node: built-ins) is left to eslint-import-resolver-node.
 * eslint-import-resolver-typescript would do the same, but it is not installed.
 */
'use strict';
const { statSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const node = require('eslint-import-resolver-node');

exports.interfaceVersion = 2;

exports.resolve = function resolveImport(source, file, config) {
  if (source.startsWith('.')) {
    const base = resolve(dirname(file), source);
    const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
    const path = candidates.find((c) => statSync(c, { throwIfNoEntry: false })?.isFile());
    return path ? { found: true, path } : { found: false };
  }
  return node.resolve(source, file, config);
};
