/**
 * The admin HTTP application on fastify 5: web console (server-rendered with Eta, no scripts), JSON API under
 * /api with JSON Schemas for every query, body and response, the OpenAPI document generated from them
 * (/api/docs UI, /api/docs/json), release-request links for senders, and the operational endpoints.
 *
 * Open without login: /login, /console.css, /healthz, /readyz, /metrics, /api/docs, and /request/<id>
 * (authorised by its HMAC signature). /metrics carries counts only; bind adminListen to loopback or a private
 * network, or filter it at the proxy, when that matters. Everything else declares its role (security.ts).
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AdminContext } from './context.js';
import { httpStatusOf, publicMessage, HttpError } from './errors.js';
import { auditRoutes } from './routes/audit.js';
import { journalRoutes } from './routes/journal.js';
import { loginRoutes } from './routes/login.js';
import { messageRoutes } from './routes/messages.js';
import { opsRoutes } from './routes/ops.js';
import { requestRoutes } from './routes/request.js';
import { statsRoutes } from './routes/stats.js';
import { installSecurity, isApiRequest } from './security.js';
import { render } from './templates.js';

export const MAX_BODY = 64 * 1024;

export interface AppOptions {
  /** Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; the client address is the first hop before them. */
  trustedProxies?: string[];
}

function wantsJson(req: FastifyRequest): boolean {
  return isApiRequest(req) || (req.headers.accept ?? '').includes('application/json');
}

export async function buildAdminApp(ctx: AdminContext, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY,
    trustProxy: opts.trustedProxies?.length ? opts.trustedProxies : false,
    requestTimeout: 60_000,
    // Forms repeat a field for lists (`ids=a&ids=b`); a single value must still satisfy an array schema.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  });

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: MAX_BODY });
  await app.register(helmet, {
    // Console pages: no scripts at all, styles from our own stylesheet, frames only from ourselves.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on POSTs, defeating the Origin check.
    referrerPolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onSend', async (_req, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'postguard admin API',
        version: '1',
        description:
          'Quarantine, audit log and statistics. Log in with POST /api/login (cookie + CSRF token) or send an API token as Authorization: Bearer pgt_….',
      },
      components: {
        securitySchemes: {
          token: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'pg_session' },
        },
      },
      security: [{ token: [] }, { session: [] }],
    },
  });
  // The documentation is public (schemas only, no data); its routes come from the plugin, so they get their role here.
  // Every path's methods are noted, so other methods on a known path get 405 instead of 404 (below).
  const methodsByUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs')) route.config = { ...(route.config ?? {}), role: 'public' };
    const set = methodsByUrl.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) set.add(m);
    methodsByUrl.set(route.url, set);
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  installSecurity(app, { accounts: ctx.accounts, sessions: ctx.sessions, publicOrigin: ctx.publicOrigin });

  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const status = httpStatusOf(err);
    if (status === 500) ctx.logger?.error({ err: err.message, path: req.url.split('?')[0] }, 'admin request failed');
    if (err instanceof HttpError) for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
    const message = err.validation ? `invalid request: ${err.message}` : publicMessage(err);
    if (wantsJson(req)) return reply.code(status).send({ error: message });
    return reply.code(status).type('text/html; charset=utf-8').send(render('error', { status, message }));
  });
  app.setNotFoundHandler({}, (req, reply) => {
    if (wantsJson(req)) return reply.code(404).send({ error: 'not found' });
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(render('error', { status: 404, message: 'not found' }));
  });

  opsRoutes(app, ctx);
  loginRoutes(app, ctx);
  messageRoutes(app, ctx);
  auditRoutes(app, ctx);
  statsRoutes(app, ctx);
  journalRoutes(app, ctx);
  requestRoutes(app, ctx);
  for (const [url, methods] of [...methodsByUrl]) {
    const others = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !methods.has(m));
    if (url.startsWith('/api/docs') || !others.length) continue;
    app.route({
      method: others,
      url,
      config: { role: 'public' },
      schema: { hide: true },
      handler: async (_req, reply) => {
        reply.header('allow', [...methods].filter((m) => m !== 'HEAD').join(', '));
        throw new HttpError(405, 'method not allowed');
      },
    });
  }
  return app;
}
