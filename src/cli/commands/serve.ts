/** `postguard serve`: run the relay (and, when configured, the admin console) until SIGTERM. */
import type { Command } from 'commander';
import { addConfigOptions, configFromCommand } from '../config-options.js';
import { startServer } from '../../server/start.js';

export function registerServeCommand(program: Command): void {
  addConfigOptions(
    program
      .command('serve')
      .description('Run the relay: receive over SMTP, scan, deliver upstream, quarantine or reject')
      .addHelpText('after', '\nEvery flag is also a key in the YAML config file and a POSTGUARD_* environment variable (see README).'),
  ).action(async (_opts: unknown, cmd: Command) => {
    const config = configFromCommand(cmd);
    const server = await startServer(config);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      server.logger.info({ signal }, 'shutting down: no new connections, finishing transactions in flight');
      server
        .close()
        .then(() => process.exit(0))
        .catch(() => process.exit(1));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => server.reload());
  });
}
