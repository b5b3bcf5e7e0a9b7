/**
 * Held messages: the console list and detail pages, the JSON API, release and delete (single and bulk), and the
 * message body as an inert document for the detail page's sandboxed iframe.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { maskAddress } from '../../core/address.js';
import { ErrorCodes, isPostguardError } from '../../core/errors.js';
import { deleteMessage, releaseMessage } from '../../quarantine/release.js';
import type { ListFilter, QuarantineRecord, QuarantineStatus } from '../../quarantine/types.js';
import { QUARANTINE_STATUSES } from '../../quarantine/types.js';
import { roleAllows } from '../accounts.js';
import { attachmentNames, renderBodyDocument } from '../body.js';
import type { AdminContext } from '../context.js';
import { HttpError, httpStatusOf, publicMessage } from '../errors.js';
import {
  actionBodySchema,
  authErrors,
  bulkBodySchema,
  errorSchema,
  idParamsSchema,
  listQuerySchema,
  listResponseSchema,
  messageSchema,
} from '../schemas.js';
import { actorOf, authOf, type Auth } from '../security.js';
import { render } from '../templates.js';

/** The message body may load nothing and run nothing; sandboxed even when opened directly. */
export const BODY_CSP = "default-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox";

export interface ListQuery {
  status?: QuarantineStatus | '';
  rule?: string;
  sender?: string;
  q?: string;
  since?: string;
  until?: string;
  limit: number;
  offset: number;
}

interface ActionBody {
  reason: string;
  to?: string | string[];
}

interface BulkBody {
  action: 'release' | 'delete';
  reason: string;
  ids: string | string[];
}

const NOTICES: Record<string, string> = {
  released: 'The message was released and accepted by the upstream.',
  deleted: 'The message was deleted.',
};

/** Customer ids whose data the message carries (ids only: no personal data). */
export function customersOf(r: QuarantineRecord): string[] {
  return [...new Set(r.verdict.hits.flatMap((h) => h.evidence.flatMap((e) => e.customers)))].sort();
}

/** The API view of a record: masked addresses, customer ids, no subject, no decrypted envelope. */
export function apiRecord(r: QuarantineRecord): Record<string, unknown> {
  return {
    id: r.id,
    heldAt: r.heldAt,
    expiresAt: r.expiresAt,
    status: r.status,
    masked: r.masked,
    customers: customersOf(r),
    client: r.client,
    verdict: r.verdict,
    size: r.size,
    history: r.history,
  };
}

export function parseDate(s: string | undefined, endOfDay = false): Date | undefined {
  if (!s) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : s);
  if (Number.isNaN(d.getTime())) throw new HttpError(400, 'invalid date');
  return d;
}

/** Matches the search text against reference, sender, recipients (decrypted, compared only) and customer ids. */
function matchesSearch(r: QuarantineRecord, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  const hay = [r.id, r.envelope.mailFrom, ...r.envelope.rcptTo, ...customersOf(r)];
  return hay.some((h) => h.toLowerCase().includes(needle));
}

/** The page of records matching the query, and how many match in all. */
export async function findRecords(
  ctx: AdminContext,
  q: ListQuery,
): Promise<{ total: number; records: QuarantineRecord[] }> {
  const filter: ListFilter = {};
  if (q.status) filter.status = q.status;
  if (q.rule?.trim()) filter.rule = q.rule.trim();
  if (q.sender?.trim()) filter.sender = q.sender.trim();
  const since = parseDate(q.since);
  if (since) filter.since = since;
  const until = parseDate(q.until, true);
  if (until) filter.until = until;
  let all = await ctx.store.list(filter);
  if (q.q?.trim()) all = all.filter((r) => matchesSearch(r, q.q!));
  return { total: all.length, records: all.slice(q.offset, q.offset + q.limit) };
}

/** The sender's justification when the message waits in the release-request queue. */
function justificationOf(r: QuarantineRecord): string | undefined {
  return r.status === 'release-requested'
    ? r.history.filter((h) => h.action === 'release-requested').at(-1)?.reason
    : undefined;
}

/**
 * For a message held for a lookalike recipient domain (evidence "gmial.com ≈ gmail.com"), the recipients with
 * the imitated domain put in: the release form offers them pre-filled. Undefined when nothing is to correct.
 */
export function correctedRecipients(r: QuarantineRecord): string | undefined {
  const fixes = new Map<string, string>();
  for (const h of r.verdict.hits) {
    for (const e of h.evidence) {
      const m = /^lookalike:/.test(e.kind) ? /^(\S+) ≈ (\S+)$/.exec(e.masked) : null;
      if (m) fixes.set(m[1]!.toLowerCase(), m[2]!);
    }
  }
  if (!fixes.size || !r.envelope.rcptTo.length) return undefined;
  let changed = false;
  const to = r.envelope.rcptTo.map((addr) => {
    const at = addr.lastIndexOf('@');
    const domain = addr.slice(at + 1).toLowerCase();
    for (const [wrong, right] of fixes) {
      if (domain === wrong || domain.endsWith(`.${wrong}`)) {
        changed = true;
        return `${addr.slice(0, at + 1)}${domain.slice(0, domain.length - wrong.length)}${right}`;
      }
    }
    return addr;
  });
  return changed ? to.join(', ') : undefined;
}

/** Rule ids of the held messages, for the console's rule filter. */
async function knownRules(ctx: AdminContext): Promise<string[]> {
  const rules = new Set<string>();
  for (const r of await ctx.store.list({})) for (const rule of r.verdict.rules) rules.add(rule);
  return [...rules].sort();
}

function recipientsOf(to: string | string[] | undefined): string[] {
  const list = Array.isArray(to) ? to : to === undefined ? [] : [to];
  return list.flatMap((s) => s.split(/[\s,;]+/)).filter(Boolean);
}

function who(auth: Auth): { principal: Auth['principal']; csrf: string } {
  return { principal: auth.principal, csrf: auth.session?.csrf ?? '' };
}

function html(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

export function messageRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { store, upstream, audit, logger } = ctx;
  const tags = ['messages'];

  const messagePage = async (auth: Auth, r: QuarantineRecord, flash: { notice?: string; error?: string } = {}) => {
    const bodyGone = r.status === 'deleted' || r.status === 'expired';
    const canAct =
      roleAllows(auth.principal.role, 'releaser') && (r.status === 'held' || r.status === 'release-requested');
    return render('message', {
      r,
      who: who(auth),
      attachments: bodyGone ? [] : await attachmentNames(await store.getRaw(r.id)),
      bodyGone,
      request: justificationOf(r),
      customers: customersOf(r),
      fullBody: roleAllows(auth.principal.role, 'releaser'),
      canIncident: Boolean(ctx.journal) && roleAllows(auth.principal.role, 'releaser'),
      correctedTo: canAct ? correctedRecipients(r) : undefined,
      canAct,
      notice: flash.notice && Object.hasOwn(NOTICES, flash.notice) ? NOTICES[flash.notice] : undefined,
      error: flash.error,
    });
  };

  const act = async (
    auth: Auth,
    id: string,
    action: 'release' | 'delete',
    body: ActionBody,
  ): Promise<QuarantineRecord> => {
    const actor = actorOf(auth);
    if (action === 'delete') return deleteMessage(store, id, { actor, reason: body.reason }, audit);
    const to = recipientsOf(body.to);
    const out = await releaseMessage(
      store,
      upstream,
      id,
      { actor, reason: body.reason, ...(to.length ? { to } : {}) },
      audit,
    );
    logger?.info({ id, actor, to: to.map(maskAddress) }, 'quarantined message released from the console');
    return out.record;
  };

  app.get('/', { config: { role: 'viewer' }, schema: { hide: true } }, async (_req, reply) =>
    reply.redirect('/messages', 303),
  );

  app.get<{ Querystring: ListQuery & { status?: string } }>(
    '/messages',
    { config: { role: 'viewer' }, schema: { hide: true, querystring: listQuerySchema } },
    async (req, reply) => {
      const auth = authOf(req);
      const query: ListQuery = { ...req.query, status: req.query.status === undefined ? 'held' : req.query.status };
      const { total, records } = await findRecords(ctx, query);
      const pageLink = (offset: number) => {
        const p = new URLSearchParams();
        for (const [k, v] of Object.entries({ ...query, offset }))
          if (v !== undefined && k !== 'limit') p.set(k, String(v));
        if (query.limit !== 50) p.set('limit', String(query.limit));
        return `/messages?${p.toString()}`;
      };
      return html(
        reply,
        200,
        render('list', {
          records,
          total,
          query,
          statuses: ['', ...QUARANTINE_STATUSES],
          rules: await knownRules(ctx),
          canAct: roleAllows(auth.principal.role, 'releaser'),
          justification: justificationOf,
          prev: query.offset > 0 ? pageLink(Math.max(0, query.offset - query.limit)) : undefined,
          next: query.offset + query.limit < total ? pageLink(query.offset + query.limit) : undefined,
          who: who(auth),
        }),
      );
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/api/messages',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'Held messages, newest first, one page',
        querystring: listQuerySchema,
        response: { 200: listResponseSchema, 400: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { total, records } = await findRecords(ctx, req.query);
      return { total, messages: records.map(apiRecord) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { notice?: string } }>(
    '/messages/:id',
    {
      config: { role: 'viewer' },
      schema: {
        hide: true,
        params: idParamsSchema,
        querystring: { type: 'object', properties: { notice: { type: 'string', maxLength: 20 } } },
      },
    },
    async (req, reply) =>
      html(reply, 200, await messagePage(authOf(req), await store.get(req.params.id), { notice: req.query.notice })),
  );

  app.get<{ Params: { id: string } }>(
    '/api/messages/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'One held message',
        params: idParamsSchema,
        response: { 200: messageSchema, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => apiRecord(await store.get(req.params.id)),
  );

  // Releasers and admins see the full body, and each such view is audited; viewers get it with addresses and
  // numbers masked.
  app.get<{ Params: { id: string } }>(
    '/messages/:id/body',
    { config: { role: 'viewer' }, schema: { hide: true, params: idParamsSchema } },
    async (req, reply) => {
      const auth = authOf(req);
      const full = roleAllows(auth.principal.role, 'releaser');
      const record = await store.get(req.params.id);
      const doc = await renderBodyDocument(await store.getRaw(req.params.id), {
        masked: !full,
        ...(record.spans ? { spans: record.spans } : {}),
      });
      if (full) await audit.append({ actor: actorOf(auth), action: 'view-body', messageId: req.params.id });
      reply.header('content-security-policy', BODY_CSP).header('x-frame-options', 'SAMEORIGIN');
      return html(reply, 200, doc);
    },
  );

  for (const action of ['release', 'delete'] as const) {
    app.post<{ Params: { id: string }; Body: ActionBody }>(
      `/messages/:id/${action}`,
      { config: { role: 'releaser' }, schema: { hide: true, params: idParamsSchema, body: actionBodySchema } },
      async (req, reply) => {
        const auth = authOf(req);
        const id = req.params.id;
        try {
          await act(auth, id, action, req.body);
        } catch (err) {
          if (isPostguardError(err, ErrorCodes.QUARANTINE_NOT_FOUND) || httpStatusOf(err) === 500) throw err;
          return html(
            reply,
            httpStatusOf(err),
            await messagePage(auth, await store.get(id), { error: publicMessage(err) }),
          );
        }
        return reply.redirect(
          `/messages/${encodeURIComponent(id)}?notice=${action === 'release' ? 'released' : 'deleted'}`,
          303,
        );
      },
    );
    app.post<{ Params: { id: string }; Body: ActionBody }>(
      `/api/messages/:id/${action}`,
      {
        config: { role: 'releaser' },
        schema: {
          tags,
          summary:
            action === 'release'
              ? 'Release a held message (to corrected recipients if given); audited'
              : 'Delete a held message; audited',
          params: idParamsSchema,
          body: actionBodySchema,
          response: {
            200: messageSchema,
            400: errorSchema,
            404: errorSchema,
            409: errorSchema,
            502: errorSchema,
            ...authErrors,
          },
        },
      },
      async (req) => apiRecord(await act(authOf(req), req.params.id, action, req.body)),
    );
  }

  const bulk = async (req: FastifyRequest<{ Body: BulkBody }>) => {
    const auth = authOf(req);
    const ids = [...new Set(Array.isArray(req.body.ids) ? req.body.ids : [req.body.ids])];
    if (!req.body.reason.trim()) throw new HttpError(400, 'a reason is required');
    const results: { id: string; status: number; error?: string; state?: string }[] = [];
    for (const id of ids) {
      try {
        const rec = await act(auth, id, req.body.action, { reason: req.body.reason });
        results.push({ id, status: 200, state: rec.status });
      } catch (err) {
        results.push({ id, status: httpStatusOf(err), error: publicMessage(err) });
      }
    }
    return results;
  };

  const bulkResultSchema = {
    type: 'object',
    properties: {
      results: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            status: { type: 'integer' },
            state: { type: 'string' },
            error: { type: 'string' },
          },
          required: ['id', 'status'],
        },
      },
    },
    required: ['results'],
  } as const;

  app.post<{ Body: BulkBody }>(
    '/api/messages/bulk',
    {
      config: { role: 'releaser' },
      schema: {
        tags,
        summary: 'Release or delete several messages with one reason; one result per message',
        body: bulkBodySchema,
        response: { 200: bulkResultSchema, 400: errorSchema, ...authErrors },
      },
    },
    async (req) => ({ results: await bulk(req) }),
  );

  app.post<{ Body: BulkBody }>(
    '/messages/bulk',
    { config: { role: 'releaser' }, schema: { hide: true, body: bulkBodySchema } },
    async (req, reply) => {
      const results = await bulk(req);
      const ok = results.filter((r) => r.status === 200).length;
      return html(reply, 200, render('bulk', { results, ok, action: req.body.action, who: who(authOf(req)) }));
    },
  );
}
