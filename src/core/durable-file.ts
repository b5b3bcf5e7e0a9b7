/**
 * Durable file writes, the one implementation behind every "nothing lost" write (outbox, quarantine, directory
 * snapshot, accounts, readiness probe, generated keys): write, fsync the file, close; for a replacement, write a
 * temp file in the same folder, rename it over the target (atomic), and fsync the folder so the rename survives a
 * crash; for a file created once (a generated key), the same with a hard link, which never replaces a file.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

type Data = string | Uint8Array | readonly Uint8Array[];

/** Writes `data` to `file` and fsyncs it. `flag: 'wx'` refuses to overwrite an existing file. */
export async function writeFileSynced(
  file: string,
  data: Data,
  opts: { flag?: 'w' | 'wx'; mode?: number } = {},
): Promise<void> {
  const fh = await open(file, opts.flag ?? 'w', opts.mode ?? 0o600);
  try {
    if (Array.isArray(data)) for (const part of data as readonly Uint8Array[]) await fh.write(part);
    else await fh.writeFile(data as string | Uint8Array);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs a folder, making renames and new entries in it durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Atomically replaces `target` with `data` via `tmp` (a path in the same folder). With `syncDir`, the folder is
 * fsynced after the rename. The temp file is removed when anything fails.
 */
export async function replaceFileDurably(
  target: string,
  data: Data,
  opts: { tmp: string; mode?: number; syncDir?: string },
): Promise<void> {
  try {
    await writeFileSynced(opts.tmp, data, { flag: 'wx', mode: opts.mode });
    await rename(opts.tmp, target);
  } catch (err) {
    await rm(opts.tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  if (opts.syncDir) await fsyncDir(opts.syncDir);
}

/**
 * Creates `file` holding `data` unless it already exists, so that no process ever reads it partly written: the
 * data goes to a temp file in the same folder and is fsynced, the temp file is hard-linked to `file` (atomic, and
 * refused when `file` exists), and the folder is fsynced. Several processes may race (relay workers starting on a
 * new data folder): exactly one creates the file, and the others get false and read what it wrote.
 *
 * Returns false, leaving the existing file untouched, when `file` already existed.
 */
export async function createFileOnce(file: string, data: Data, opts: { mode?: number } = {}): Promise<boolean> {
  const tmp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  let linked: boolean;
  try {
    await writeFileSynced(tmp, data, { flag: 'wx', mode: opts.mode });
    linked = await link(tmp, file).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return false;
        throw err;
      },
    );
  } finally {
    // The temp file goes whatever happened (a failed write, e.g. a full disk, leaves none behind).
    await rm(tmp, { force: true }).catch(() => undefined);
  }
  if (!linked) return false;
  await fsyncDir(dirname(file));
  return true;
}
