#!/usr/bin/env node
/** The `postguard` command. */
import { Command, CommanderError } from 'commander';
import { isPostguardError } from '../core/errors.js';
import { registerServeCommand } from './commands/serve.js';
import { registerUserCommand } from './commands/user.js';

export function buildProgram(): Command {
  const program = new Command('postguard')
    .description('Outbound-mail guard: an SMTP relay that holds or rejects mail carrying other customers\' personal data')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerUserCommand(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  // `postguard … | head` must not crash on a closed pipe.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isPostguardError(err)) {
      console.error(`postguard: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(`postguard: unexpected error: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}

void main(process.argv);
