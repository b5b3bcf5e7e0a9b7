/**
 * Test helpers shared by the quarantine, admin and notify tests: a real SMTP sink (smtp-server), an Upstream
 * implemented with nodemailer against it, sample messages and verdicts, Redis key cleanup.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { InboundMessage, Verdict } from '../../src/core/types.js';
import type { DeliveryResult, Upstream } from '../../src/deliver/types.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export interface SunkMessage {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

export interface Sink {
  port: number;
  messages: SunkMessage[];
  /** Answer the next N DATA commands with this code (451 temporary, 550 permanent). */
  failNext(n: number, code?: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<SunkMessage[]>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const messages: SunkMessage[] = [];
  let failures = 0;
  let failCode = 451;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures > 0) {
          failures--;
          const err = Object.assign(new Error('try again later'), { responseCode: failCode });
          cb(err);
          return;
        }
        const from = session.envelope.mailFrom;
        messages.push({
          mailFrom: from ? from.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    failNext(n, code = 451) {
      failures = n;
      failCode = code;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > end) throw new Error(`sink got ${messages.length} messages, expected ${count}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The Upstream interface over nodemailer, as the lead's deliver/ will provide it. */
export function sinkUpstream(port: number): Upstream & { sends: number } {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  const up = {
    sends: 0,
    async send(envelope: { mailFrom: string; rcptTo: string[] }, raw: Buffer): Promise<DeliveryResult> {
      up.sends++;
      try {
        const info = await transport.sendMail({ envelope: { from: envelope.mailFrom, to: envelope.rcptTo }, raw });
        return {
          status: 'sent',
          code: 250,
          accepted: info.accepted.map(String),
          rejected: info.rejected.map((r) => ({ address: String(r), code: 550 })),
          upstreamResponse: info.response,
        };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode ?? 451;
        return {
          status: code >= 500 ? 'permanent' : 'temporary',
          code,
          accepted: [],
          rejected: [],
          upstreamResponse: String(err),
        };
      }
    },
    async check() {
      return true;
    },
    async close() {
      transport.close();
    },
  };
  return up;
}

export const SECRET_SUBJECT = 'Order 771-SECRET for Jane Roe';
export const SECRET_BODY = 'Jane Roe, 12 Secret Lane, phone +1 415 555 0171, IMEI 490154203237518';

export function makeMessage(over: Partial<InboundMessage> = {}): InboundMessage {
  const id = over.id ?? `t${randomBytes(6).toString('hex')}`;
  const raw = Buffer.from(
    [
      'From: Agent <agent@shop.example>',
      'To: Customer <victim.customer@gmail.com>',
      `Subject: ${SECRET_SUBJECT}`,
      `Message-ID: <${id}@shop.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      SECRET_BODY,
      '',
    ].join('\r\n'),
  );
  return {
    id,
    envelope: { mailFrom: 'agent@shop.example', rcptTo: ['victim.customer@gmail.com'] },
    client: { remoteAddress: '127.0.0.1', user: 'helpdesk', secure: false },
    raw,
    receivedAt: new Date(),
    ...over,
  };
}

export function makeVerdict(over: Partial<Verdict> = {}): Verdict {
  return {
    action: 'quarantine',
    rules: ['foreign-data'],
    reason: 'Customer data of another customer would reach an external recipient.',
    hits: [
      {
        ruleId: 'foreign-data',
        action: 'quarantine',
        mode: 'enforce',
        reason: 'Foreign strong identifier',
        evidence: [
          {
            kind: 'phone',
            masked: '+1 415 ••• ••71',
            source: 'body:text',
            customers: ['c-17'],
            recipient: 'v•••@gmail.com',
          },
          { kind: 'imei', masked: '4901••••••••518', source: 'body:text', customers: ['c-17'] },
        ],
      },
    ],
    ...over,
  };
}

export async function tempDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pgtest-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function redisPrefix(): string {
  return `pgtest:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under the prefix (hash-tagged keys included). */
export async function cleanupRedis(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
  } finally {
    await r.quit();
  }
}

export const TEST_KEY = 'a'.repeat(64);
