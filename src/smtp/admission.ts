/**
 * Who may open an SMTP connection, after Postfix's anvil and stress mode.
 *
 * Clients in trustedNetworks are the relay's own helpdesk tools: they may use every one of `maxConnections`.
 * Everyone else ("strangers": clients outside trustedNetworks that have not authenticated) shares
 * `maxConnections − reservedConnections`, at most `maxConnectionsPerClient` at once and `connectionRatePerClient`
 * new connections a minute per address. A stranger that authenticates leaves the strangers' share. So strangers
 * holding every slot they may leave the reserve to trusted clients, which still get their 220.
 *
 * Counting happens here, in onConnect/onClose terms (smtp-server's own maxClients check is not used).
 */
import type { SmtpReply } from '../core/types.js';

export interface AdmissionLimits {
  maxConnections: number;
  reservedConnections: number;
  maxConnectionsPerClient: number;
  /** New connections per minute per stranger address; 0 = no limit. */
  connectionRatePerClient: number;
  /** Percent of maxConnections in use from which the relay is under stress. */
  stressThreshold: number;
}

/** How a connection was counted when admitted, to release it the same way. */
export interface Ticket {
  readonly address: string;
  stranger: boolean;
  released: boolean;
}

const RATE_WINDOW_MS = 60_000;
/** Addresses whose recent connection times are remembered; beyond it the oldest are forgotten. */
const MAX_RATE_ENTRIES = 100_000;

export const admissionReplies = {
  busy: (): SmtpReply => ({ code: 421, enhanced: '4.7.0', text: 'Too many connected clients, try again later' }),
  perClient: (): SmtpReply => ({
    code: 421,
    enhanced: '4.7.0',
    text: 'Too many connections from your address, try again later',
  }),
  rate: (): SmtpReply => ({
    code: 421,
    enhanced: '4.7.0',
    text: 'Too many connections per minute from your address, try again later',
  }),
};

export class ConnectionAdmission {
  private total = 0;
  private strangers = 0;
  private readonly perClient = new Map<string, number>();
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly limits: AdmissionLimits) {}

  /** Connections that strangers may hold at once. */
  get strangerShare(): number {
    return Math.max(1, this.limits.maxConnections - this.limits.reservedConnections);
  }

  get connections(): number {
    return this.total;
  }

  /** True while connections in use are at or above the stress threshold. */
  underStress(): boolean {
    return this.total * 100 >= this.limits.stressThreshold * this.limits.maxConnections;
  }

  /** Admits a connection (and counts it) or says why not. */
  admit(address: string, trusted: boolean, now = Date.now()): { ticket: Ticket } | { refused: SmtpReply } {
    if (!trusted) {
      // Attempts count, admitted or not (as anvil counts them): a client hammering the port stays refused.
      if (
        this.limits.connectionRatePerClient > 0 &&
        this.countAttempt(address, now) > this.limits.connectionRatePerClient
      ) {
        return { refused: admissionReplies.rate() };
      }
      if ((this.perClient.get(address) ?? 0) >= this.limits.maxConnectionsPerClient)
        return { refused: admissionReplies.perClient() };
      if (this.strangers >= this.strangerShare) return { refused: admissionReplies.busy() };
    }
    if (this.total >= this.limits.maxConnections) return { refused: admissionReplies.busy() };
    this.total++;
    if (!trusted) {
      this.strangers++;
      this.perClient.set(address, (this.perClient.get(address) ?? 0) + 1);
    }
    return { ticket: { address, stranger: !trusted, released: false } };
  }

  /** The client authenticated: it no longer takes a place in the strangers' share. */
  promote(ticket: Ticket): void {
    if (ticket.released || !ticket.stranger) return;
    ticket.stranger = false;
    this.strangers--;
    this.dropPerClient(ticket.address);
  }

  release(ticket: Ticket): void {
    if (ticket.released) return;
    ticket.released = true;
    this.total--;
    if (ticket.stranger) {
      this.strangers--;
      this.dropPerClient(ticket.address);
    }
  }

  private dropPerClient(address: string): void {
    const n = (this.perClient.get(address) ?? 1) - 1;
    if (n <= 0) this.perClient.delete(address);
    else this.perClient.set(address, n);
  }

  /** Records an attempt; returns the attempts from the address within the last minute, this one included. */
  private countAttempt(address: string, now: number): number {
    let times = this.recent.get(address);
    if (!times) {
      if (this.recent.size >= MAX_RATE_ENTRIES) this.forgetOld(now);
      times = [];
      this.recent.set(address, times);
    }
    while (times.length > 0 && now - times[0]! >= RATE_WINDOW_MS) times.shift();
    // Only as many times as the limit needs are kept, so a flood costs no memory.
    if (times.length > this.limits.connectionRatePerClient) times.shift();
    times.push(now);
    return times.length;
  }

  private forgetOld(now: number): void {
    for (const [k, times] of this.recent)
      if (times.length === 0 || now - times[times.length - 1]! >= RATE_WINDOW_MS) this.recent.delete(k);
    if (this.recent.size >= MAX_RATE_ENTRIES) this.recent.delete(this.recent.keys().next().value!);
  }
}
