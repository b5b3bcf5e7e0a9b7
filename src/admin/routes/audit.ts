/** The audit log: console page, JSON API, and exports (admin only; each export is itself audited). */
import type { FastifyInstance } from 'fastify';
import { auditToCsv, auditToJsonLines } from '../../audit/index.js';
import { roleAllows } from '../accounts.js';
import type { AdminContext } from '../context.js';
import { auditEntrySchema, auditQuerySchema, authErrors, exportQuerySchema } from '../schemas.js';
import { actorOf, authOf } from '../security.js';
import { render } from '../templates.js';

export function auditRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { audit } = ctx;
  const tags = ['audit'];
  type Q = { limit: number; message?: string };

  app.get<{ Querystring: Q }>(
    '/audit',
    { config: { role: 'viewer' }, schema: { hide: true, querystring: auditQuerySchema } },
    async (req, reply) => {
      const auth = authOf(req);
      const entries = await audit.list({
        limit: req.query.limit,
        ...(req.query.message ? { messageId: req.query.message } : {}),
      });
      return reply.type('text/html; charset=utf-8').send(
        render('audit', {
          entries,
          canExport: roleAllows(auth.principal.role, 'admin'),
          who: { principal: auth.principal, csrf: auth.session?.csrf ?? '' },
        }),
      );
    },
  );

  app.get<{ Querystring: Q }>(
    '/api/audit',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'Audit log, newest first',
        querystring: auditQuerySchema,
        response: {
          200: {
            type: 'object',
            properties: { entries: { type: 'array', items: auditEntrySchema } },
            required: ['entries'],
          },
          ...authErrors,
        },
      },
    },
    async (req) => ({
      entries: await audit.list({
        limit: req.query.limit,
        ...(req.query.message ? { messageId: req.query.message } : {}),
      }),
    }),
  );

  for (const url of ['/audit/export', '/api/audit/export']) {
    app.get<{ Querystring: { format: 'csv' | 'jsonl' } }>(
      url,
      {
        config: { role: 'admin' },
        schema: {
          hide: url === '/audit/export',
          tags,
          summary: 'Export the whole audit log, oldest first (CSV safe for spreadsheets, or JSON Lines)',
          querystring: exportQuerySchema,
          response: { 200: { type: 'string' }, ...authErrors },
        },
      },
      async (req, reply) => {
        const entries = (await audit.list()).reverse();
        const format = req.query.format;
        await audit.append({
          actor: actorOf(authOf(req)),
          action: 'audit-export',
          details: { format, entries: entries.length },
        });
        const stamp = new Date().toISOString().slice(0, 10);
        reply.header('content-disposition', `attachment; filename="postguard-audit-${stamp}.${format}"`);
        return format === 'csv'
          ? reply.type('text/csv; charset=utf-8').send(auditToCsv(entries))
          : reply.type('application/x-ndjson; charset=utf-8').send(auditToJsonLines(entries));
      },
    );
  }
}
