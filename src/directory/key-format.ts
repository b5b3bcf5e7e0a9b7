/**
 * Version of the rules that turn a directory value into its stored key (normalize.ts, address.ts, the name and
 * email rules). Bump it whenever a release changes what key a value gets: a directory imported under another
 * format still holds the old keys, and lookups with the new rules would silently miss those customers.
 *
 *   1  (no field) before names in natural order + `#name2` surname keys, street keys with units, IDN-canonical
 *      emails, the `iban` kind
 *   2  the above
 *
 * The format is written into every snapshot header (embedded file and Redis snapshot) and every Redis change-stream
 * entry. A store with another format is never used for matching: opening it fails with EPG_DIRECTORY_KEY_FORMAT,
 * unless the caller is about to import (the first import then replaces it).
 */
import { ErrorCodes, PostguardError } from '../core/errors.js';

export const KEY_FORMAT = 2;

/** Format recorded in a snapshot header or stream entry; a missing field is format 1 (written before formats existed). */
export function keyFormatOf(recorded: unknown): number {
  if (recorded === undefined || recorded === null || recorded === '') return 1;
  const n = Number(recorded);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export function staleKeyFormatError(location: string, found: number): PostguardError {
  const advice =
    found > KEY_FORMAT
      ? 'it was written by a newer postguard: upgrade, or import the directory file again with --replace'
      : 'run "postguard directory import FILE" again';
  return new PostguardError(
    ErrorCodes.DIRECTORY_KEY_FORMAT,
    `directory in ${location} was imported with key format ${found || 'unknown'}; this version needs ${KEY_FORMAT}: ${advice}`,
    { details: { keyFormat: found, needed: KEY_FORMAT } },
  );
}
