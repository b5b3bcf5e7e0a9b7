/**
 * JSON Schemas of the admin API: fastify validates requests with them, serialises responses with them, and
 * @fastify/swagger turns them into the OpenAPI document at /api/docs/json.
 */
import { QUARANTINE_STATUSES } from '../quarantine/types.js';
import { ROLES } from './accounts.js';

export const errorSchema = {
  type: 'object',
  description: 'An error; the message carries no customer data.',
  properties: { error: { type: 'string' } },
  required: ['error'],
} as const;

/** Error responses every authenticated route can give. */
export const authErrors = { 401: errorSchema, 403: errorSchema } as const;

export const statusSchema = { type: 'string', enum: [...QUARANTINE_STATUSES] } as const;

const historyEntry = {
  type: 'object',
  properties: {
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string' },
    action: { type: 'string' },
    reason: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
  required: ['at', 'actor', 'action'],
} as const;

const evidence = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    masked: { type: 'string', description: 'The matched value, masked.' },
    source: { type: 'string', description: 'Where in the message it was found.' },
    customers: { type: 'array', items: { type: 'string' }, description: 'Customer ids whose data this is.' },
    recipient: { type: 'string' },
  },
  required: ['kind', 'masked', 'source', 'customers'],
} as const;

const hit = {
  type: 'object',
  properties: {
    ruleId: { type: 'string' },
    action: { type: 'string' },
    mode: { type: 'string', enum: ['enforce', 'monitor'] },
    reason: { type: 'string' },
    evidence: { type: 'array', items: evidence },
  },
  required: ['ruleId', 'action', 'mode', 'reason', 'evidence'],
} as const;

/** A held message as the API shows it: masked addresses, no subject, no body. */
export const messageSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The reference (transaction id).' },
    heldAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    status: statusSchema,
    masked: {
      type: 'object',
      properties: { mailFrom: { type: 'string' }, rcptTo: { type: 'array', items: { type: 'string' } } },
      required: ['mailFrom', 'rcptTo'],
    },
    customers: {
      type: 'array',
      items: { type: 'string' },
      description: 'Ids of the customers whose data the message carries.',
    },
    client: {
      type: 'object',
      properties: { remoteAddress: { type: 'string' }, user: { type: 'string' } },
      required: ['remoteAddress'],
    },
    verdict: {
      type: 'object',
      properties: {
        action: { type: 'string' },
        rules: { type: 'array', items: { type: 'string' } },
        reason: { type: 'string' },
        hits: { type: 'array', items: hit },
      },
      required: ['action', 'rules', 'reason', 'hits'],
    },
    size: { type: 'integer' },
    history: { type: 'array', items: historyEntry },
  },
  required: ['id', 'heldAt', 'expiresAt', 'status', 'masked', 'customers', 'client', 'verdict', 'size', 'history'],
} as const;

const dateOrTime = { type: 'string', description: 'YYYY-MM-DD (UTC day) or an ISO 8601 time.' } as const;

export const listQuerySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['', ...QUARANTINE_STATUSES], description: 'Only messages in this status.' },
    rule: { type: 'string', maxLength: 200 },
    sender: { type: 'string', maxLength: 320, description: 'Envelope sender, or part of it.' },
    q: { type: 'string', maxLength: 320, description: 'Search: reference, sender, recipient or customer id.' },
    since: dateOrTime,
    until: dateOrTime,
    limit: { type: 'integer', minimum: 1, maximum: 5000, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
  additionalProperties: false,
} as const;

export const listResponseSchema = {
  type: 'object',
  properties: {
    total: { type: 'integer', description: 'Messages matching the filter (all pages).' },
    messages: { type: 'array', items: messageSchema },
  },
  required: ['total', 'messages'],
} as const;

export const idParamsSchema = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['id'],
} as const;

const recipients = {
  anyOf: [
    { type: 'string', maxLength: 4000 },
    { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 320 } },
  ],
  description: 'Corrected recipients (comma, semicolon or space separated, or a list); default: the original ones.',
} as const;

export const actionBodySchema = {
  type: 'object',
  properties: {
    reason: { type: 'string', maxLength: 2000, description: 'Why (required, recorded in the audit log).' },
    to: recipients,
    csrf: { type: 'string', maxLength: 200 },
  },
  required: ['reason'],
} as const;

export const bulkBodySchema = {
  type: 'object',
  properties: {
    action: { type: 'string', enum: ['release', 'delete'] },
    reason: { type: 'string', maxLength: 2000 },
    ids: {
      anyOf: [
        { type: 'string', maxLength: 200 },
        { type: 'array', maxItems: 500, items: { type: 'string', maxLength: 200 } },
      ],
    },
    csrf: { type: 'string', maxLength: 200 },
  },
  required: ['action', 'reason', 'ids'],
} as const;

export const loginBodySchema = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 200 }, password: { type: 'string', maxLength: 1000 } },
  required: ['name', 'password'],
} as const;

export const loginResponseSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    csrf: { type: 'string', description: 'Send as x-csrf-token (or form field csrf) on state-changing requests.' },
    expires: { type: 'string', format: 'date-time' },
  },
  required: ['name', 'role', 'csrf', 'expires'],
} as const;

export const sessionResponseSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    csrf: { type: ['string', 'null'] },
  },
  required: ['name', 'role', 'csrf'],
} as const;

export const auditQuerySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 500 },
    message: { type: 'string', maxLength: 200 },
  },
  additionalProperties: false,
} as const;

export const auditEntrySchema = {
  type: 'object',
  properties: {
    time: { type: 'string', format: 'date-time' },
    actor: { type: 'string' },
    action: { type: 'string' },
    messageId: { type: 'string' },
    reason: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
  required: ['time', 'actor', 'action'],
} as const;

export const exportQuerySchema = {
  type: 'object',
  properties: { format: { type: 'string', enum: ['csv', 'jsonl'], default: 'jsonl' } },
  additionalProperties: false,
} as const;

const byRule = {
  type: 'object',
  additionalProperties: { type: 'integer' },
  description: 'Count per rule id.',
} as const;

export const statsQuerySchema = {
  type: 'object',
  properties: { since: { ...dateOrTime, description: 'Count from this day or time on (default: the last 30 days).' } },
  additionalProperties: false,
} as const;

export const statsResponseSchema = {
  type: 'object',
  properties: {
    since: { type: 'string', format: 'date-time' },
    held: { type: 'integer', description: 'Messages held since then.' },
    released: { type: 'integer' },
    deleted: { type: 'integer' },
    rejected: {
      type: 'integer',
      description:
        'Messages refused in-session since then: from the verdict journal when one is configured (across restarts and relays), else counted by this server process since it started.',
    },
    byRule,
    byDay: {
      type: 'array',
      items: {
        type: 'object',
        properties: { day: { type: 'string', format: 'date' }, byRule },
        required: ['day', 'byRule'],
      },
    },
    topSenders: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sender: { type: 'string' }, held: { type: 'integer' } },
        required: ['sender', 'held'],
      },
    },
    releaseRate: {
      type: 'number',
      description: 'Released / (released + deleted) of the messages held since then; 0 when none was decided.',
    },
    medianReleaseMinutes: { type: ['number', 'null'], description: 'Median time from hold to release, in minutes.' },
    timeToRelease: {
      type: 'array',
      description: 'Released messages by time from hold to release.',
      items: {
        type: 'object',
        properties: { bucket: { type: 'string' }, count: { type: 'integer' } },
        required: ['bucket', 'count'],
      },
    },
  },
  required: ['since', 'held', 'released', 'deleted', 'rejected', 'byRule', 'byDay'],
} as const;

// Verdict journal: customer and incident views (masked data only: customer ids, kinds, masked recipients).

const journalEvent = {
  type: 'object',
  properties: {
    time: { type: 'string', format: 'date-time' },
    event: {
      type: 'string',
      description:
        'verdict, delivered, held, rejected, not-accepted, release-requested, released, release-failed, deleted, expired …',
    },
    actor: { type: 'string', description: "Who: 'relay', 'admin:NAME', 'api:NAME', 'cli:USER', 'sender', 'system'." },
    delivered: { type: 'boolean' },
    recipients: { type: 'array', items: { type: 'string' }, description: 'Masked recipients of a release.' },
    reply: { type: 'integer', description: 'SMTP reply code given to the client.' },
  },
  required: ['time', 'event'],
} as const;

const strings = { type: 'array', items: { type: 'string' } } as const;

export const customerParamsSchema = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['id'],
} as const;
export const refParamsSchema = {
  type: 'object',
  properties: { ref: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['ref'],
} as const;

export const customerQuerySchema = {
  type: 'object',
  properties: {
    since: {
      ...dateOrTime,
      description:
        'Only messages with journal entries from this day or time on (default: everything the journal keeps).',
    },
  },
  additionalProperties: false,
} as const;

export const customerResponseSchema = {
  type: 'object',
  properties: {
    customer: { type: 'string' },
    since: { type: 'string', format: 'date-time' },
    messages: {
      type: 'array',
      description: "Every message that carried the customer's data, oldest first.",
      items: {
        type: 'object',
        properties: {
          ref: { type: 'string' },
          time: { type: 'string', format: 'date-time' },
          verdict: { type: 'string', description: "The verdict's action (deliver, tag, quarantine, reject)." },
          rules: strings,
          kinds: { ...strings, description: 'Kinds of data found (iban, full_name …).' },
          recipients: { ...strings, description: 'Masked recipients.' },
          delivered: { type: 'boolean' },
          status: { type: 'string', description: 'What happened since: the latest state.' },
          inQuarantine: {
            type: 'boolean',
            description: 'The quarantine still has a record (the console links /messages/REF).',
          },
          actions: {
            type: 'array',
            items: journalEvent,
            description: 'Actions taken by people or the system after the verdict.',
          },
        },
        required: [
          'ref',
          'time',
          'verdict',
          'rules',
          'kinds',
          'recipients',
          'delivered',
          'status',
          'inQuarantine',
          'actions',
        ],
      },
    },
  },
  required: ['customer', 'messages'],
} as const;

export const incidentResponseSchema = {
  type: 'object',
  description:
    'Breach evidence along GDPR Art. 33(3): nature of the data, data subjects, recipients, outcome, timeline.',
  properties: {
    ref: { type: 'string' },
    time: { type: 'string', format: 'date-time' },
    verdict: { type: 'string' },
    rules: strings,
    kinds: { ...strings, description: 'Art. 33(3)(a): categories of personal data.' },
    dataSubjects: {
      type: 'object',
      properties: { count: { type: 'integer' }, customers: strings },
      required: ['count', 'customers'],
      description: 'Art. 33(3)(a): number of data subjects and their customer ids.',
    },
    recipients: { ...strings, description: 'Masked recipients.' },
    delivered: { type: 'boolean' },
    status: { type: 'string' },
    timeline: { type: 'array', items: journalEvent },
    inQuarantine: {
      type: 'boolean',
      description: 'The quarantine still has a record (the console links /messages/REF).',
    },
  },
  required: [
    'ref',
    'time',
    'verdict',
    'rules',
    'kinds',
    'dataSubjects',
    'recipients',
    'delivered',
    'status',
    'timeline',
  ],
} as const;
