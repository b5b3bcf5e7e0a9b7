/** `postguard user add|remove|list`: SMTP AUTH users (scrypt hashes in the users file). */
import type { Command } from 'commander';
import { usersFileOf } from '../../config/users-file.js';
import type { UserStore } from '../../smtp/users.js';
import { addConfigOptions, configFromCommand } from '../config-options.js';
import { readSecret } from '../prompt.js';

/** The users file of this command's config; the store's code is loaded when a command runs. */
async function store(cmd: Command): Promise<UserStore> {
  const file = usersFileOf(configFromCommand(cmd));
  const { UserStore } = await import('../../smtp/users.js');
  return new UserStore(file);
}

const keys = (s: { key: string }) => ['dataDir', 'usersFile'].includes(s.key);

export function registerUserCommand(program: Command): void {
  const user = program.command('user').description('Manage SMTP AUTH users (scrypt hashes in the users file)');
  addConfigOptions(
    user
      .command('add <name>')
      .description('Add a user or change its password (password read from stdin or --password-file)')
      .option('--password-file <file>', 'read the password from this file (first line)'),
    keys,
  ).action(async (name: string, opts: { passwordFile?: string }, cmd: Command) => {
    const password = await readSecret(opts.passwordFile, `Password for ${name}: `);
    await (await store(cmd)).add(name, password);
    console.log(`user ${name} saved`);
  });
  addConfigOptions(user.command('remove <name>').description('Remove a user'), keys).action(
    async (name: string, _o: unknown, cmd: Command) => {
      if (!(await (await store(cmd)).remove(name))) {
        console.error(`postguard: no user named ${name}`);
        process.exitCode = 1;
        return;
      }
      console.log(`user ${name} removed`);
    },
  );
  addConfigOptions(
    user.command('list').description('List users').option('--json', 'JSON output (an array of names)'),
    keys,
  ).action(async (o: { json?: boolean }, cmd: Command) => {
    const names = await (await store(cmd)).list();
    if (o.json) console.log(JSON.stringify(names));
    else for (const name of names) console.log(name);
  });
}
