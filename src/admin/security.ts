/**
 * Who may do what, as fastify hooks. Every route declares its role in `config.role` ('public', 'viewer',
 * 'releaser', 'admin'); a route without one is refused (fail closed), so a new route cannot be left open by
 * forgetting it.
 *
 * A login is a session cookie (HttpOnly, SameSite=Strict) or an API token (`Authorization: Bearer pgt_…`). For
 * cookie sessions every state-changing request must also come from our own origin (Origin, else Referer) and
 * carry the session's CSRF token (form field `csrf` or header `x-csrf-token`); API tokens send no cookie, so no
 * CSRF applies. A session ends when its account's password or role changes or the account is removed, also when
 * that happened in another process (`postguard admin add`): the credential stamp taken at login no longer matches.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows, type AccountStore, type Principal, type Role } from './accounts.js';
import { HttpError } from './errors.js';
import { csrfMatches, type Session, type SessionStore } from './sessions.js';

export type RouteRole = Role | 'public';
export const SESSION_COOKIE = 'pg_session';

export interface Auth {
  principal: Principal;
  /** Present for cookie sessions (CSRF applies); absent for API tokens. */
  session?: Session;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; required on every route (routes without it are refused). */
    role?: RouteRole;
  }
  interface FastifyRequest {
    auth: Auth | null;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isApiRequest(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/');
}

function headerString(req: FastifyRequest, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

function safeOrigin(referer: string): string | undefined {
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

export interface SecurityOptions {
  accounts: AccountStore;
  sessions: SessionStore;
  /** Base URL as browsers reach the console: its origin is allowed too. */
  publicOrigin?: string;
}

export function originAllowed(req: FastifyRequest, publicOrigin?: string): boolean {
  const origin = headerString(req, 'origin') || (req.headers.referer ? safeOrigin(req.headers.referer) : undefined);
  if (!origin || origin === 'null') return false;
  const host = req.headers.host;
  return (
    (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) || origin === publicOrigin
  );
}

export function installSecurity(app: FastifyInstance, opts: SecurityOptions): void {
  const { accounts, sessions } = opts;

  const authenticate = async (req: FastifyRequest): Promise<Auth | null> => {
    const authz = req.headers.authorization;
    if (authz?.startsWith('Bearer ')) {
      const principal = await accounts.checkToken(authz.slice(7).trim());
      return principal ? { principal } : null;
    }
    const session = sessions.get(req.cookies[SESSION_COOKIE]);
    if (!session) return null;
    const stamp = await accounts.credentialStamp(session.principal.name);
    if (stamp !== session.stamp) {
      // removed, demoted/promoted or given a new password: the session ends at once, not at its expiry
      sessions.destroy(session.token);
      return null;
    }
    return { principal: session.principal, session };
  };

  app.decorateRequest('auth', null);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.is404) return; // the not-found handler answers 404 and shows nothing
    const role = req.routeOptions.config.role;
    if (!role) throw new HttpError(403, 'this route declares no role and is refused');
    if (role === 'public') return;
    const auth = await authenticate(req);
    if (!auth) {
      if (req.method === 'GET' && !isApiRequest(req)) return reply.redirect('/login', 303);
      throw new HttpError(401, 'login required');
    }
    req.auth = auth;
    if (!roleAllows(auth.principal.role, role)) throw new HttpError(403, `this needs the ${role} role`);
    if (STATE_CHANGING.has(req.method) && auth.session && !originAllowed(req, opts.publicOrigin)) {
      throw new HttpError(403, 'cross-origin request refused');
    }
    return undefined;
  });

  // The CSRF token can sit in the (parsed) form body, so it is checked once the body is read, before validation.
  app.addHook('preValidation', async (req: FastifyRequest) => {
    const session = req.auth?.session;
    if (!session || !STATE_CHANGING.has(req.method)) return;
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body && typeof body === 'object' && typeof body.csrf === 'string' ? body.csrf : '';
    if (!csrfMatches(session, fromBody || headerString(req, 'x-csrf-token')))
      throw new HttpError(403, 'missing or invalid CSRF token');
  });
}

/** The audit actor of a login: `admin:<name>` for console sessions, `api:<name>` for API tokens. */
export function actorOf(auth: Auth): string {
  return `${auth.principal.via === 'token' ? 'api' : 'admin'}:${auth.principal.name}`;
}

/** The request's login (set by the onRequest hook on every non-public route). */
export function authOf(req: FastifyRequest): Auth {
  if (!req.auth) throw new HttpError(401, 'login required');
  return req.auth;
}
