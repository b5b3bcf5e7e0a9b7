/**
 * `postguard directory import FILE [--replace] [--format csv|jsonl] [--json]` — import a CRM/helpdesk export
 *   (upsert by default; --replace swaps in a complete new directory).
 * `postguard directory stats [--json]` — customers, values per kind, version, store, memory, key format (and
 *   whether the directory must be imported again after an upgrade changed the key format).
 * `postguard directory lookup VALUE [--kind KIND] [--region XX]` — normalise VALUE for each kind (or KIND) and
 *   print the matching customer ids (exit 1 when nothing matches).
 * `postguard directory remove ID…` — remove customers by id.
 * `postguard directory sync --postgres URL --query SQL [--every 5m]` — load it from a CRM database (see below).
 * Exit codes: 0 ok, 1 not found (lookup), 2 usage/config errors (thrown PostguardErrors, handled by main).
 * Output never repeats directory values, only kinds, counts and customer ids.
 *
 * Only the commands and their options are declared here; what they do is in directory-actions.ts, loaded when one
 * of them runs.
 */
import type { Command } from 'commander';
import type { GetStoreOptions } from './directory-actions.js';

export type { GetStoreOptions } from './directory-actions.js';

const actions = () => import('./directory-actions.js');

export function registerDirectoryCommand(
  program: Command,
  getStoreOptions: GetStoreOptions,
  configure: (cmd: Command) => Command = (c) => c,
): Command {
  const directory = program.command('directory').description('Manage the customer directory (stored as keyed hashes)');

  configure(
    directory
      .command('import')
      .argument('<file>', 'CSV (header row) or JSON Lines export')
      .option('--replace', 'replace the whole directory (default: upsert the customers in FILE)')
      .option('--format <format>', 'csv | jsonl (default: by file extension)')
      .option('--json', 'print the import report as JSON')
      .description('Import customers from a CRM/helpdesk export'),
  ).action(async (file: string, o: { replace?: boolean; format?: string; json?: boolean }, cmd: Command) =>
    (await actions()).importFile(getStoreOptions, file, o, cmd),
  );

  configure(
    directory.command('stats').option('--json', 'print as JSON').description('Show directory statistics'),
  ).action(async (o: { json?: boolean }, cmd: Command) => (await actions()).showStats(getStoreOptions, o, cmd));

  configure(
    directory
      .command('lookup')
      .argument('<value>', 'a value to look up (email, phone, IMEI, order id, name, …)')
      .option('--kind <kind>', 'only this kind')
      .option('--region <cc>', 'ISO-2 region for a phone number in national format')
      .option('--json', 'print {"found": bool, "matches": {kind: [ids]}}')
      .description('Print the customer ids holding a value (exit 1 when none)'),
  ).action(async (value: string, o: { kind?: string; region?: string; json?: boolean }, cmd: Command) =>
    (await actions()).lookupValue(getStoreOptions, value, o, cmd),
  );

  configure(
    directory.command('remove').argument('<ids...>', 'customer ids').description('Remove customers from the directory'),
  ).action(async (ids: string[], _o: unknown, cmd: Command) =>
    (await actions()).removeCustomers(getStoreOptions, ids, cmd),
  );

  registerSyncCommand(directory, getStoreOptions, configure);
  return directory;
}

/**
 * `postguard directory sync [--postgres URL] [--query SQL] [--every DURATION] [--full] [--json]` — load the directory
 * from a CRM database query (settings default to directorySync.* in the config / POSTGUARD_DIRECTORY_SYNC_* env, so
 * the password need not be on the command line). Once, or with --every in a loop until SIGINT/SIGTERM.
 * Exit codes: 0 synced, 1 the sync failed (the directory is unchanged), 2 usage/config errors.
 */
function registerSyncCommand(directory: Command, get: GetStoreOptions, configure: (cmd: Command) => Command): void {
  configure(
    directory
      .command('sync')
      .option(
        '--postgres <url>',
        'PostgreSQL URL (default: directorySync.postgres; prefer POSTGUARD_DIRECTORY_SYNC_POSTGRES for a password)',
      )
      .option('--query <sql>', 'SQL query; columns mapped by name as CSV headers (default: directorySync.query)')
      .option('--every <duration>', 'sync again every DURATION (e.g. 5m) until stopped')
      .option('--full', 'full sync even when an incremental one is possible')
      .option('--json', 'print the sync report as JSON')
      .description('Load the directory from a CRM database query (full, or incremental by updated_at)'),
  ).action(
    async (o: { postgres?: string; query?: string; every?: string; full?: boolean; json?: boolean }, cmd: Command) =>
      (await actions()).syncFromDatabase(get, o, cmd),
  );
}
