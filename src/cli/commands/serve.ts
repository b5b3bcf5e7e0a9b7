/**
 * `postguard serve`: run the relay (and the admin console) until SIGTERM; several processes with --workers.
 * The relay is in serve-actions.ts, loaded when the command runs.
 */
import type { Command } from 'commander';
import { addConfigOptions } from '../config-options.js';

export function registerServeCommand(program: Command): void {
  addConfigOptions(
    program
      .command('serve')
      .description('Run the relay: receive over SMTP, scan, deliver upstream, quarantine or reject')
      .addHelpText(
        'after',
        '\nEvery flag is also a key in the YAML config file and a POSTGUARD_* environment variable (see README).',
      ),
  ).action(async (_opts: unknown, cmd: Command) => (await import('./serve-actions.js')).serve(cmd));
}
