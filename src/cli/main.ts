#!/usr/bin/env node
/**
 * The `postguard` command. Only the commands, their options and help are declared when it starts; each command
 * loads the code it needs (relay, quarantine, directory, journal, …) when it runs, with `import()`, so that
 * `--help` or `user list` do not pay for loading the whole relay.
 */
import { Command, CommanderError } from 'commander';
import { resolve } from 'node:path';
import { isPostguardError } from '../core/errors.js';
import { addStoreOptions, configFromCommand } from './config-options.js';
import { CommandContext } from './context.js';
import { commandFromArgv, isUsageMistake, noteRunningCommand, runningCommand, usageLine } from './usage.js';
import { registerAdminCommand } from './commands/admin.js';
import { registerDirectoryCommand } from './commands/directory.js';
import { registerPolicyCommand } from './commands/policy.js';
import { registerQuarantineCommand } from './commands/quarantine.js';
import { registerReportCommand } from './commands/report.js';
import { registerScanCommand } from './commands/scan.js';
import { registerServeCommand } from './commands/serve.js';
import { registerUserCommand } from './commands/user.js';

/** Gives every sub-command of `parent` the store/upstream flags (same as `serve`). */
function withStoreOptions(parent: Command): void {
  for (const sub of parent.commands) addStoreOptions(sub);
}

export function buildProgram(ctx = new CommandContext()): Command {
  const program = new Command('postguard')
    .description(
      "Outbound-mail guard: an SMTP relay that holds or rejects mail carrying other customers' personal data",
    )
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
      return {
        dataDir: resolve(c.dataDir),
        redis: c.redis || undefined,
        redisPrefix: c.redisPrefix,
        secret: c.directorySecret || undefined,
        columns: c.directoryColumns,
      };
    },
    addStoreOptions,
  );
  registerPolicyCommand(program, {
    policiesDir: () => ctx.policiesDir(),
    configure: addStoreOptions,
    scanFile: async (file) => (await import('./commands/scan-actions.js')).scanForPolicyTest(ctx, file),
  });
  registerQuarantineCommand(program, {
    openStore: async () => {
      const c = ctx.config();
      const [{ openQuarantine }, { journalTransitions }] = await Promise.all([
        import('../quarantine/index.js'),
        import('../journal/recorder.js'),
      ]);
      const store = await openQuarantine({
        dataDir: resolve(c.dataDir),
        redis: c.redis || undefined,
        redisPrefix: c.redisPrefix,
        key: c.quarantineKey || undefined,
        retentionDays: c.retentionDays,
        releasingTimeoutMs: c.quarantine.releasingTimeout,
      });
      // The journal (and its PostgreSQL client) is loaded only when a change is written to it.
      journalTransitions(
        store,
        async () =>
          (await import('../journal/index.js')).openJournal({
            dataDir: resolve(c.dataDir),
            postgres: c.journal.postgres || undefined,
            retentionMs: c.journal.retention,
          }),
        (err) => console.error(`postguard: warning: journal entry not written: ${(err as Error).message}`),
      );
      return store;
    },
    openUpstream: async () => {
      const c = ctx.config();
      return (await import('../deliver/index.js')).createUpstream(c);
    },
    openAudit: async () => {
      const c = ctx.config();
      const { openAudit } = await import('../audit/index.js');
      return openAudit({ dataDir: resolve(c.dataDir), redis: c.redis || undefined, redisPrefix: c.redisPrefix });
    },
  });
  withStoreOptions(program.commands.find((c) => c.name() === 'quarantine')!);
  registerAdminCommand(program, {
    openAccounts: async () => {
      const dataDir = resolve(ctx.config().dataDir);
      return (await import('../admin/accounts.js')).AccountStore.forDataDir(dataDir);
    },
  });
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
      console.error(
        isUsageMistake(err)
          ? usageLine(err.message, runningCommand() ?? commandFromArgv(program, argv.slice(2)))
          : `postguard: ${err.message}`,
      );
      process.exitCode = 2;
      return;
    }
    console.error(`postguard: unexpected error: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}

void main(process.argv);
