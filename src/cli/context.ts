/**
 * Lazily opened stores for the offline commands (scan, policy test, directory, quarantine): bound to the command
 * being run (its flags, config file and environment) in a preAction hook, opened on first use, closed at exit.
 * The directory's code is loaded on first use too.
 */
import type { Command } from 'commander';
import type { Config } from '../config/load.js';
import { resolvePoliciesDir } from '../config/policies-dir.js';
import type { Directory } from '../directory/index.js';
import { configFromCommand } from './config-options.js';

export class CommandContext {
  private cmd: Command | undefined;
  private cfg: Config | undefined;
  private dir: Promise<Directory> | undefined;

  bind(cmd: Command): void {
    this.cmd = cmd;
    this.cfg = undefined;
  }

  config(): Config {
    if (!this.cmd) throw new Error('command context not bound');
    this.cfg ??= configFromCommand(this.cmd);
    return this.cfg;
  }

  /** The directory with the configured store; files given with --directory are imported (upserted) first. */
  directory(): Promise<Directory> {
    this.dir ??= (async () => {
      const c = this.config();
      const { openDirectory } = await import('../directory/index.js');
      const d = await openDirectory({
        dataDir: c.dataDir,
        redis: c.redis || undefined,
        redisPrefix: c.redisPrefix,
        secret: c.directorySecret || undefined,
        columns: c.directoryColumns,
        follow: false,
        staleKeys: c.directory.length ? 'open' : 'fail',
      });
      for (const f of c.directory) await d.import(f, { mode: 'upsert' });
      return d;
    })();
    return this.dir;
  }

  policiesDir(): string {
    return resolvePoliciesDir(this.config().policies);
  }

  async close(): Promise<void> {
    if (this.dir) await (await this.dir).close();
    this.dir = undefined;
  }
}
