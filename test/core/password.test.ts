import { describe, expect, it } from 'vitest';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../../src/core/password.js';

/** Written by the two hashers this module replaced (core/scrypt.ts and admin/accounts.ts wrote the same format). */
const STORED_BEFORE = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$LPDRs+d7MJ+D4v778lUnSsMuTt3eMzZtYlcDVF6agWU=';

describe('password hashing', () => {
  it('verifies hashes stored before the merge (users.json and admins.json keep working)', async () => {
    expect(await verifyPassword('correct horse battery', STORED_BEFORE)).toBe(true);
    expect(await verifyPassword('correct horse batterx', STORED_BEFORE)).toBe(false);
  });

  it('hashes with a fresh salt in the self-describing format and verifies', async () => {
    const a = await hashPassword('a long passphrase');
    const b = await hashPassword('a long passphrase');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('a long passphrase', a)).toBe(true);
    expect(await verifyPassword('a long passphrasE', a)).toBe(false);
  });

  it('refuses malformed or abusive stored hashes without throwing', async () => {
    for (const bad of [
      '',
      'plain',
      'bcrypt$x',
      'scrypt$16384$8$1$$',
      'scrypt$1048577$8$1$c2FsdA==$AAAAAAAAAAAAAAAAAAAAAA==',
      'scrypt$3000$8$1$c2FsdA==$AAAAAAAAAAAAAAAAAAAAAA==',
      'scrypt$16384$999$1$c2FsdA==$AAAAAAAAAAAAAAAAAAAAAA==',
    ]) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
    expect(await verifyPassword('', DUMMY_HASH)).toBe(false);
  });
});
