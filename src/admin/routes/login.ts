/**
 * Logging in and out. Password attempts go through the failure budget (core/failure-budget.ts): per client
 * address (as fastify's trustProxy decides it from admin.trustedProxies) and per account name, attempts in flight
 * included, so parallel guesses get no more password checks than the budget.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../accounts.js';
import type { AdminContext } from '../context.js';
import { HttpError } from '../errors.js';
import { authErrors, errorSchema, loginBodySchema, loginResponseSchema, sessionResponseSchema } from '../schemas.js';
import { authOf, originAllowed, SESSION_COOKIE } from '../security.js';
import type { Session } from '../sessions.js';
import { render } from '../templates.js';

interface LoginBody {
  name: string;
  password: string;
}

export function loginRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { accounts, audit, sessions } = ctx;

  const doLogin = async (
    req: FastifyRequest,
    reply: FastifyReply,
    name: string,
    password: string,
  ): Promise<Session | null> => {
    const ip = req.ip;
    const account = name.slice(0, 64);
    const attempt = ctx.loginBudget.reserve(ip, account);
    if (!attempt.ok) {
      throw new HttpError(429, 'too many failed logins; try again later', {
        'retry-after': String(Math.ceil(attempt.retryAfterMs / 1000)),
      });
    }
    let principal: Principal | null;
    try {
      principal = name && password ? await accounts.checkPassword(name, password) : null;
    } catch (err) {
      attempt.reservation.cancel();
      throw err;
    }
    if (!principal) {
      attempt.reservation.failed();
      await audit.append({ actor: `admin:${account || '?'}`, action: 'login-failed', details: { ip } });
      return null;
    }
    attempt.reservation.succeeded();
    const stamp = await accounts.credentialStamp(principal.name);
    if (!stamp) return null; // removed between the check and now
    const s = sessions.create(principal, stamp);
    reply.setCookie(SESSION_COOKIE, s.token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: Math.floor((s.expires - Date.now()) / 1000),
      secure: ctx.secureCookie,
    });
    await audit.append({ actor: `admin:${principal.name}`, action: 'login', details: { ip } });
    return s;
  };

  app.get('/login', { config: { role: 'public' }, schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(render('login', {})),
  );

  app.post<{ Body: LoginBody }>(
    '/login',
    { config: { role: 'public' }, schema: { hide: true, body: loginBodySchema } },
    async (req, reply) => {
      if (!originAllowed(req, ctx.publicOrigin)) throw new HttpError(403, 'cross-origin request refused');
      const page = (status: number, error: string) =>
        reply.code(status).type('text/html; charset=utf-8').send(render('login', { error }));
      try {
        if (await doLogin(req, reply, req.body.name, req.body.password)) return reply.redirect('/messages', 303);
      } catch (err) {
        if (err instanceof HttpError && err.status === 429) return page(429, err.message);
        throw err;
      }
      return page(401, 'Wrong name or password.');
    },
  );

  app.post<{ Body: LoginBody }>(
    '/api/login',
    {
      config: { role: 'public' },
      schema: {
        tags: ['session'],
        summary: 'Log in (JSON or form body); sets the session cookie and returns the CSRF token',
        body: loginBodySchema,
        response: { 200: loginResponseSchema, 401: errorSchema, 403: errorSchema, 429: errorSchema },
      },
    },
    async (req, reply) => {
      // Scripts on other sites may not log a browser in; non-browser clients send no Origin.
      if (req.headers.origin !== undefined && !originAllowed(req, ctx.publicOrigin))
        throw new HttpError(403, 'cross-origin request refused');
      const s = await doLogin(req, reply, req.body.name, req.body.password);
      if (!s) throw new HttpError(401, 'wrong name or password');
      return {
        name: s.principal.name,
        role: s.principal.role,
        csrf: s.csrf,
        expires: new Date(s.expires).toISOString(),
      };
    },
  );

  app.post('/logout', { config: { role: 'viewer' }, schema: { hide: true } }, async (req, reply) => {
    const auth = authOf(req);
    if (auth.session) sessions.destroy(auth.session.token);
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
    return reply.redirect('/login', 303);
  });

  app.get(
    '/api/session',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['session'],
        summary: 'The current login',
        response: { 200: sessionResponseSchema, ...authErrors },
      },
    },
    async (req) => {
      const auth = authOf(req);
      return { name: auth.principal.name, role: auth.principal.role, csrf: auth.session?.csrf ?? null };
    },
  );
}
