/**
 * Encryption at rest for quarantined mail: AES-256-GCM, a fresh 96-bit IV per value, the record id as additional
 * authenticated data (a sealed value cannot be moved to another record). Format: 0x01 | iv(12) | tag(16) | data.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { createFileOnce } from '../core/durable-file.js';

const VERSION = 1;
const IV_LEN = 12;
const TAG_LEN = 16;
const HEADER = 1 + IV_LEN + TAG_LEN;

export function seal(key: Buffer, aad: string, plain: Buffer): Buffer {
  const iv = randomBytes(IV_LEN);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), data]);
}

export function unseal(key: Buffer, aad: string, sealed: Buffer): Buffer {
  if (sealed.length < HEADER || sealed[0] !== VERSION) {
    throw new PostguardError(ErrorCodes.QUARANTINE_STORE, 'sealed value has an unknown format');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_LEN));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.subarray(1 + IV_LEN, HEADER));
    return Buffer.concat([decipher.update(sealed.subarray(HEADER)), decipher.final()]);
  } catch (cause) {
    throw new PostguardError(ErrorCodes.QUARANTINE_STORE, 'cannot decrypt quarantined data (wrong quarantine key?)', {
      cause,
    });
  }
}

/** A purpose-bound secret derived from the quarantine key (HKDF-SHA256). */
export function deriveSecret(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `postguard:${purpose}`, 32));
}

export function parseKey(hex: string): Buffer {
  const s = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(s)) {
    throw new PostguardError(ErrorCodes.CONFIG_INVALID, 'quarantineKey must be 64 hex characters (32 bytes)', {
      details: { key: 'quarantineKey' },
    });
  }
  return Buffer.from(s, 'hex');
}

/**
 * The configured key, or the one in DATA_DIR/quarantine.key, generated (0600) on first start. With a shared
 * (Redis) store a configured key is required: every relay must decrypt what another held.
 */
export async function loadQuarantineKey(opts: {
  dataDir: string;
  key?: string;
  requireConfigured?: boolean;
  logger?: Logger;
}): Promise<Buffer> {
  if (opts.key) return parseKey(opts.key);
  if (opts.requireConfigured) {
    throw new PostguardError(
      ErrorCodes.CONFIG_INVALID,
      'a shared (redis) quarantine requires quarantineKey to be configured',
      {
        details: { key: 'quarantineKey' },
      },
    );
  }
  const file = path.join(opts.dataDir, 'quarantine.key');
  try {
    return parseKey(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof PostguardError) {
        throw new PostguardError(ErrorCodes.SECRET, `${file} does not hold a 64-hex-character key`);
      }
      throw new PostguardError(ErrorCodes.SECRET, `cannot read ${file}`, { cause: err });
    }
  }
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  let created: boolean;
  try {
    // Created whole or not at all (relay workers starting together on a new data folder race here).
    created = await createFileOnce(file, key.toString('hex') + '\n', { mode: 0o600 });
  } catch (err) {
    throw new PostguardError(ErrorCodes.SECRET, `cannot write ${file}`, { cause: err });
  }
  if (!created) return parseKey(await readFile(file, 'utf8')); // another process won
  opts.logger?.warn({ file }, 'generated a new quarantine key; back it up: quarantined mail cannot be read without it');
  return key;
}
