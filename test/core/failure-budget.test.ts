import { describe, expect, it } from 'vitest';
import { FailureBudget, type Reservation } from '../../src/core/failure-budget.js';

function fail(b: FailureBudget, addr: string, acct: string): boolean {
  const r = b.reserve(addr, acct);
  if (!r.ok) return false;
  r.reservation.failed();
  return true;
}

describe('FailureBudget', () => {
  it('counts attempts in flight: of 100 simultaneous reservations only the budget gets through', () => {
    const b = new FailureBudget({ perAddress: 5, perAccount: 50, windowMs: 60_000 });
    const granted: Reservation[] = [];
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      const r = b.reserve('10.0.0.1', `user${i}`);
      if (r.ok) granted.push(r.reservation);
      else refused++;
    }
    expect(granted).toHaveLength(5);
    expect(refused).toBe(95);
    // a cancelled check (store error) frees its unit without counting
    granted[0]!.cancel();
    expect(b.reserve('10.0.0.1', 'x').ok).toBe(true);
  });

  it('limits per account across addresses and per address across accounts', () => {
    const b = new FailureBudget({ perAddress: 3, perAccount: 4, windowMs: 60_000 });
    for (let i = 0; i < 4; i++) expect(fail(b, `10.0.0.${i}`, 'alice')).toBe(true);
    const r = b.reserve('10.0.0.99', 'alice');
    expect(r).toMatchObject({ ok: false, limitedBy: 'account' });
    expect(b.reserve('10.0.0.99', 'bob').ok).toBe(true);
    for (let i = 0; i < 3; i++) expect(fail(b, '10.1.1.1', `n${i}`)).toBe(true);
    expect(b.reserve('10.1.1.1', 'someone-else')).toMatchObject({ ok: false, limitedBy: 'address' });
  });

  it("one account's success forgives only that pair, never another account's or the address's other failures", () => {
    const b = new FailureBudget({ perAddress: 4, perAccount: 4, windowMs: 60_000 });
    fail(b, '10.0.0.1', 'victim');
    fail(b, '10.0.0.1', 'victim');
    fail(b, '10.0.0.1', 'victim');
    fail(b, '10.0.0.2', 'own');
    // the attacker logs into his own account from the same address: his guesses on "victim" still count
    const own = b.reserve('10.0.0.1', 'own');
    expect(own.ok).toBe(true);
    if (own.ok) own.reservation.succeeded();
    expect(fail(b, '10.0.0.1', 'victim')).toBe(true);
    expect(b.reserve('10.0.0.1', 'victim')).toMatchObject({ ok: false });
    expect(b.reserve('10.0.0.1', 'third')).toMatchObject({ ok: false, limitedBy: 'address' });
    // own's failure from another address is untouched by its success from this one
    for (let i = 0; i < 3; i++) fail(b, `10.9.0.${i}`, 'own');
    expect(b.reserve('10.9.9.9', 'own')).toMatchObject({ ok: false, limitedBy: 'account' });
  });

  it('forgets failures after the window and says when to retry', () => {
    let now = 1_000_000;
    const b = new FailureBudget({ perAddress: 2, perAccount: 10, windowMs: 60_000 }, () => now);
    fail(b, 'a', 'x');
    now += 10_000;
    fail(b, 'a', 'y');
    const r = b.reserve('a', 'z');
    expect(r).toMatchObject({ ok: false, limitedBy: 'address', retryAfterMs: 50_000 });
    now += 50_001;
    expect(b.reserve('a', 'z').ok).toBe(true);
  });

  it('keeps memory bounded under many addresses', () => {
    const b = new FailureBudget({ perAddress: 2, perAccount: 1_000_000, windowMs: 60_000, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) fail(b, `addr${i}`, 'x');
    expect(b.keys.addresses).toBeLessThanOrEqual(100);
  });
});
