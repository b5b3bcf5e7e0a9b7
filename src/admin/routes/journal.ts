/**
 * Views of the verdict journal (src/journal/): the customer page (every message that carried a customer's data,
 * where it went, what happened since) and the printable incident page (GDPR Art. 33(3) summary of one message),
 * each with its JSON twin. Built from report.ts's customerLines / incidentOf, the same data `postguard report`
 * prints. The journal holds no plaintext customer data (ids, kinds, masked recipients, actors), so neither do these.
 *
 * Roles: the customer page is open to viewers — it shows what the message list already shows them (customer ids,
 * masked recipients, verdicts) gathered per customer. The incident page needs a releaser: it is the evidence
 * for a breach notification, a compliance document about the actions releasers and admins take, not day-to-day
 * triage; releasers (the people who decide on held messages and see full bodies) and admins may produce it.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCodes, isPostguardError } from '../../core/errors.js';
import type { Journal } from '../../journal/index.js';
import {
  customerLines,
  eventDetails,
  incidentOf,
  incidentOutcome,
  type CustomerReportLine,
  type IncidentReport,
} from '../../journal/report.js';
import type { QuarantineStore } from '../../quarantine/types.js';
import type { AdminContext } from '../context.js';
import { HttpError } from '../errors.js';
import {
  authErrors,
  customerParamsSchema,
  customerQuerySchema,
  customerResponseSchema,
  errorSchema,
  incidentResponseSchema,
  refParamsSchema,
} from '../schemas.js';
import { authOf } from '../security.js';
import { render } from '../templates.js';
import { parseDate } from './messages.js';

export interface CustomerView {
  customer: string;
  since?: string;
  messages: (CustomerReportLine & { inQuarantine: boolean })[];
}

function journalOf(ctx: AdminContext): Journal {
  if (!ctx.journal) throw new HttpError(503, 'no verdict journal is configured for this console');
  return ctx.journal;
}

async function inQuarantine(store: QuarantineStore, ref: string): Promise<boolean> {
  try {
    await store.get(ref);
    return true;
  } catch (err) {
    if (isPostguardError(err, ErrorCodes.QUARANTINE_NOT_FOUND)) return false;
    throw err;
  }
}

export async function customerView(ctx: AdminContext, customer: string, sinceParam?: string): Promise<CustomerView> {
  const since = parseDate(sinceParam);
  const lines = customerLines(await journalOf(ctx).byCustomer(customer, since));
  const messages = [];
  for (const l of lines) messages.push({ ...l, inQuarantine: await inQuarantine(ctx.store, l.ref) });
  return { customer, ...(since ? { since: since.toISOString() } : {}), messages };
}

export async function incidentView(
  ctx: AdminContext,
  ref: string,
): Promise<IncidentReport & { inQuarantine: boolean }> {
  const history = await journalOf(ctx).byReference(ref);
  if (!history) throw new HttpError(404, 'the verdict journal has no entry for this reference');
  return { ...incidentOf(history), inQuarantine: await inQuarantine(ctx.store, ref) };
}

export function journalRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const tags = ['verdict journal'];
  const who = (req: Parameters<typeof authOf>[0]) => {
    const auth = authOf(req);
    return { principal: auth.principal, csrf: auth.session?.csrf ?? '' };
  };

  app.get<{ Params: { id: string }; Querystring: { since?: string } }>(
    '/api/customers/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary:
          "Every message that carried the customer's data: when, verdict, masked recipients, what happened since",
        params: customerParamsSchema,
        querystring: customerQuerySchema,
        response: { 200: customerResponseSchema, 400: errorSchema, 503: errorSchema, ...authErrors },
      },
    },
    async (req) => customerView(ctx, req.params.id, req.query.since),
  );

  app.get<{ Params: { id: string }; Querystring: { since?: string } }>(
    '/customers/:id',
    {
      config: { role: 'viewer' },
      schema: { hide: true, params: customerParamsSchema, querystring: customerQuerySchema },
    },
    async (req, reply) => {
      const view = await customerView(ctx, req.params.id, req.query.since);
      return reply
        .type('text/html; charset=utf-8')
        .send(render('customer', { view, since: req.query.since ?? '', who: who(req) }));
    },
  );

  app.get<{ Params: { ref: string } }>(
    '/api/incidents/:ref',
    {
      config: { role: 'releaser' },
      schema: {
        tags,
        summary:
          'Incident evidence of one message (GDPR Art. 33(3)): kinds of data, data subjects, masked recipients, outcome, timeline',
        params: refParamsSchema,
        response: { 200: incidentResponseSchema, 404: errorSchema, 503: errorSchema, ...authErrors },
      },
    },
    async (req) => incidentView(ctx, req.params.ref),
  );

  app.get<{ Params: { ref: string } }>(
    '/incidents/:ref',
    { config: { role: 'releaser' }, schema: { hide: true, params: refParamsSchema } },
    async (req, reply) => {
      const r = await incidentView(ctx, req.params.ref);
      return reply
        .type('text/html; charset=utf-8')
        .send(render('incident', { r, outcome: incidentOutcome(r), details: eventDetails, who: who(req) }));
    },
  );
}
