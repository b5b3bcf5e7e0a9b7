/**
 * Prometheus metrics around one prom-client Registry. Labels carry verdicts, rule ids and error kinds only:
 * never addresses, subjects or any other message content.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Action } from '../core/types.js';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  readonly registry = new Registry();
  private readonly messages: Counter<'verdict'>;
  private readonly ruleHits: Counter<'rule'>;
  private readonly scanSeconds: Histogram;
  private readonly deliverySeconds: Histogram;
  private readonly upstreamErrors: Counter<'kind'>;
  private readonly connections: Counter;
  private readonly activeConnections: Gauge;
  private heldSource: (() => Promise<Record<string, number>>) | null = null;

  constructor(opts: { defaultMetrics?: boolean; prefix?: string } = {}) {
    const p = opts.prefix ?? 'postguard_';
    const registers = [this.registry];
    this.messages = new Counter({
      name: `${p}messages_total`,
      help: 'Messages by verdict.',
      labelNames: ['verdict'],
      registers,
    });
    this.ruleHits = new Counter({
      name: `${p}rule_hits_total`,
      help: 'Rule hits by rule id.',
      labelNames: ['rule'],
      registers,
    });
    this.scanSeconds = new Histogram({
      name: `${p}scan_duration_seconds`,
      help: 'Parse + detect + decide time.',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.deliverySeconds = new Histogram({
      name: `${p}delivery_duration_seconds`,
      help: 'Upstream delivery time.',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.upstreamErrors = new Counter({
      name: `${p}upstream_errors_total`,
      help: 'Upstream errors by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.connections = new Counter({
      name: `${p}smtp_connections_total`,
      help: 'SMTP connections accepted.',
      registers,
    });
    this.activeConnections = new Gauge({
      name: `${p}smtp_connections_active`,
      help: 'Open SMTP connections.',
      registers,
    });
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    new Gauge({
      name: `${p}quarantine_messages`,
      help: 'Quarantined messages by status (from the store at scrape time).',
      labelNames: ['status'],
      registers,
      async collect() {
        if (!self.heldSource) return;
        try {
          const counts = await self.heldSource();
          for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
        } catch {
          // store down: keep the last values; /readyz reports the outage
        }
      },
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: p });
  }

  /** One decided message: its verdict, the rules that hit, and how long scanning and delivery took. */
  observeMessage(verdict: Action, scanMs: number, deliverMs?: number, rules: readonly string[] = []): void {
    this.messages.inc({ verdict });
    for (const rule of rules) this.ruleHits.inc({ rule });
    this.scanSeconds.observe(scanMs / 1000);
    if (deliverMs !== undefined) this.deliverySeconds.observe(deliverMs / 1000);
  }

  ruleHit(rule: string): void {
    this.ruleHits.inc({ rule });
  }

  /** kind: 'temporary' | 'permanent' | 'connection' | 'timeout' … (no upstream text). */
  upstreamError(kind: string): void {
    this.upstreamErrors.inc({ kind });
  }

  connectionOpened(): void {
    this.connections.inc();
    this.activeConnections.inc();
  }

  connectionClosed(): void {
    this.activeConnections.dec();
  }

  /** Where the quarantine gauge reads its counts at scrape time (e.g. `() => store.counts()`). */
  setQuarantineSource(fn: () => Promise<Record<string, number>>): void {
    this.heldSource = fn;
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
