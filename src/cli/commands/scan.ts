/**
 * `postguard scan FILE.eml [FILE.eml …]`: the relay's verdict, offline. One JSON object per file per line:
 * file, recipients (address, customers, internal), findings (kind, customers, strength, location, source, masked),
 * unscannable parts, verdict (action, rules, reason, reply). Values appear only masked.
 *
 * Exit code (worst over all files): 0 deliver or tag, 3 quarantine, 4 reject, 2 a file could not be read or had
 * parts that could not be scanned. The scan itself is in scan-actions.ts, loaded when the command runs.
 */
import type { Command } from 'commander';
import { addStoreOptions } from '../config-options.js';
import type { CommandContext } from '../context.js';

export function registerScanCommand(program: Command, ctx: CommandContext): void {
  addStoreOptions(
    program
      .command('scan')
      .argument('<files...>', 'messages (.eml) to scan')
      .option('--from <address>', 'envelope sender (default: the From header)')
      .option(
        '--to <address>',
        'envelope recipient (repeatable; default: To, Cc and Bcc headers)',
        (v: string, p: string[] = []) => [...p, v],
      )
      .option('--no-verdict', 'print findings only, do not apply the policies')
      .description('Scan messages offline and print findings and the verdict as JSON lines'),
  ).action(async (files: string[], o: { from?: string; to?: string[]; verdict: boolean }) =>
    (await import('./scan-actions.js')).scanFiles(ctx, files, o),
  );
}
