/**
 * Extraction worker entry (node:worker_threads). Runs one task at a time for the pool in pool.ts. Loaded from the
 * compiled output (dist/src/parse/sandbox/worker.js), also when the main thread runs TypeScript sources.
 */
import { runTask } from './extractors.js';
import { serveTasks } from './serve.js';

serveTasks((req) => runTask(req));
