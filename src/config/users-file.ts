/**
 * Where the SMTP AUTH users are: the configured users file, else DATA_DIR/users.json. Used by the relay
 * (relay/relay.ts), `serve`'s data-folder check (server/start.ts) and `postguard user` (cli/commands/user.ts).
 */
import { join, resolve } from 'node:path';
import type { Config } from './load.js';

export function usersFileOf(config: Pick<Config, 'usersFile' | 'dataDir'>): string {
  return resolve(config.usersFile || join(config.dataDir, 'users.json'));
}
