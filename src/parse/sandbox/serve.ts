/**
 * The message loop of an extraction worker thread: each task from the pool (pool.ts) is answered with its
 * result under the task's id, one at a time (the pool sends a worker its next task only after the answer).
 */
import { parentPort } from 'node:worker_threads';
import type { TaskRequest, TaskResponse, TaskResult } from './protocol.js';

export function serveTasks(run: (req: TaskRequest) => Promise<TaskResult>): void {
  const port = parentPort;
  if (!port) throw new Error('extraction worker started outside a worker thread');
  port.on('message', (req: TaskRequest) => {
    void run(req).then((res) => {
      const msg: TaskResponse = { id: req.id, ...res };
      port.postMessage(msg);
    });
  });
}
