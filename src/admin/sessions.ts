/**
 * Console sessions: random 256-bit tokens in an HttpOnly, SameSite=Strict cookie, a per-session CSRF token,
 * absolute expiry. In memory: a session belongs to the admin server that created it (put a sticky load balancer
 * in front of several consoles, or log in per node).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from './accounts.js';

export interface Session {
  token: string;
  csrf: string;
  principal: Principal;
  /** The account's credential stamp at login (AccountStore.credentialStamp): the session ends when it changes. */
  stamp: string;
  expires: number;
}

export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly ttlMs = SESSION_TTL_MS) {}

  create(principal: Principal, stamp: string): Session {
    this.sweep();
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const s: Session = {
      token: randomBytes(32).toString('base64url'),
      csrf: randomBytes(32).toString('base64url'),
      principal,
      stamp,
      expires: Date.now() + this.ttlMs,
    };
    this.sessions.set(s.token, s);
    return s;
  }

  get(token: string | undefined): Session | null {
    if (!token) return null;
    const s = this.sessions.get(token);
    if (!s) return null;
    if (s.expires <= Date.now()) {
      this.sessions.delete(token);
      return null;
    }
    return s;
  }

  destroy(token: string): void {
    this.sessions.delete(token);
  }

  /** Drops every session of an account (after its removal or a password change). */
  destroyFor(name: string): void {
    for (const [t, s] of this.sessions) if (s.principal.name === name) this.sessions.delete(t);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [t, s] of this.sessions) if (s.expires <= now) this.sessions.delete(t);
  }
}

export function csrfMatches(session: Session, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
