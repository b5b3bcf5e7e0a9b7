/** Builders for decide() inputs: ParsedMessage / Detection objects written directly. */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Finding, ParsedMessage, RecipientInfo, TextSegment, UnscannablePart } from '../../src/core/types.js';
import type { DecideInput } from '../../src/decide/types.js';

export const POLICIES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies');

export const INTERNAL = 'corp.example';

/** The test directory: customer id → email (plaintext only here, in the test). */
export const CUSTOMERS: Record<string, { email: string; name: string }> = {
  c1: { email: 'alice@gmail.com', name: 'Alice Walker' },
  c2: { email: 'bob.brown@web.de', name: 'Bob Brown' },
  c3: { email: 'carol@outlook.com', name: 'Carol King' },
  c4: { email: 'dan@yahoo.com', name: 'Dan Miles' },
  c5: { email: 'erin@gmx.de', name: 'Erin Fox' },
  c6: { email: 'frank@icloud.com', name: 'Frank Li' },
  c7: { email: 'gina@proton.me', name: 'Gina Rossi' },
};

export interface Rcpt {
  address: string;
  customers?: string[];
  visibleIn?: 'to' | 'cc' | 'bcc';
  internal?: boolean;
}

/** A recipient that is customer `id` (their directory email). */
export function customer(id: string, visibleIn: 'to' | 'cc' | 'bcc' = 'to'): Rcpt {
  return { address: CUSTOMERS[id]!.email, customers: [id], visibleIn };
}

export function internal(local = 'team-lead'): Rcpt {
  return { address: `${local}@${INTERNAL}`, internal: true, visibleIn: 'to' };
}

const STRONG = new Set(['email', 'phone', 'imei', 'card', 'order_id', 'address', 'ticket_id']);

export type FindingSpec = Partial<Finding> & { kind: string; customers: string[] };

export function finding(spec: FindingSpec): Finding {
  return {
    strength: STRONG.has(spec.kind) ? 'strong' : 'weak',
    location: 'body',
    source: 'body:text',
    segment: 1,
    offset: 10,
    length: 8,
    masked: `${spec.kind}:•••`,
    ...spec,
  };
}

export interface MessageSpec {
  from?: string;
  rcpt: Rcpt[];
  subject?: string;
  body?: string;
  findings?: FindingSpec[];
  unscannable?: UnscannablePart[];
  attachments?: ParsedMessage['attachments'];
  headers?: Record<string, string[]>;
  directoryDomains?: string[];
  firstTime?: (address: string) => boolean;
  clientUser?: string;
}

export function message(spec: MessageSpec): DecideInput {
  const from = spec.from ?? `agent@${INTERNAL}`;
  const recipients: RecipientInfo[] = spec.rcpt.map((r) => ({
    address: r.address,
    domain: r.address.slice(r.address.lastIndexOf('@') + 1),
    internal: r.internal ?? r.address.endsWith(`@${INTERNAL}`),
    customers: r.customers ?? [],
    visibleIn: r.visibleIn ?? 'to',
  }));
  const segments: TextSegment[] = [
    { index: 0, location: 'subject', source: 'subject', text: spec.subject ?? 'Your request' },
    { index: 1, location: 'body', source: 'body:text', text: spec.body ?? 'Hello,\n\nthank you for your message.\n' },
  ];
  const headers = new Map<string, string[]>(Object.entries(spec.headers ?? {}));
  headers.set('subject', [spec.subject ?? 'Your request']);
  const parsed: ParsedMessage = {
    subject: spec.subject ?? 'Your request',
    from: [{ address: from, name: 'Agent' }],
    to: recipients.filter((r) => r.visibleIn === 'to').map((r) => ({ address: r.address, name: '' })),
    cc: recipients.filter((r) => r.visibleIn === 'cc').map((r) => ({ address: r.address, name: '' })),
    bcc: [],
    replyTo: [],
    headers,
    segments,
    attachments: spec.attachments ?? [],
    unscannable: spec.unscannable ?? [],
  };
  const domains = new Set(spec.directoryDomains ?? ['gmail.com', 'web.de']);
  const input: DecideInput = {
    envelope: { mailFrom: from, rcptTo: recipients.map((r) => r.address) },
    parsed,
    detection: { findings: (spec.findings ?? []).map(finding), recipients, unscannable: [] },
    domains: { emailDomains: () => domains },
  };
  if (spec.clientUser) input.client = { remoteAddress: '127.0.0.1', secure: true, user: spec.clientUser };
  if (spec.firstTime) input.firstTime = spec.firstTime;
  return input;
}

/** Every plaintext value of the test directory: none may appear in a reason, reply or header. */
export function plaintextValues(): string[] {
  return Object.values(CUSTOMERS).flatMap((c) => [c.email, c.name]);
}
