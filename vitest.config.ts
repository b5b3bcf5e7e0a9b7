import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One test file at a time: many files start real relays, upstreams, Redis and Postfix instances and hold them
    // to time limits (upstream timeouts of 1 s, fault recovery); on a 2-core machine two such files side by side
    // starve each other. Serial is slower but every timing is the file's own.
    fileParallelism: false,
    reporters: ['default'],
  },
});
