/**
 * `postguard quarantine list|show|release|delete|recover`. Safe while relays run: every change is an atomic state
 * transition in the shared store, so a release here and one in the console cannot both deliver.
 *
 * Only the commands and their options are declared here; what they do is in quarantine-actions.ts, loaded when
 * one of them runs (so that `--help` and the other commands do not load the quarantine code).
 */
import type { Command } from 'commander';
import { ErrorCodes, PostguardError } from '../../core/errors.js';
import { QUARANTINE_STATUSES, type QuarantineStatus } from '../../quarantine/types.js';
import { intArg, runCommand, sinceArg } from '../usage.js';
import type { ListOptions, QuarantineCommandDeps } from './quarantine-actions.js';

export type { QuarantineCommandDeps } from './quarantine-actions.js';

const actions = () => import('./quarantine-actions.js');

export function registerQuarantineCommand(program: Command, deps: QuarantineCommandDeps): Command {
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const q = program.command('quarantine').description('List, show, release and delete quarantined messages');

  q.command('list')
    .description('List quarantined messages, newest first (addresses masked)')
    .option('--json', 'JSON Lines output')
    .option('--status <status>', `one of ${QUARANTINE_STATUSES.join(', ')}`)
    .option('--rule <id>', 'only messages held by this rule')
    .option('--sender <text>', 'envelope sender contains')
    .option('--since <when>', 'held at or after: ISO date, or a duration ago (2h, 30d)', sinceArg())
    .option('--until <when>', 'held at or before: ISO date, or a duration ago (2h, 30d)', sinceArg())
    .option('--limit <n>', 'at most N messages (a whole number ≥ 1)', intArg(1))
    .action(async (o: ListOptions, cmd: Command) =>
      runCommand(async () => {
        if (o.status && !QUARANTINE_STATUSES.includes(o.status as QuarantineStatus)) {
          throw new PostguardError(ErrorCodes.USAGE, `--status must be one of ${QUARANTINE_STATUSES.join(', ')}`);
        }
        await (await actions()).listMessages(deps, out, o, cmd);
      }),
    );

  q.command('show')
    .description('Show one message: envelope, subject, findings (masked) and history')
    .argument('<id>')
    .option('--json', 'JSON output')
    .option('--raw', 'print the raw message (RFC 5322) instead')
    .action(async (id: string, o: { json?: boolean; raw?: boolean }, cmd: Command) =>
      runCommand(async () => (await actions()).showMessage(deps, out, id, o, cmd)),
    );

  q.command('release')
    .description('Release a held message to its recipients (or corrected ones): an audited admin override')
    .argument('<id>')
    .requiredOption('--reason <text>', 'why it may go out (recorded)')
    .option('--to <addr...>', 'corrected recipients instead of the original ones')
    .option('--actor <name>', 'who you are (default: the OS user)')
    .action(async (id: string, o: { reason: string; to?: string[]; actor?: string }, cmd: Command) =>
      runCommand(async () => (await actions()).releaseHeld(deps, out, id, o, cmd)),
    );

  const stateAction = (name: 'delete' | 'recover', description: string) =>
    q
      .command(name)
      .description(description)
      .argument('<id>')
      .requiredOption('--reason <text>', 'why (recorded)')
      .option('--actor <name>', 'who you are (default: the OS user)')
      .action(async (id: string, o: { reason: string; actor?: string }, cmd: Command) =>
        runCommand(async () => (await actions()).changeState(deps, out, name, id, o, cmd)),
      );
  stateAction('delete', 'Delete a held message (its body is erased)');
  stateAction(
    'recover',
    'Put a release interrupted by a crash (stuck in releasing past quarantine.releasingTimeout) back to held',
  );
  return q;
}
