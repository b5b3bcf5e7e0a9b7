/**
 * Lazily opened stores for the offline commands (scan, policy test, directory, quarantine): bound to the command
 * being run (its flags, config file and environment) in a preAction hook, opened on first use, closed at exit.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/load.js';
import { openDirectory, type Directory } from '../directory/index.js';
import { configFromCommand } from './config-options.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The policy folder: the configured one; when the default `./policies` does not exist in the working directory,
 * the policies shipped with postguard.
 */
export function resolvePoliciesDir(configured: string): string {
  const dir = resolve(configured);
  if (existsSync(dir) || configured !== './policies') return dir;
  return join(PACKAGE_ROOT, 'policies');
}

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
      const d = await openDirectory({ dataDir: c.dataDir, redis: c.redis || undefined, redisPrefix: c.redisPrefix, secret: c.directorySecret || undefined, columns: c.directoryColumns, follow: false, staleKeys: c.directory.length ? 'open' : 'fail' });
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
