/**
 * Up to `size` open connections to the upstream, reused across messages:
 * - a message takes an idle connection, opens a new one while fewer than `size` exist, or waits (at most the
 *   timeout) for one to come back;
 * - a connection goes back after a transaction unless it broke, the server said 421, or it has carried
 *   `maxTransactions`; idle ones close after the upstream timeout without traffic (the server would close them
 *   anyway) and never keep the process alive;
 * - when a connection turns out broken, or the server says 421, every idle connection is closed too: they lead
 *   to the same server, and the next message should meet a fresh connection, not another stale one.
 */
import { UpstreamError, UpstreamErrorCodes } from './errors.js';
import { UpstreamConnection, type ConnectionOptions } from './connection.js';

export interface PoolOptions extends ConnectionOptions {
  size: number;
  maxTransactions: number;
}

type Acquired = { conn: UpstreamConnection; reused: boolean };
type Waiter = { resolve: (a: Acquired) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class ConnectionPool {
  private idle: UpstreamConnection[] = [];
  /** Open connections (idle or busy). */
  private live = new Set<UpstreamConnection>();
  private opening = 0;
  private waiters: Waiter[] = [];
  private closing = false;

  constructor(readonly options: PoolOptions) {}

  /** An idle connection, or a new one; `fresh` skips the idle ones (a retry after a stale one). */
  async acquire(fresh = false): Promise<Acquired> {
    if (this.closing) throw new UpstreamError(UpstreamErrorCodes.CONNECTION, 'upstream client is closed');
    if (!fresh) {
      const conn = this.takeIdle();
      if (conn) return { conn, reused: true };
    }
    if (this.count() < this.options.size || fresh) return { conn: await this.open(), reused: false };
    return new Promise<Acquired>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new UpstreamError(UpstreamErrorCodes.TIMEOUT, 'no upstream connection free in time'));
        }, this.options.timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * An idle connection or a new one, without waiting for a busy one to come back: null when every connection is
   * in use (the caller takes the ordinary way, `acquire`, later).
   */
  tryAcquire(): Promise<Acquired> | null {
    if (this.closing) return null;
    const conn = this.takeIdle();
    if (conn) return Promise.resolve({ conn, reused: true });
    if (this.count() < this.options.size) return this.open().then((c) => ({ conn: c, reused: false }));
    return null;
  }

  /** Hands a connection back after a transaction; `reuse` false (or a closed connection) drops it. */
  release(conn: UpstreamConnection, reuse: boolean): void {
    if (!reuse || conn.closed || this.closing || conn.transactions >= this.options.maxTransactions) {
      if (!conn.closed) conn.quit();
      this.dropped(conn);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve({ conn, reused: true });
      return;
    }
    conn.setActive(false);
    this.idle.push(conn);
  }

  /** Closes the idle connections (after a 421 or a broken one: they are likely stale too). */
  reset(): void {
    for (const c of this.idle.splice(0)) c.quit();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new UpstreamError(UpstreamErrorCodes.CONNECTION, 'upstream client is closed'));
    }
    this.reset();
  }

  private takeIdle(): UpstreamConnection | undefined {
    // Most recently used first: the others may time out and close, leaving as many as the traffic needs.
    for (let conn = this.idle.pop(); conn; conn = this.idle.pop()) {
      if (conn.closed) continue;
      conn.setActive(true);
      return conn;
    }
    return undefined;
  }

  private count(): number {
    return this.live.size + this.opening;
  }

  private async open(): Promise<UpstreamConnection> {
    this.opening++;
    let conn: UpstreamConnection;
    try {
      conn = await UpstreamConnection.open(this.options);
    } catch (err) {
      this.opening--;
      this.wakeOpener();
      throw err;
    }
    this.opening--;
    this.live.add(conn);
    conn.onClose = () => this.dropped(conn);
    return conn;
  }

  /** A connection is gone: it no longer counts, and a waiting message may open one in its place. */
  private dropped(conn: UpstreamConnection): void {
    if (!this.live.delete(conn)) return;
    const i = this.idle.indexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    this.wakeOpener();
  }

  /** There is room for a new connection: the first waiter gets one (or the error opening it). */
  private wakeOpener(): void {
    if (this.closing || this.count() >= this.options.size) return;
    const waiter = this.waiters.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.open().then((conn) => waiter.resolve({ conn, reused: false }), waiter.reject);
  }
}
