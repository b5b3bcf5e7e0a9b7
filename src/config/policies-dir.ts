/**
 * Where the policy files are: the configured folder; when the default `./policies` does not exist in the working
 * directory, the policies shipped with postguard. Used by `serve` (server/start.ts) and the offline commands.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: dist/src/config/ (built) → three levels up. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function resolvePoliciesDir(configured: string): string {
  const dir = resolve(configured);
  if (existsSync(dir) || configured !== './policies') return dir;
  return join(PACKAGE_ROOT, 'policies');
}
