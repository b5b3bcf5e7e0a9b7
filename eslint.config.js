import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, bottom → top. A module may import its own folder and the folders of lower layers, never a
 * higher one. Folders on one line are peers of one layer and do not import each other. Why this order: each
 * folder imports only what is listed before it (core: shared types, errors, text primitives; config reads keys;
 * directory knows customers; parse turns mail into text; detect finds directory values in that text; decide
 * applies policies to findings; inspect runs parse → detect → decide; deliver, quarantine, audit, journal and
 * notify are the outcomes — journal below notify because notices and webhooks read journal entries; smtp/relay
 * are the mail side; admin the web console; server wires everything; cli on top). docs/DESIGN.md has the
 * same table in words.
 */
export const LAYERS = [
  ['core'],
  ['config'],
  ['metrics'],
  ['directory'],
  ['parse'],
  ['detect'],
  ['decide'],
  ['inspect'],
  ['deliver'],
  ['quarantine'],
  ['audit'],
  ['journal'],
  ['notify'],
  ['smtp'],
  ['relay'],
  ['admin'],
  ['server'],
  ['cli'],
];

const layerPolicies = LAYERS.flatMap((peers, rank) =>
  peers.map((folder) => ({
    from: { element: { type: folder } },
    allow: { to: { element: { types: { anyOf: [folder, ...LAYERS.slice(0, rank).flat()] } } } },
  })),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  { files: ['src/cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'scripts/**'], rules: { 'no-console': 'off' } },
  {
    files: ['scripts/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', exports: 'writable', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Type-aware rules for src/ (the TypeScript program of tsconfig.json, via the project service).
  {
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  // Layering: an import from a lower folder into a higher one fails lint (import circles: scripts/check-cycles.mjs).
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/include': ['src/**/*.ts'],
      'boundaries/elements': LAYERS.flat().map((folder) => ({ type: folder, pattern: `src/${folder}` })),
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      'import/resolver': { [fileURLToPath(new URL('./scripts/eslint-resolver-ts.cjs', import.meta.url))]: {} },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message: 'layering: {{from.type}}/ must not import {{to.type}}/ (a higher layer; order in eslint.config.js)',
          policies: layerPolicies,
        },
      ],
      'boundaries/no-unknown-files': 'error',
    },
  },
);
