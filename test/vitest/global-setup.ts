/**
 * Global setup of every vitest project: brings dist/ up to date (scripts/transpile.mjs) before any test file runs,
 * so tests that run compiled code never see a stale build: the parse sandbox's worker threads
 * (dist/src/parse/sandbox/worker.js, the fault worker dist/test/parse/sandbox/fault-worker.js) and the CLI started
 * as a child process (dist/src/cli/main.js). Only stale files are transpiled, so a second run costs next to
 * nothing. A syntax error fails the run here.
 */
import { transpileToDist } from '../../scripts/transpile.mjs';

const state = globalThis as { __postguardTestBuild?: true };

export default function setup(): void {
  // Every project runs its global setup; one build per vitest process is enough.
  if (state.__postguardTestBuild) return;
  transpileToDist();
  state.__postguardTestBuild = true;
}
