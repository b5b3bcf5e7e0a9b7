/** A held message with another customer's e-mail address and phone number in its body, scanned for real. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { openDirectory, type Directory } from '../../src/directory/index.js';
import { scanMessage } from '../../src/inspect/inspector.js';
import { makeMessage, makeVerdict } from '../quarantine/helpers.js';
import type { Env } from './setup.js';

export const FOREIGN_EMAIL = 'bob.other@example.net';
export const FOREIGN_PHONE = '+1 415 555 0171';
export const ENVELOPE = { mailFrom: 'agent@shop.example', rcptTo: ['alice.owner@gmail.com'] };

export function foreignRaw(id: string): Buffer {
  return Buffer.from(
    [
      'From: Agent <agent@shop.example>',
      'To: Alice <alice.owner@gmail.com>',
      'Subject: Your ticket',
      `Message-ID: <${id}@shop.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello Alice,',
      `the courier will call ${FOREIGN_PHONE} or write to ${FOREIGN_EMAIL} on Monday.`,
      'Kind regards',
      '',
    ].join('\r\n'),
  );
}

/** Holds a message whose body has a foreign customer's e-mail and phone, with spans from the real scan. */
export async function holdForeign(env: Env, directory: Directory): Promise<string> {
  const message = makeMessage({ envelope: ENVELOPE });
  message.raw = foreignRaw(message.id);
  const scan = await scanMessage(message.raw, message.envelope, { directory, internalDomains: ['shop.example'] });
  const spans = scan.detection.findings.map(({ segment, source, offset, length, kind, masked }) => ({
    segment,
    source,
    offset,
    length,
    kind,
    masked,
  }));
  const evidence = scan.detection.findings.map((f) => ({
    kind: f.kind,
    masked: f.masked,
    source: f.source,
    customers: f.customers,
  }));
  const verdict = makeVerdict();
  verdict.hits = verdict.hits.map((h) => ({ ...h, evidence }));
  await env.store.hold(message, verdict, { subject: scan.parsed.subject, spans });
  return message.id;
}

/** Writes the two-customer directory CSV (c-1 is the recipient, c-2 the foreign customer) into dir. */
export function writeForeignCsv(dir: string): string {
  const csv = join(dir, 'customers.csv');
  writeFileSync(
    csv,
    [
      'customer_id,full_name,email,phone',
      'c-1,Alice Owner,alice.owner@gmail.com,+1 212 555 0100',
      `c-2,Bob Other,${FOREIGN_EMAIL},${FOREIGN_PHONE}`,
      '',
    ].join('\n'),
  );
  return csv;
}

export async function openForeignDirectory(dir: string): Promise<Directory> {
  const csv = writeForeignCsv(dir);
  const directory = await openDirectory({
    dataDir: join(dir, 'directory'),
    secret: 'highlight-secret-0123456789abcdef',
    follow: false,
    logger: silentLogger,
  });
  await directory.import(csv, { mode: 'replace' });
  return directory;
}
