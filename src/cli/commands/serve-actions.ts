/** What `postguard serve` does, loaded when it runs (declared in serve.ts). */
import cluster from 'node:cluster';
import type { Command } from 'commander';
import { isPostguardError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { configFromCommand } from '../config-options.js';
import { runPrimary, runWorker, workerCount } from '../../server/cluster.js';
import { startServer } from '../../server/start.js';

/** Runs the relay (and the admin console) until SIGTERM; several processes with --workers. */
export async function serve(cmd: Command): Promise<void> {
  const config = configFromCommand(cmd);
  const logger = createLogger(config.logLevel);
  const count = workerCount(config);
  // Signal handlers come first: the relay accepts mail (and logs "listening") before the admin console is up,
  // and a SIGTERM in between must still drain, not kill the process with a transaction in flight.
  let running: { close(): Promise<void>; reload(): unknown } | undefined = undefined;
  let requested: string | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (!running) {
      requested ??= signal; // acted on as soon as startup completes
      return;
    }
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing transactions in flight');
    running
      .close()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  // In a cluster, Ctrl-C reaches every process; workers wait for the primary's SIGTERM instead.
  process.on('SIGINT', () => (cluster.isWorker ? undefined : stop('SIGINT')));
  process.on('SIGHUP', () => void running?.reload());
  try {
    running = cluster.isWorker
      ? await runWorker(config, logger)
      : count > 1
        ? await runPrimary(config, logger, count)
        : await startServer(config, logger);
  } catch (err) {
    // A relay that cannot start (listen address in use, unreadable certificate, store unreachable, …) exits
    // with the reason. It must not linger: a cluster worker's IPC channel kept such a process alive, serving
    // nothing and ignoring SIGTERM (nothing was running to stop).
    const reason = (err as Error).message;
    logger.error({ errCode: (err as { code?: string }).code ?? 'ERROR', reason }, 'startup failed');
    console.error(`postguard: cannot start: ${reason}`);
    process.exit(isPostguardError(err) ? 2 : 1);
  }
  if (requested) stop(requested);
}
