/** Statistics: GET /api/stats and the console's statistics page (server-rendered SVG charts, no scripts). */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';
import { charts } from '../charts.js';
import { errorSchema, authErrors, statsQuerySchema, statsResponseSchema } from '../schemas.js';
import { computeStats, journalRejected, rejectedCount, type Stats } from '../stats.js';
import { authOf } from '../security.js';
import { render } from '../templates.js';
import { parseDate } from './messages.js';

const DEFAULT_DAYS = 30;

async function statsSince(ctx: AdminContext, sinceParam: string | undefined): Promise<Stats> {
  const since = parseDate(sinceParam) ?? new Date(Date.now() - DEFAULT_DAYS * 86_400_000);
  const records = await ctx.store.list({ since });
  return computeStats(
    records,
    since,
    ctx.journal ? await journalRejected(ctx.journal, since) : await rejectedCount(ctx.metrics),
  );
}

export function statsRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get<{ Querystring: { since?: string } }>(
    '/api/stats',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['statistics'],
        summary: 'Held, released, deleted and rejected messages; per rule and per day',
        querystring: statsQuerySchema,
        response: { 200: statsResponseSchema, 400: errorSchema, ...authErrors },
      },
    },
    async (req) => statsSince(ctx, req.query.since),
  );

  app.get<{ Querystring: { since?: string } }>(
    '/stats',
    { config: { role: 'viewer' }, schema: { hide: true, querystring: statsQuerySchema } },
    async (req, reply) => {
      const auth = authOf(req);
      const stats = await statsSince(ctx, req.query.since);
      return reply.type('text/html; charset=utf-8').send(
        render('stats', {
          stats,
          charts: charts(stats),
          since: req.query.since ?? '',
          fromJournal: Boolean(ctx.journal),
          who: { principal: auth.principal, csrf: auth.session?.csrf ?? '' },
        }),
      );
    },
  );
}
