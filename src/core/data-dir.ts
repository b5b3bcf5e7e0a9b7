/**
 * The data folder holds keys, credentials and quarantined mail: it is private to the user postguard runs as.
 *
 * - Created 0700 (files inside are created 0600 by their writers), whatever the umask: a mode passed to
 *   mkdir/open is only ever narrowed by the umask, never widened.
 * - At start, the folder, its store subfolders, the key files (*.key) and the credential files (users.json,
 *   admins.json, a configured users file) are checked: one that is writable by group or others, or owned by
 *   another user, could have been replaced by someone else (a planted admins.json is an admin login), so the
 *   relay refuses to start, naming the path. Modes that are merely readable by others (an older install, a
 *   copied backup) are narrowed to 0700/0600 and reported.
 */
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, PostguardError } from './errors.js';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Subfolders of the data folder that stores create. */
const STORE_DIRS = ['quarantine', 'directory'];
/** Credential files in the data folder, besides every *.key file. */
const CREDENTIAL_FILES = ['users.json', 'admins.json'];

/** Creates `dir` (and missing parents) with mode 0700; an existing folder is left as it is. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

const octal = (mode: number): string => '0' + (mode & 0o777).toString(8).padStart(3, '0');

function unsafe(path: string, why: string, fix: string): PostguardError {
  return new PostguardError(ErrorCodes.UNSAFE_PERMISSIONS, `${path} ${why}; refusing to use it (${fix})`, {
    details: { path },
  });
}

/**
 * Refuses (UNSAFE_PERMISSIONS) a path that is group/other-writable or owned by another user; narrows a readable
 * one to `mode`. Returns true when it changed the mode. A missing path is fine (it will be created private).
 */
export async function checkPrivatePath(path: string, mode: number, uid = process.getuid?.()): Promise<boolean> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new PostguardError(ErrorCodes.UNSAFE_PERMISSIONS, `cannot check ${path}: ${(err as Error).message}`, {
      cause: err,
      details: { path },
    });
  }
  if (uid !== undefined && st.uid !== uid) {
    throw unsafe(
      path,
      `is owned by uid ${st.uid}, not by the user postguard runs as (uid ${uid})`,
      `check where it came from, then chown ${uid} ${path}`,
    );
  }
  if (st.mode & 0o022) {
    throw unsafe(
      path,
      `is writable by group or others (mode ${octal(st.mode)})`,
      `check where it came from, then chmod ${octal(mode)} ${path}`,
    );
  }
  const wantDir = mode === PRIVATE_DIR_MODE;
  if ((st.mode & 0o777 & ~mode) === 0 || st.isDirectory() !== wantDir) return false; // not ours to fix: the store reports it
  try {
    await chmod(path, mode);
  } catch {
    return false; // a read-only mount: only readable, never writable by others (checked above)
  }
  return true;
}

/**
 * Creates the data folder (0700) when missing, then checks it, its store subfolders, its *.key files, its
 * credential files and `extraFiles` (e.g. a users file kept elsewhere). Returns the paths whose mode it narrowed.
 */
export async function secureDataDir(dataDir: string, extraFiles: readonly string[] = []): Promise<string[]> {
  try {
    await ensurePrivateDir(dataDir);
  } catch (cause) {
    throw new PostguardError(
      ErrorCodes.UNSAFE_PERMISSIONS,
      `cannot create the data folder ${dataDir}: ${(cause as Error).message}`,
      { cause, details: { path: dataDir } },
    );
  }
  const narrowed: string[] = [];
  const check = async (path: string, mode: number) => {
    if (await checkPrivatePath(path, mode)) narrowed.push(path);
  };
  await check(dataDir, PRIVATE_DIR_MODE);
  for (const sub of STORE_DIRS) await check(join(dataDir, sub), PRIVATE_DIR_MODE);
  const names = await readdir(dataDir);
  const files = names.filter((n) => n.endsWith('.key') || CREDENTIAL_FILES.includes(n)).map((n) => join(dataDir, n));
  for (const file of new Set([...files, ...extraFiles])) await check(file, PRIVATE_FILE_MODE);
  return narrowed;
}
