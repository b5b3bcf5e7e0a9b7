/** Open operational endpoints: liveness, readiness, Prometheus metrics (counts only), the console stylesheet. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';
import { CSS } from '../style.js';

export function opsRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const tags = ['operations'];
  app.get(
    '/healthz',
    { config: { role: 'public' }, schema: { tags, summary: 'Liveness', response: { 200: { type: 'string' } } } },
    async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok\n'),
  );
  const readySchema = {
    type: 'object',
    properties: { ready: { type: 'boolean' }, checks: { type: 'object', additionalProperties: { type: 'boolean' } } },
    required: ['ready', 'checks'],
  } as const;
  app.get(
    '/readyz',
    {
      config: { role: 'public' },
      schema: { tags, summary: 'Readiness of store and upstream', response: { 200: readySchema, 503: readySchema } },
    },
    async (_req, reply) => {
      let checks: Record<string, boolean>;
      try {
        checks = await ctx.readiness();
      } catch {
        checks = { readiness: false };
      }
      const ready = Object.values(checks).every(Boolean);
      return reply.code(ready ? 200 : 503).send({ ready, checks });
    },
  );
  app.get(
    '/metrics',
    { config: { role: 'public' }, schema: { tags, summary: 'Prometheus metrics (counts only, no customer data)' } },
    async (_req, reply) => reply.type(ctx.metrics.contentType()).send(await ctx.metrics.render()),
  );
  app.get('/console.css', { config: { role: 'public' }, schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').send(CSS),
  );
}
