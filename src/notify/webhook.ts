/**
 * The SIEM webhook: every verdict other than deliver and every quarantine action, as a JSON POST.
 *
 *   X-Postguard-Timestamp: <unix seconds>
 *   X-Postguard-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *   X-Postguard-Event: <event id, the same on every retry>
 *
 * The receiver recomputes the HMAC over the timestamp and the raw body and refuses stale timestamps (replay).
 * Never blocks mail: send() only enqueues (bounded; when full the event is dropped, logged and counted). One
 * worker posts in order; network errors, 408, 429 and 5xx are retried with exponential backoff, other 4xx are not.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { JournalEntry } from '../journal/types.js';
import { OUTCOME_EVENTS } from '../journal/types.js';

export const SIGNATURE_HEADER = 'x-postguard-signature';
export const TIMESTAMP_HEADER = 'x-postguard-timestamp';
export const EVENT_HEADER = 'x-postguard-event';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** For receivers (and tests): signature valid and timestamp within toleranceS of now. */
export function verifyWebhook(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  body: string,
  toleranceS = 300,
  now = Date.now(),
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(now / 1000 - ts) > toleranceS || !headers.signature) return false;
  const want = Buffer.from(signWebhook(secret, ts, body));
  const got = Buffer.from(headers.signature);
  return got.length === want.length && timingSafeEqual(got, want);
}

export interface WebhookEvent extends JournalEntry {
  id: string;
  type: 'postguard.verdict' | 'postguard.action';
}

/** The webhook's share of the journal: outcomes of non-deliver verdicts, and actions. */
export function webhookEventOf(entry: JournalEntry): WebhookEvent | null {
  if (entry.event === 'verdict') return null;
  const outcome = OUTCOME_EVENTS.includes(entry.event);
  if (outcome && entry.action === 'deliver') return null;
  return { id: randomUUID(), type: outcome ? 'postguard.verdict' : 'postguard.action', ...entry };
}

export interface WebhookOptions {
  url: string;
  secret: string;
  queueMax?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  registry?: Registry;
  logger?: Logger;
}

type Result = 'sent' | 'dropped' | 'failed';

export class WebhookSender {
  private readonly queue: WebhookEvent[] = [];
  private running: Promise<void> | null = null;
  private closing = false;
  private wake: (() => void) | null = null;
  private readonly counter: Counter<'result'> | null;
  readonly counts: Record<Result, number> = { sent: 0, dropped: 0, failed: 0 };
  private readonly o: Required<Omit<WebhookOptions, 'registry' | 'logger'>> & Pick<WebhookOptions, 'logger'>;

  constructor(opts: WebhookOptions) {
    this.o = { queueMax: 1000, maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 300_000, timeoutMs: 10_000, ...opts };
    this.counter = opts.registry
      ? new Counter({
          name: 'postguard_webhook_events_total',
          help: 'Webhook events by result (sent, dropped: queue full or closing, failed: gave up).',
          labelNames: ['result'],
          registers: [opts.registry],
        })
      : null;
  }

  private count(result: Result, n = 1): void {
    this.counts[result] += n;
    this.counter?.inc({ result }, n);
  }

  /** Queues the entry when it is webhook material; never waits. */
  send(entry: JournalEntry): void {
    const event = webhookEventOf(entry);
    if (!event) return;
    if (this.closing || this.queue.length >= this.o.queueMax) {
      this.count('dropped');
      this.o.logger?.warn(
        { ref: event.ref, event: event.event, queued: this.queue.length },
        'webhook queue full; event dropped',
      );
      return;
    }
    this.queue.push(event);
    this.running ??= this.loop().finally(() => (this.running = null));
  }

  get queued(): number {
    return this.queue.length;
  }

  private async loop(): Promise<void> {
    while (this.queue.length && !this.closing) {
      const event = this.queue[0]!;
      const ok = await this.deliver(event);
      this.queue.shift();
      this.count(ok ? 'sent' : 'failed');
    }
  }

  private async deliver(event: WebhookEvent): Promise<boolean> {
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= this.o.maxAttempts; attempt++) {
      const ts = Math.floor(Date.now() / 1000);
      let status = 0;
      try {
        const res = await fetch(this.o.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'postguard-webhook',
            [TIMESTAMP_HEADER]: String(ts),
            [SIGNATURE_HEADER]: signWebhook(this.o.secret, ts, body),
            [EVENT_HEADER]: event.id,
          },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return true;
      } catch {
        status = 0; // network error or timeout
      }
      const retry = status === 0 || status === 408 || status === 429 || status >= 500;
      if (!retry || attempt === this.o.maxAttempts || this.closing) {
        this.o.logger?.warn(
          { ref: event.ref, event: event.event, status, attempts: attempt },
          'webhook delivery failed; event dropped',
        );
        return false;
      }
      const delay = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (attempt - 1));
      this.o.logger?.info({ ref: event.ref, status, attempt, retryInMs: delay }, 'webhook delivery failed; retrying');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        t.unref();
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
    return false;
  }

  /** Waits up to graceMs for the queue to drain; what is left is dropped (counted). */
  async close(graceMs = 5000): Promise<void> {
    if (this.running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    this.closing = true;
    this.wake?.();
    if (this.running) await this.running;
    if (this.queue.length) {
      this.count('dropped', this.queue.length);
      this.o.logger?.warn({ dropped: this.queue.length }, 'webhook events not delivered at shutdown');
      this.queue.length = 0;
    }
  }
}
