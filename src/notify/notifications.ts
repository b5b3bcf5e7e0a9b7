/**
 * Everything the relay tells people, in one place for `serve`:
 *   - hold notices to the sender, several holds of one sender within notify.senderBatch in one notice;
 *   - the admin digest (notify.admins, every notify.digestEvery);
 *   - the signed SIEM webhook (notify.webhook).
 * None of them ever delays or fails a message: they run after the client got its reply.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Upstream } from '../deliver/types.js';
import type { RecordedEntry } from '../journal/recorder.js';
import type { QuarantineRecord } from '../quarantine/types.js';
import { Batcher } from './batcher.js';
import { AdminDigest } from './digest.js';
import { notifyHold, type NoticeOptions } from './notice.js';
import { WebhookSender } from './webhook.js';

export interface NotificationSettings {
  admins: string[];
  digestEvery: number;
  from: string;
  senderBatch: number;
  webhook: string;
  webhookSecret: string;
  webhookQueue: number;
}

export interface Notifications {
  /** After a durable hold: the sender's notice (batched). */
  held(record: QuarantineRecord): void;
  /** Every journal entry: digest and webhook pick theirs. */
  entry(e: RecordedEntry): void;
  close(): Promise<void>;
}

export function createNotifications(
  settings: NotificationSettings,
  deps: { upstream: Upstream; notice: Omit<NoticeOptions, 'from' | 'now'>; registry?: Registry; logger?: Logger },
): Notifications {
  const { upstream, logger } = deps;
  const notices = new Batcher<QuarantineRecord>(settings.senderBatch, async (_sender, records) => {
    await notifyHold(upstream, records, { ...deps.notice, from: settings.from, ...(logger ? { logger } : {}) });
  });
  const digest = new AdminDigest({
    admins: settings.admins,
    from: settings.from,
    everyMs: settings.digestEvery,
    upstream,
    publicUrl: deps.notice.publicUrl,
    ...(logger ? { logger } : {}),
  });
  const webhook = settings.webhook
    ? new WebhookSender({
        url: settings.webhook,
        secret: settings.webhookSecret,
        queueMax: settings.webhookQueue,
        ...(deps.registry ? { registry: deps.registry } : {}),
        ...(logger ? { logger } : {}),
      })
    : null;
  return {
    held(record) {
      if (record.envelope.mailFrom) notices.add(record.envelope.mailFrom.toLowerCase(), record);
    },
    entry(e) {
      digest.add(e);
      webhook?.send(e.entry);
    },
    async close() {
      await Promise.all([notices.close(), digest.close(), webhook?.close()]);
    },
  };
}
