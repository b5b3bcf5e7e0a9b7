#!/usr/bin/env node
/** The `postguard` command. */
import { Command, CommanderError } from 'commander';
import { isPostguardError } from '../core/errors.js';
import { AccountStore } from '../admin/accounts.js';
import { openAudit } from '../audit/index.js';
import { createUpstream } from '../deliver/index.js';
import { openQuarantine } from '../quarantine/index.js';
import { addStoreOptions, configFromCommand } from './config-options.js';
import { CommandContext } from './context.js';
import { commandFromArgv, isUsageMistake, noteRunningCommand, runningCommand, usageLine } from './usage.js';
import { registerAdminCommand } from './commands/admin.js';
import { registerDirectoryCommand } from './commands/directory.js';
import { registerPolicyCommand } from './commands/policy.js';
import { registerQuarantineCommand } from './commands/quarantine.js';
import { registerReportCommand } from './commands/report.js';
import { journalTransitions, openJournal } from '../journal/index.js';
import { envelopeFor, registerScanCommand } from './commands/scan.js';
import { registerServeCommand } from './commands/serve.js';
import { registerUserCommand } from './commands/user.js';
import { scanMessage } from '../inspect/inspector.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Gives every sub-command of `parent` the store/upstream flags (same as `serve`). */
function withStoreOptions(parent: Command): void {
  for (const sub of parent.commands) addStoreOptions(sub);
}

export function buildProgram(ctx = new CommandContext()): Command {
  const program = new Command('postguard')
    .description("Outbound-mail guard: an SMTP relay that holds or rejects mail carrying other customers' personal data")
    .version('0.1.0')
    .exitOverride()
    // Parse errors are printed by main() as one line with the command's --help (usage.ts), not with the help.
    .configureOutput({ outputError: () => undefined });
  program.hook('preAction', (_root, action) => {
    ctx.bind(action);
    noteRunningCommand(action);
  });

  registerServeCommand(program);
  registerScanCommand(program, ctx);
  registerDirectoryCommand(
    program,
    async (cmd) => {
      const c = configFromCommand(cmd);
      return { dataDir: resolve(c.dataDir), redis: c.redis || undefined, redisPrefix: c.redisPrefix, secret: c.directorySecret || undefined, columns: c.directoryColumns };
    },
    addStoreOptions,
  );
  registerPolicyCommand(program, {
    policiesDir: () => ctx.policiesDir(),
    configure: addStoreOptions,
    scanFile: async (file) => {
      const raw = await readFile(file);
      const config = ctx.config();
      const directory = await ctx.directory();
      const deps = { directory, internalDomains: config.internalDomains };
      const scan = await scanMessage(raw, (parsed) => envelopeFor(parsed), deps);
      return { ...scan, domains: directory };
    },
  });
  registerQuarantineCommand(program, {
    openStore: async () => {
      const c = ctx.config();
      const store = await openQuarantine({ dataDir: resolve(c.dataDir), redis: c.redis || undefined, redisPrefix: c.redisPrefix, key: c.quarantineKey || undefined, retentionDays: c.retentionDays, releasingTimeoutMs: c.quarantine.releasingTimeout });
      journalTransitions(store, () => openJournal({ dataDir: resolve(c.dataDir), postgres: c.journal.postgres || undefined, retentionMs: c.journal.retention }), (err) => console.error(`postguard: warning: journal entry not written: ${(err as Error).message}`));
      return store;
    },
    openUpstream: async () => createUpstream(ctx.config()),
    openAudit: async () => {
      const c = ctx.config();
      return openAudit({ dataDir: resolve(c.dataDir), redis: c.redis || undefined, redisPrefix: c.redisPrefix });
    },
  });
  withStoreOptions(program.commands.find((c) => c.name() === 'quarantine')!);
  registerAdminCommand(program, { openAccounts: async () => AccountStore.forDataDir(resolve(ctx.config().dataDir)) });
  withStoreOptions(program.commands.find((c) => c.name() === 'admin')!);
  registerUserCommand(program);
  registerReportCommand(program);
  program.hook('postAction', () => ctx.close());
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
      // Help for a command group without its sub-command (`postguard quarantine`) was printed already.
      if (err.exitCode !== 0 && err.code !== 'commander.help' && err.code !== 'commander.executeSubCommandAsync') {
        console.error(usageLine(err.message, commandFromArgv(program, argv.slice(2))));
      }
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isPostguardError(err)) {
      console.error(isUsageMistake(err) ? usageLine(err.message, runningCommand() ?? commandFromArgv(program, argv.slice(2))) : `postguard: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(`postguard: unexpected error: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}

void main(process.argv);
