/**
 * `postguard admin add|remove|list|token`: console accounts in DATA_DIR/admins.json. Passwords come from a
 * terminal prompt (not echoed, asked twice), piped stdin (first line) or --password-file, never from the
 * command line.
 */
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { ROLES, type AccountStore, type Role } from '../../admin/accounts.js';
import { ErrorCodes, PostguardError } from '../../core/errors.js';
import { readSecret } from '../prompt.js';
import { runCommand } from '../usage.js';

export interface AdminCommandDeps {
  openAccounts: (cmd: Command) => Promise<AccountStore>;
  /** Password source when no --password-file is given (default: process.stdin). */
  stdin?: Readable;
  out?: (text: string) => void;
  /**
   * Asks for a secret on a terminal without echo; default: cli/prompt.ts when stdin is a terminal (and no
   * `stdin` was given), else none (the password is read from stdin).
   */
  askSecret?: (prompt: string) => Promise<string>;
}

/** Asks twice on the terminal; the two must match. */
async function askNewPassword(ask: (prompt: string) => Promise<string>, name: string): Promise<string> {
  const first = await ask(`New password for ${name}: `);
  const second = await ask('Repeat the password: ');
  if (first !== second) throw new PostguardError(ErrorCodes.USAGE, 'the two passwords differ; nothing was changed');
  return first;
}

async function firstLine(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    if (Buffer.concat(chunks).includes(0x0a)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export function registerAdminCommand(program: Command, deps: AdminCommandDeps): Command {
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const a = program.command('admin').description('Manage admin console accounts');

  a.command('add')
    .description('Add an account, or change its role and password (password from stdin or --password-file)')
    .argument('<name>')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .option('--password-file <file>', 'read the password from the first line of this file')
    .action(async (name: string, o: { role: string; passwordFile?: string }, cmd: Command) =>
      runCommand(async () => {
        if (!ROLES.includes(o.role as Role))
          throw new PostguardError(ErrorCodes.USAGE, `--role must be one of ${ROLES.join(', ')}`);
        const ask =
          deps.askSecret ?? (!deps.stdin && process.stdin.isTTY ? (p: string) => readSecret(undefined, p) : undefined);
        const password = o.passwordFile
          ? ((await readFile(o.passwordFile, 'utf8')).split(/\r?\n/)[0] ?? '')
          : ask
            ? await askNewPassword(ask, name)
            : await firstLine(deps.stdin ?? process.stdin);
        const accounts = await deps.openAccounts(cmd);
        await accounts.add(name, o.role as Role, password);
        out(`account ${name} (${o.role}) saved\n`);
      }),
    );

  a.command('remove')
    .description('Remove an account')
    .argument('<name>')
    .action(async (name: string, _o: unknown, cmd: Command) =>
      runCommand(async () => {
        const accounts = await deps.openAccounts(cmd);
        if (!(await accounts.remove(name))) throw new PostguardError(ErrorCodes.USAGE, `no account ${name}`);
        out(`account ${name} removed\n`);
      }),
    );

  a.command('list')
    .description('List accounts')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }, cmd: Command) =>
      runCommand(async () => {
        const list = await (await deps.openAccounts(cmd)).list();
        if (o.json) out(JSON.stringify(list) + '\n');
        else for (const acc of list) out(`${acc.name}  ${acc.role}  created ${acc.created}  tokens ${acc.tokens}\n`);
      }),
    );

  a.command('token')
    .description('Create an API token for an account (printed once)')
    .argument('<name>')
    .action(async (name: string, _o: unknown, cmd: Command) =>
      runCommand(async () => {
        out((await (await deps.openAccounts(cmd)).createToken(name)) + '\n');
      }),
    );
  return a;
}
