import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Two projects (see CONTRIBUTING.md, "Tests"):
 *
 * - `serial`: test files that open sockets (relays, sinks, HTTP, SMTP clients), start processes, or use Redis,
 *   PostgreSQL, Postfix or the browser. One file at a time: they hold real servers to time limits, and on a
 *   2-core machine two of them side by side starve each other. A file belongs here when it matches SERIAL.
 * - `unit`: every other test file: in-process only (worker threads are fine), run in parallel. Its setup file
 *   (test/vitest/unit-guard.ts) fails any unit test that listens, connects or spawns, naming this list, so a new
 *   file that needs the outside world cannot land in the wrong project unnoticed.
 *
 * The unit project runs first, then the serial one (groupOrder), so serial files never share the CPU with the
 * suite itself. Both start with the same global setup, which brings dist/ up to date (test/vitest/global-setup.ts).
 */
export const SERIAL = [
  // folders whose every file talks to servers or processes
  'test/admin/**',
  'test/cli/**',
  'test/directory/sync/**',
  'test/interop/**',
  'test/journal/**',
  'test/notify/**',
  'test/relay/**',
  'test/reliability/**',
  'test/server/**',
  'test/smtp/**',
  '**/*.browser.test.ts',
  // single files elsewhere: sockets, child processes, Redis
  'test/core/durable-file.test.ts',
  'test/core/logger.test.ts',
  'test/core/recent.test.ts',
  'test/corpus/multilingual.test.ts',
  'test/corpus/relay.test.ts',
  'test/decide/memory.test.ts',
  'test/deliver/smtp-upstream.test.ts',
  'test/deliver/smtp/connection.test.ts',
  'test/deliver/upstream-check.test.ts',
  'test/detect/detect.test.ts',
  'test/directory/embedded-store.test.ts',
  'test/directory/key-format.test.ts',
  'test/directory/redis-store.test.ts',
  'test/parse/sandbox.test.ts',
  'test/quarantine/cli.test.ts',
  'test/quarantine/file-store-lock.test.ts',
  'test/quarantine/recover.test.ts',
  'test/quarantine/release.test.ts',
  'test/quarantine/store.test.ts',
];

const ALL = ['test/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
    // `vitest run --coverage` (npm run coverage): every file of src/, tested or not. Thresholds sit just under
    // what the unit tests of core, config, decide, detect and directory reached on their own (30 files, 707 tests:
    // statements 55.05 %, branches 50.44 %, functions 48.76 %, lines 56.65 %); the whole suite covers more.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { statements: 54, branches: 50, functions: 48, lines: 56 },
    },
    globalSetup: ['test/vitest/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ALL,
          exclude: SERIAL,
          setupFiles: ['test/vitest/unit-guard.ts'],
          fileParallelism: true,
          maxWorkers: Math.max(2, availableParallelism()),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'serial',
          include: SERIAL.map((g) => (g.endsWith('/**') ? `${g}/*.test.ts` : g)),
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
