/**
 * `serve`'s verdict journal and notifications, composed in one place so start.ts only hooks them in:
 *   relay verdict → journal (fail closed) → outcome → journal → digest / webhook
 *   quarantine transitions (release, delete, expiry, release request) → journal → digest / webhook
 *   durable hold → sender notice (batched)
 */
import { Counter } from 'prom-client';
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import type { Detection, InboundMessage, Verdict } from '../core/types.js';
import type { Upstream } from '../deliver/types.js';
import { factsOf, JournalRecorder, openJournal, type DataFacts, type Journal } from '../journal/index.js';
import type { Metrics } from '../metrics/metrics.js';
import { createNotifications, type Notifications } from '../notify/notifications.js';
import type { LinkSigner } from '../notify/signer.js';
import type { QuarantineRecord, QuarantineStore } from '../quarantine/index.js';

const DAY_MS = 86_400_000;

export interface Evidence {
  journal: Journal;
  recorder: JournalRecorder;
  notifications: Notifications;
  /** For the inspector's callback: keeps what the detection found for the journal entry. */
  remember(message: InboundMessage, detection: Pick<Detection, 'findings'>): void;
  onVerdict(message: InboundMessage, verdict: Verdict): Promise<void>;
  onHeld(record: QuarantineRecord): void;
  onFinished(ref: string, replyCode: number): void;
  /** Sends what notices and digests wait (before the upstream closes). */
  flushNotifications(): Promise<void>;
  /** Closes the journal (after the relay finished its transactions). */
  close(): Promise<void>;
}

export async function startEvidence(
  config: Config,
  deps: {
    dataDir: string;
    hostname: string;
    upstream: Upstream;
    quarantine: QuarantineStore;
    metrics: Metrics;
    signer: LinkSigner;
    publicUrl: string;
    logger: Logger;
  },
): Promise<Evidence> {
  const { logger } = deps;
  const journal = await openJournal({
    dataDir: deps.dataDir,
    postgres: config.journal.postgres || undefined,
    retentionMs: config.journal.retention,
  });
  const failures = new Counter({
    name: 'postguard_journal_write_failures_total',
    help: 'Verdict journal writes that failed (verdict: message got 451; outcome/action: entry lost).',
    labelNames: ['kind'],
    registers: [deps.metrics.registry],
  });
  const recorder = new JournalRecorder(journal, {
    relay: deps.hostname,
    logger,
    onWriteFailure: (kind) => failures.inc({ kind }),
  });
  recorder.watch(deps.quarantine);
  const notifications = createNotifications(
    { ...config.notify, from: config.notify.from || `postguard@${deps.hostname}` },
    {
      upstream: deps.upstream,
      notice: { publicUrl: deps.publicUrl, signer: deps.signer },
      registry: deps.metrics.registry,
      logger,
    },
  );
  recorder.listen((e) => notifications.entry(e));
  const prune = () =>
    void journal.prune().then(
      (n) => n && logger.info({ removed: n, backend: journal.backend }, 'journal pruned'),
      (err: Error) => logger.warn({ err: err.message }, 'journal prune failed'),
    );
  prune();
  const timer = setInterval(prune, DAY_MS);
  timer.unref();
  logger.info(
    {
      backend: journal.backend,
      retentionDays: Math.round(config.journal.retention / DAY_MS),
      webhook: Boolean(config.notify.webhook),
      admins: config.notify.admins.length,
    },
    'verdict journal open',
  );

  const facts = new WeakMap<InboundMessage, DataFacts>();
  return {
    journal,
    recorder,
    notifications,
    remember: (message, detection) => facts.set(message, factsOf(detection)),
    onVerdict: (message, verdict) => recorder.verdict(message, verdict, facts.get(message)),
    onHeld: (record) => notifications.held(record),
    onFinished: (ref, code) => void recorder.outcome(ref, code),
    flushNotifications: () => notifications.close(),
    async close() {
      clearInterval(timer);
      await notifications.close();
      await journal.close();
    },
  };
}
