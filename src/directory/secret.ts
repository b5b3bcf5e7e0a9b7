/**
 * The directory's HMAC secret. Given in config (`directorySecret`), or — embedded store only — generated once
 * into DATA_DIR/directory.key (64 hex characters, mode 0600). A Redis store needs a configured secret: every
 * relay sharing the store must hash with the same key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createFileOnce } from '../core/durable-file.js';
import { ErrorCodes, PostguardError } from '../core/errors.js';

export const KEY_FILE = 'directory.key';

export async function resolveSecret(opts: {
  dataDir: string;
  secret?: string;
  redis?: string;
  logger?: Logger;
}): Promise<Buffer> {
  if (opts.secret) {
    if (opts.secret.length < 16) {
      throw new PostguardError(ErrorCodes.SECRET, 'directorySecret must be at least 16 characters');
    }
    return Buffer.from(opts.secret, 'utf8');
  }
  if (opts.redis) {
    throw new PostguardError(
      ErrorCodes.SECRET,
      'directorySecret is required with a Redis store (all relays must share the same secret)',
    );
  }
  const file = join(opts.dataDir, KEY_FILE);
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (text.length < 16) throw new PostguardError(ErrorCodes.SECRET, `${file} is too short to be a secret`);
    return Buffer.from(text, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof PostguardError) throw err;
      throw new PostguardError(ErrorCodes.SECRET, `cannot read ${file}`, { cause: err });
    }
  }
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const hex = randomBytes(32).toString('hex');
  let created: boolean;
  try {
    // Created whole or not at all: relay workers starting together on a new data folder race here, and one that
    // read the file between another's create and write used to see it empty and refuse to start.
    created = await createFileOnce(file, hex + '\n', { mode: 0o600 });
  } catch (err) {
    throw new PostguardError(ErrorCodes.SECRET, `cannot write ${file}`, { cause: err });
  }
  if (!created) return resolveSecret(opts); // another process won
  opts.logger?.info({ file }, 'generated a new directory secret');
  return Buffer.from(hex, 'utf8');
}

/** A value derived from the secret that reveals nothing about it: detects a store opened with another secret. */
export function secretCheck(secret: Buffer): string {
  return createHmac('sha256', secret).update('postguard directory secret check').digest('hex').slice(0, 32);
}
