/**
 * A budget of failed password attempts, the one limiter behind SMTP AUTH and the console login.
 *
 * Failures are counted in a sliding window per source address and per account name. An attempt reserves a unit
 * of both budgets BEFORE the password is checked and holds it while the check runs, so attempts in flight count:
 * 100 parallel guesses from one address get at most `perAddress` password checks, the rest are refused at once.
 * Settling a reservation as failed turns it into a counted failure; as succeeded it frees the unit and forgives
 * only the failures of that same address-and-account pair: one account's success never resets another account's
 * budget, nor the address's budget for other accounts (an attacker who owns one account cannot launder guesses
 * on other accounts by logging into his own). Memory is bounded: each key keeps at most its limit of failures,
 * and at most `maxKeys` keys are kept (the oldest idle ones go first).
 */

export interface FailureBudgetLimits {
  /** Failures (including attempts in flight) per source address within the window. */
  perAddress: number;
  /** Failures (including attempts in flight) per account name within the window. */
  perAccount: number;
  windowMs: number;
  /** Keys kept per kind (addresses, accounts); default 100,000. */
  maxKeys?: number;
}

export interface Reservation {
  /** The password was right: frees the unit and forgives this pair's earlier failures. */
  succeeded(): void;
  /** The password was wrong: the unit becomes a counted failure. */
  failed(): void;
  /** The check could not be made (store error): frees the unit without counting. */
  cancel(): void;
}

export type ReserveResult =
  { ok: true; reservation: Reservation } | { ok: false; limitedBy: 'address' | 'account'; retryAfterMs: number };

interface Bucket {
  /** Failure times with the other side of the pair (the account for an address bucket and vice versa). */
  failures: { at: number; peer: string }[];
  inFlight: number;
}

class Buckets {
  private readonly map = new Map<string, Bucket>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** The bucket with failures older than the window dropped (undefined when there is none). */
  peek(key: string, now: number): Bucket | undefined {
    const b = this.map.get(key);
    if (!b) return undefined;
    const cutoff = now - this.windowMs;
    let i = 0;
    while (i < b.failures.length && b.failures[i]!.at <= cutoff) i++;
    if (i > 0) b.failures.splice(0, i);
    return b;
  }

  take(key: string, now: number): Bucket {
    const b = this.peek(key, now);
    if (b) return b;
    if (this.map.size >= this.maxKeys) this.evict(now);
    const fresh: Bucket = { failures: [], inFlight: 0 };
    this.map.set(key, fresh);
    return fresh;
  }

  /** Drops a bucket that holds nothing any more. */
  tidy(key: string): void {
    const b = this.map.get(key);
    if (b && b.inFlight === 0 && b.failures.length === 0) this.map.delete(key);
  }

  private evict(now: number): void {
    for (const key of this.map.keys()) {
      const b = this.peek(key, now)!;
      if (b.inFlight === 0 && b.failures.length === 0) this.map.delete(key);
    }
    // Still full: the least recently created idle key goes (buckets with attempts in flight stay).
    for (const [key, b] of this.map) {
      if (this.map.size < this.maxKeys) break;
      if (b.inFlight === 0) this.map.delete(key);
    }
  }

  get size(): number {
    return this.map.size;
  }
}

export class FailureBudget {
  private readonly addresses: Buckets;
  private readonly accounts: Buckets;

  constructor(
    private readonly limits: FailureBudgetLimits,
    private readonly now: () => number = Date.now,
  ) {
    const maxKeys = limits.maxKeys ?? 100_000;
    this.addresses = new Buckets(limits.windowMs, maxKeys);
    this.accounts = new Buckets(limits.windowMs, maxKeys);
  }

  /** Reserves one attempt for `account` from `address`, or says which budget is spent and for how long. */
  reserve(address: string, account: string): ReserveResult {
    const now = this.now();
    const byAddress = this.addresses.peek(address, now);
    if (byAddress && byAddress.failures.length + byAddress.inFlight >= this.limits.perAddress) {
      return { ok: false, limitedBy: 'address', retryAfterMs: this.retryAfter(byAddress, now) };
    }
    const byAccount = this.accounts.peek(account, now);
    if (byAccount && byAccount.failures.length + byAccount.inFlight >= this.limits.perAccount) {
      return { ok: false, limitedBy: 'account', retryAfterMs: this.retryAfter(byAccount, now) };
    }
    const a = this.addresses.take(address, now);
    const n = this.accounts.take(account, now);
    a.inFlight++;
    n.inFlight++;
    let settled = false;
    const settle = (outcome: 'succeeded' | 'failed' | 'cancel') => {
      if (settled) return;
      settled = true;
      a.inFlight--;
      n.inFlight--;
      const at = this.now();
      if (outcome === 'failed') {
        a.failures.push({ at, peer: account });
        n.failures.push({ at, peer: address });
      } else if (outcome === 'succeeded') {
        a.failures = a.failures.filter((f) => f.peer !== account);
        n.failures = n.failures.filter((f) => f.peer !== address);
      }
      this.addresses.tidy(address);
      this.accounts.tidy(account);
    };
    return {
      ok: true,
      reservation: {
        succeeded: () => settle('succeeded'),
        failed: () => settle('failed'),
        cancel: () => settle('cancel'),
      },
    };
  }

  /** Time until the oldest counted failure leaves the window (a full minute when only attempts in flight count). */
  private retryAfter(b: Bucket, now: number): number {
    const oldest = b.failures[0];
    return oldest ? Math.max(1000, oldest.at + this.limits.windowMs - now) : 60_000;
  }

  /** Keys currently kept (for tests of the memory bound). */
  get keys(): { addresses: number; accounts: number } {
    return { addresses: this.addresses.size, accounts: this.accounts.size };
  }
}
