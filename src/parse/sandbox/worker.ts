/**
 * Extraction worker entry (node:worker_threads). Runs one task at a time for the pool in pool.ts. Loaded from the
 * compiled output (dist/src/parse/sandbox/worker.js), also when the main thread runs TypeScript sources.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTask } from './extractors.js';
import type { TaskRequest, TaskResponse, WorkerSetup } from './protocol.js';

const setup = (workerData ?? { testExtractors: false }) as WorkerSetup;
const port = parentPort;
if (!port) throw new Error('extraction worker started outside a worker thread');

port.on('message', (req: TaskRequest) => {
  void runTask(req, setup.testExtractors).then((res) => {
    const msg: TaskResponse = { id: req.id, ...res };
    port.postMessage(msg);
  });
});
