/**
 * Keeps strangers (clients outside trustedNetworks that have not authenticated) from holding a connection
 * slot by doing next to nothing, after Postfix's stress mode and smtpd_min_data_rate:
 * - minimum progress: over every `progressWindow` a stranger must send at least `minProgressRate` bytes a second
 *   on average. The idle timeout alone is reset by every byte, so one byte now and then would keep a slot forever.
 * - stress: while the relay is under stress, a stranger idle for `stressCommandTimeout` is dropped (instead of
 *   after `commandTimeout`).
 * A stranger can do nothing but EHLO, STARTTLS and AUTH, so a real client is through both checks at once.
 */
import type { SmtpReply } from '../core/types.js';

export interface ProgressLimits {
  /** Bytes per second, averaged over each window; 0 = no check. */
  minProgressRate: number;
  progressWindow: number;
  stressCommandTimeout: number;
}

export const progressReplies = {
  tooSlow: (): SmtpReply => ({ code: 421, enhanced: '4.4.2', text: 'Too little progress, closing connection' }),
  stressIdle: (): SmtpReply => ({
    code: 421,
    enhanced: '4.4.2',
    text: 'Idle too long while the server is busy, closing connection',
  }),
};

interface Watched {
  bytes: () => number;
  windowStart: number;
  windowBytes: number;
  lastBytes: number;
  lastActivity: number;
}

export class ProgressWatch<K> {
  private readonly watched = new Map<K, Watched>();

  constructor(private readonly limits: ProgressLimits) {}

  /** How often `check` should run. */
  get interval(): number {
    return Math.max(100, Math.min(1000, this.limits.progressWindow / 4, this.limits.stressCommandTimeout / 4));
  }

  watch(key: K, bytes: () => number, now = Date.now()): void {
    const b = bytes();
    this.watched.set(key, { bytes, windowStart: now, windowBytes: b, lastBytes: b, lastActivity: now });
  }

  unwatch(key: K): void {
    this.watched.delete(key);
  }

  get size(): number {
    return this.watched.size;
  }

  /** The clients to drop now, with the reply each gets; they are no longer watched. */
  check(underStress: boolean, now = Date.now()): { key: K; reply: SmtpReply }[] {
    const out: { key: K; reply: SmtpReply }[] = [];
    const { minProgressRate, progressWindow, stressCommandTimeout } = this.limits;
    for (const [key, w] of this.watched) {
      const bytes = w.bytes();
      if (bytes !== w.lastBytes) {
        w.lastBytes = bytes;
        w.lastActivity = now;
      }
      if (underStress && now - w.lastActivity >= stressCommandTimeout) {
        out.push({ key, reply: progressReplies.stressIdle() });
      } else if (minProgressRate > 0 && now - w.windowStart >= progressWindow) {
        if (bytes - w.windowBytes < (minProgressRate * (now - w.windowStart)) / 1000) {
          out.push({ key, reply: progressReplies.tooSlow() });
        } else {
          w.windowStart = now;
          w.windowBytes = bytes;
        }
      }
    }
    for (const { key } of out) this.watched.delete(key);
    return out;
  }
}
