/**
 * `serve` composition: builds every stage from the config and starts the relay. Stages that other modules
 * provide (directory, policies, quarantine, admin) are attached here.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { redactConfig } from '../config/load.js';
import { createLogger } from '../core/logger.js';
import { describeUpstream } from '../deliver/index.js';
import { startRelay, type RunningRelay } from '../relay/relay.js';

export interface RunningServer {
  logger: Logger;
  relay: RunningRelay;
  reload(): void;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  logger.debug({ config: redactConfig(config) }, 'configuration');
  const relay = await startRelay(config, { logger });
  logger.info({ smtp: `${relay.address.host}:${relay.address.port}`, upstream: describeUpstream(config.upstream) }, 'postguard relay listening');
  return {
    logger,
    relay,
    reload() {
      logger.info('reload requested');
    },
    async close() {
      await relay.close();
      logger.info('stopped');
    },
  };
}
