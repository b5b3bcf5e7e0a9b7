/**
 * One message's way from the end of DATA to the client's reply (docs/DESIGN.md, "The message's path"):
 *   inspect (parse → detect → decide, bounded by scanTimeout) → deliver | tag+deliver | quarantine | reject.
 * Fails closed: any error before the upstream or the quarantine confirmed the message gives a 4xx.
 */
import type { Logger } from 'pino';
import { domainOf } from '../core/address.js';
import { ErrorCodes } from '../core/errors.js';
import type { InboundMessage, Inspector, SmtpReply, Verdict } from '../core/types.js';
import { prependHeaders, traceHeader } from '../deliver/trace-header.js';
import type { DeliveryResult, PreparedDelivery, Upstream } from '../deliver/types.js';
import { buildPartialDsn } from './dsn.js';
import { enhancedOf, replies, withReference } from '../smtp/replies.js';

/** Where held messages go. Resolves only once the message is durably stored. */
export interface HoldStore {
  hold(message: InboundMessage, verdict: Verdict): Promise<unknown>;
}

/** Optional observers; they must not throw (errors are logged and ignored). */
export interface TransactionHooks {
  /**
   * Before the relay acts on the verdict (the verdict journal). Awaited; when it throws, nothing is delivered or
   * held and the client gets 451 (fail closed).
   */
  onVerdict?(message: InboundMessage, verdict: Verdict): Promise<void>;
  /** After a durable hold (sender notice, metrics). */
  onHeld?(message: InboundMessage, verdict: Verdict, record: unknown): Promise<void> | void;
  /** After delivery to the upstream (first-time recipient memory, metrics). */
  onDelivered?(message: InboundMessage, verdict: Verdict, result: DeliveryResult): Promise<void> | void;
  /** Every finished transaction (metrics). */
  onFinished?(summary: TransactionSummary): void;
}

export interface TransactionDeps {
  hostname: string;
  upstream: Upstream;
  inspect: Inspector;
  scanTimeoutMs: number;
  quarantine?: HoldStore;
  hooks?: TransactionHooks;
  logger: Logger;
}

export interface TransactionSummary {
  id: string;
  verdict: Verdict['action'] | 'error';
  rules: string[];
  reply: SmtpReply;
  upstreamCode?: number;
  scanMs: number;
  deliverMs: number;
}

class ScanTimeout extends Error {
  readonly code = 'EPG_SCAN_TIMEOUT';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScanTimeout(`scan exceeded ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function headerBlock(message: InboundMessage, hostname: string, verdict: Verdict): string {
  let block = traceHeader({
    id: message.id,
    hostname,
    heloName: message.client.heloName,
    remoteAddress: message.client.remoteAddress,
    secure: message.client.secure,
    authenticated: Boolean(message.client.user),
    date: message.receivedAt,
  });
  if (verdict.action === 'tag' && verdict.headers) {
    for (const [name, value] of Object.entries(verdict.headers)) {
      if (!/^X-Postguard-[A-Za-z-]+$/.test(name)) continue; // only our own namespace
      block += `${name}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`;
    }
  }
  return block;
}

/**
 * `prepared`: the upstream transaction opened while the message arrived (Upstream.prepare); it carries the
 * message when it is delivered. On every other outcome the inbound server abandons it when it replies.
 */
export async function runTransaction(
  message: InboundMessage,
  deps: TransactionDeps,
  prepared?: PreparedDelivery,
): Promise<SmtpReply> {
  const { logger } = deps;
  const started = performance.now();
  let verdict: Verdict | undefined;
  let scanMs = 0;
  let deliverMs = 0;
  let upstreamCode: number | undefined = undefined;

  const finish = (r: SmtpReply): SmtpReply => {
    const summary: TransactionSummary = {
      id: message.id,
      verdict: verdict?.action ?? 'error',
      rules: verdict?.rules ?? [],
      reply: r,
      upstreamCode,
      scanMs: Math.round(scanMs * 10) / 10,
      deliverMs: Math.round(deliverMs * 10) / 10,
    };
    logger.info(
      {
        tx: message.id,
        client: message.client.remoteAddress,
        user: message.client.user,
        senderDomain: domainOf(message.envelope.mailFrom.toLowerCase()) || null,
        rcptCount: message.envelope.rcptTo.length,
        rcptDomains: [...new Set(message.envelope.rcptTo.map((a) => domainOf(a.toLowerCase())))],
        size: message.raw.length,
        verdict: summary.verdict,
        rules: summary.rules,
        reply: r.code,
        upstreamCode,
        scanMs: summary.scanMs,
        deliverMs: summary.deliverMs,
        totalMs: Math.round((performance.now() - started) * 10) / 10,
      },
      'transaction',
    );
    try {
      deps.hooks?.onFinished?.(summary);
    } catch (err) {
      logger.warn({ tx: message.id, err: (err as Error).message }, 'onFinished hook failed');
    }
    return r;
  };

  // 1. inspect — fail closed
  const scanStart = performance.now();
  try {
    verdict = await withTimeout(deps.inspect(message), deps.scanTimeoutMs);
  } catch (err) {
    scanMs = performance.now() - scanStart;
    const errCode = (err as { code?: string }).code ?? 'ERROR';
    if (errCode === ErrorCodes.SCAN_BUSY) {
      logger.warn({ tx: message.id, errCode }, 'extraction busy with other messages; message deferred (451)');
      return finish(replies.scanBusy(message.id));
    }
    logger.warn({ tx: message.id, errCode }, 'scan failed; message not accepted');
    return finish(replies.scanFailed(message.id));
  }
  scanMs = performance.now() - scanStart;

  if (deps.hooks?.onVerdict) {
    try {
      await deps.hooks.onVerdict(message, verdict);
    } catch (err) {
      logger.error(
        { tx: message.id, errCode: (err as { code?: string }).code ?? 'ERROR' },
        'verdict journal write failed; message not accepted',
      );
      return finish(replies.journalFailed(message.id));
    }
  }

  // 2. act on the verdict
  if (verdict.action === 'reject') {
    const r = verdict.reply ?? { code: 550, enhanced: '5.7.1', text: 'Message refused by policy' };
    return finish(withReference(r, message.id));
  }

  if (verdict.action === 'quarantine') {
    if (!deps.quarantine) {
      logger.error(
        { tx: message.id },
        'verdict is quarantine but no quarantine store is configured; message not accepted',
      );
      return finish(replies.holdFailed(message.id));
    }
    let record: unknown;
    try {
      record = await deps.quarantine.hold(message, verdict);
    } catch (err) {
      logger.error(
        { tx: message.id, errCode: (err as { code?: string }).code ?? 'ERROR' },
        'quarantine write failed; message not accepted',
      );
      return finish(replies.holdFailed(message.id));
    }
    const r = finish(replies.held(message.id));
    runHook(logger, message.id, 'onHeld', () => deps.hooks?.onHeld?.(message, verdict, record));
    return r;
  }

  // deliver or tag
  const raw = prependHeaders(message.raw, headerBlock(message, deps.hostname, verdict));
  const deliverStart = performance.now();
  let result: DeliveryResult;
  try {
    result = prepared ? await prepared.send(raw) : await deps.upstream.send(message.envelope, raw, { id: message.id });
  } catch (err) {
    deliverMs = performance.now() - deliverStart;
    logger.error({ tx: message.id, errCode: (err as { code?: string }).code ?? 'ERROR' }, 'upstream send threw');
    return finish(replies.upstreamTemporary(message.id));
  }
  deliverMs = performance.now() - deliverStart;
  upstreamCode = result.code;

  if (result.status === 'temporary') {
    logger.warn({ tx: message.id, upstreamCode: result.code, errCode: result.errorCode }, 'upstream temporary failure');
    return finish(replies.upstreamTemporary(message.id));
  }
  if (result.status === 'permanent') {
    return finish(replies.upstreamPermanent(message.id, result.code, enhancedOf(result.upstreamResponse)));
  }
  if (result.rejected.length > 0) {
    logger.warn(
      { tx: message.id, refused: result.rejected.length, accepted: result.accepted.length },
      'upstream refused some recipients; sending DSN to sender',
    );
    void sendPartialDsn(message, result, deps);
  }
  const r = finish(replies.delivered(message.id));
  runHook(logger, message.id, 'onDelivered', () => deps.hooks?.onDelivered?.(message, verdict, result));
  return r;
}

function runHook(logger: Logger, id: string, name: string, fn: () => Promise<void> | void | undefined): void {
  try {
    const p = fn();
    if (p && typeof p.catch === 'function') {
      p.catch((err: unknown) =>
        logger.warn({ tx: id, hook: name, errCode: (err as { code?: string }).code ?? 'ERROR' }, 'hook failed'),
      );
    }
  } catch (err) {
    logger.warn({ tx: id, hook: name, errCode: (err as { code?: string }).code ?? 'ERROR' }, 'hook failed');
  }
}

async function sendPartialDsn(message: InboundMessage, result: DeliveryResult, deps: TransactionDeps): Promise<void> {
  if (!message.envelope.mailFrom) return; // never bounce a bounce
  const dsn = buildPartialDsn({
    id: message.id,
    hostname: deps.hostname,
    sender: message.envelope.mailFrom,
    refused: result.rejected,
  });
  const r = await deps.upstream
    .send({ mailFrom: '', rcptTo: [message.envelope.mailFrom] }, dsn, { id: `${message.id}-dsn` })
    .catch(() => null);
  if (!r || r.status !== 'sent') deps.logger.error({ tx: message.id }, 'could not send DSN for refused recipients');
}
