/**
 * The admin server: web console (server-rendered, no scripts), JSON API under /api, release-request links for
 * agents, and the operational endpoints.
 *
 * Open without login: /login, /console.css, /healthz, /readyz, /metrics, and /request/<id> (authorised by its
 * HMAC signature). /metrics carries counts only (verdicts, rule ids, durations; never addresses or content): it
 * is open so Prometheus can scrape it; bind adminListen to loopback or a private network, or filter it at the
 * proxy, when that matters. Everything else needs a session cookie (plus the CSRF token and a same-origin Origin
 * on every state-changing request) or an API token (`Authorization: Bearer pgt_…`, no cookie, so no CSRF).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { maskAddress } from '../core/address.js';
import { ErrorCodes, isPostguardError, PostguardError } from '../core/errors.js';
import { FailureBudget } from '../core/failure-budget.js';
import type { Upstream } from '../deliver/types.js';
import type { Metrics } from '../metrics/metrics.js';
import type { LinkSigner } from '../notify/signer.js';
import { deleteMessage, releaseMessage, requestRelease } from '../quarantine/release.js';
import type { ListFilter, QuarantineRecord, QuarantineStatus, QuarantineStore } from '../quarantine/types.js';
import { QUARANTINE_STATUSES } from '../quarantine/types.js';
import { roleAllows, type AccountStore, type Principal, type Role } from './accounts.js';
import { auditToCsv, auditToJsonLines, type AuditLog } from '../audit/index.js';
import { attachmentNames, renderBodyDocument } from './body.js';
import {
  BODY_CSP,
  field,
  fieldList,
  parseCookies,
  readFields,
  redirect,
  securityHeaders,
  send,
  sendHtml,
  sendJson,
} from './http.js';
import { csrfMatches, SessionStore, type Session } from './sessions.js';
import { auditPage, CSS, errorPage, listPage, loginPage, messagePage, requestPage, type ListQuery } from './views.js';

export interface AdminServerOptions {
  /** HOST:PORT; port 0 picks a free one. */
  listen: string;
  store: QuarantineStore;
  upstream: Upstream;
  accounts: AccountStore;
  audit: AuditLog;
  metrics: Metrics;
  readiness: () => Promise<Record<string, boolean>>;
  /** Base URL as browsers reach the console (links in notices, extra allowed Origin). */
  publicUrl?: string;
  signer: LinkSigner;
  logger?: Logger;
  sessionTtlMs?: number;
}

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

const COOKIE = 'pg_session';
/** Failed console logins counted per client address and per account name (attempts in flight included). */
export const LOGIN_LIMITS = { perAddress: 10, perAccount: 10, windowMs: 15 * 60 * 1000 };

interface Auth {
  principal: Principal;
  /** Present for cookie sessions (CSRF applies); absent for API tokens. */
  session?: Session;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseListen(listen: string): { host: string; port: number } {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(listen.trim());
  if (!m) throw new PostguardError(ErrorCodes.CONFIG_INVALID, `adminListen must be HOST:PORT, got ${listen}`, { details: { key: 'adminListen' } });
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
}

/** Maps store/usage errors to HTTP statuses with messages that carry no customer data. */
function httpStatusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (isPostguardError(err, ErrorCodes.QUARANTINE_NOT_FOUND)) return 404;
  if (isPostguardError(err, ErrorCodes.QUARANTINE_STATE)) return 409;
  if (isPostguardError(err, ErrorCodes.USAGE)) return 400;
  if (isPostguardError(err, ErrorCodes.ADMIN_AUTH)) return 403;
  if (isPostguardError(err, ErrorCodes.UPSTREAM_TEMPORARY) || isPostguardError(err, ErrorCodes.UPSTREAM_PERMANENT)) return 502;
  return 500;
}

function publicMessage(err: unknown): string {
  const status = httpStatusOf(err);
  return status === 500 ? 'internal error' : err instanceof Error ? err.message : String(err);
}

/** The API view of a record: masked addresses, no subject, no decrypted envelope. */
function apiRecord(r: QuarantineRecord): Record<string, unknown> {
  return { id: r.id, heldAt: r.heldAt, expiresAt: r.expiresAt, status: r.status, masked: r.masked, client: r.client, verdict: r.verdict, size: r.size, history: r.history };
}

function parseDate(s: string | null, endOfDay = false): Date | undefined {
  if (!s) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : s);
  if (Number.isNaN(d.getTime())) throw new HttpError(400, 'invalid date');
  return d;
}

function listFilter(params: URLSearchParams): { filter: ListFilter; query: ListQuery } {
  const status = params.get('status') ?? '';
  if (status && !QUARANTINE_STATUSES.includes(status as QuarantineStatus)) throw new HttpError(400, 'unknown status');
  const filter: ListFilter = { limit: Math.min(Number(params.get('limit')) || 500, 5000) };
  const query: ListQuery = {};
  if (status) filter.status = query.status = status as QuarantineStatus;
  const rule = params.get('rule')?.trim();
  if (rule) filter.rule = query.rule = rule;
  const sender = params.get('sender')?.trim();
  if (sender) filter.sender = query.sender = sender;
  const since = parseDate(params.get('since'));
  if (since) {
    filter.since = since;
    query.since = params.get('since') ?? '';
  }
  const until = parseDate(params.get('until'), true);
  if (until) {
    filter.until = until;
    query.until = params.get('until') ?? '';
  }
  return { filter, query };
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const { store, upstream, accounts, audit, metrics, signer, logger } = opts;
  const sessions = new SessionStore(opts.sessionTtlMs);
  const loginBudget = new FailureBudget(LOGIN_LIMITS);
  const secureCookie = opts.publicUrl?.startsWith('https:') ?? false;
  const publicOrigin = opts.publicUrl ? new URL(opts.publicUrl).origin : undefined;

  const originAllowed = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin ?? (req.headers.referer ? safeOrigin(req.headers.referer) : undefined);
    if (!origin || origin === 'null') return false;
    const host = req.headers.host;
    return (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) || origin === publicOrigin;
  };

  const authenticate = async (req: IncomingMessage): Promise<Auth | null> => {
    const authz = req.headers.authorization;
    if (authz?.startsWith('Bearer ')) {
      const principal = await accounts.checkToken(authz.slice(7).trim());
      return principal ? { principal } : null;
    }
    const session = sessions.get(parseCookies(req.headers.cookie)[COOKIE]);
    if (!session) return null;
    // An account removed or demoted with `postguard admin` loses its rights at once, not at session expiry.
    const role = await accounts.roleOf(session.principal.name);
    if (!role) {
      sessions.destroy(session.token);
      return null;
    }
    session.principal.role = role;
    return { principal: session.principal, session };
  };

  /** Requires a login with at least `role`; for state changes also CSRF token + Origin (cookie sessions). */
  const authorize = (auth: Auth | null, role: Role, stateChanging: boolean, csrf?: string): Auth => {
    if (!auth) throw new HttpError(401, 'login required');
    if (!roleAllows(auth.principal.role, role)) throw new HttpError(403, `this needs the ${role} role`);
    if (stateChanging && auth.session && !csrfMatches(auth.session, csrf)) throw new HttpError(403, 'missing or invalid CSRF token');
    return auth;
  };

  const actor = (a: Auth) => `${a.principal.via === 'token' ? 'api' : 'admin'}:${a.principal.name}`;

  const doLogin = async (req: IncomingMessage, res: ServerResponse, name: string, password: string): Promise<Session | null> => {
    const ip = req.socket.remoteAddress ?? '';
    const attempt = loginBudget.reserve(ip, name.slice(0, 64));
    if (!attempt.ok) throw new HttpError(429, 'too many failed logins; try again later');
    let principal: Principal | null;
    try {
      principal = name && password ? await accounts.checkPassword(name, password) : null;
    } catch (err) {
      attempt.reservation.cancel();
      throw err;
    }
    if (!principal) {
      attempt.reservation.failed();
      await audit.append({ actor: `admin:${name.slice(0, 64) || '?'}`, action: 'login-failed', details: { ip } });
      return null;
    }
    attempt.reservation.succeeded();
    const s = sessions.create(principal);
    res.setHeader(
      'Set-Cookie',
      `${COOKIE}=${s.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor((s.expires - Date.now()) / 1000)}${secureCookie ? '; Secure' : ''}`,
    );
    await audit.append({ actor: `admin:${principal.name}`, action: 'login', details: { ip } });
    return s;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const p = url.pathname;
    const method = req.method ?? 'GET';
    const isApi = p.startsWith('/api/');
    securityHeaders(res);

    // --- open endpoints ------------------------------------------------------------------------------
    if (p === '/healthz') return send(res, 200, 'ok\n', 'text/plain; charset=utf-8');
    if (p === '/readyz') {
      let checks: Record<string, boolean>;
      try {
        checks = await opts.readiness();
      } catch {
        checks = { readiness: false };
      }
      const ready = Object.values(checks).every(Boolean);
      return sendJson(res, ready ? 200 : 503, { ready, checks });
    }
    if (p === '/metrics') return send(res, 200, await metrics.render(), metrics.contentType());
    if (p === '/console.css') return send(res, 200, CSS, 'text/css; charset=utf-8');

    const requestMatch = /^\/request\/([^/]+)$/.exec(p);
    if (requestMatch) return handleRequestLink(req, res, decodeURIComponent(requestMatch[1] ?? ''), url, method);

    if (p === '/login' && method === 'GET') return sendHtml(res, 200, loginPage());
    if (p === '/login' && method === 'POST') {
      if (!originAllowed(req)) throw new HttpError(403, 'cross-origin request refused');
      const f = await readFields(req);
      try {
        const s = await doLogin(req, res, field(f, 'name'), field(f, 'password'));
        if (s) return redirect(res, '/messages');
      } catch (err) {
        if (err instanceof HttpError && err.status === 429) return sendHtml(res, 429, loginPage(err.message));
        throw err;
      }
      return sendHtml(res, 401, loginPage('Wrong name or password.'));
    }
    if (p === '/api/login' && method === 'POST') {
      if (!originAllowed(req) && req.headers.origin !== undefined) throw new HttpError(403, 'cross-origin request refused');
      const f = await readFields(req);
      const s = await doLogin(req, res, field(f, 'name'), field(f, 'password'));
      if (!s) throw new HttpError(401, 'wrong name or password');
      return sendJson(res, 200, { name: s.principal.name, role: s.principal.role, csrf: s.csrf, expires: new Date(s.expires).toISOString() });
    }

    // --- everything else needs a login --------------------------------------------------------------
    const auth = await authenticate(req);
    if (!auth) {
      if (isApi || method !== 'GET') throw new HttpError(401, 'login required');
      return redirect(res, '/login');
    }
    if (method === 'POST') {
      // Cookie sessions: same-origin requests only (plus the CSRF token, checked per action below).
      if (auth.session && !originAllowed(req)) throw new HttpError(403, 'cross-origin request refused');
    } else if (method !== 'GET' && method !== 'HEAD') {
      throw new HttpError(405, 'method not allowed');
    }

    if (p === '/logout' && method === 'POST') {
      const f = await readFields(req);
      authorize(auth, 'viewer', true, field(f, 'csrf'));
      if (auth.session) sessions.destroy(auth.session.token);
      res.setHeader('Set-Cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      return redirect(res, '/login');
    }
    if (p === '/api/session') return sendJson(res, 200, { name: auth.principal.name, role: auth.principal.role, csrf: auth.session?.csrf ?? null });

    const who = auth.session ? { principal: auth.principal, csrf: auth.session.csrf } : { principal: auth.principal, csrf: '' };

    if ((p === '/' || p === '/messages') && method === 'GET') {
      if (p === '/') return redirect(res, '/messages');
      const { filter, query } = listFilter(url.searchParams);
      return sendHtml(res, 200, listPage(await store.list(filter), query, who));
    }
    if (p === '/api/messages' && method === 'GET') {
      const { filter } = listFilter(url.searchParams);
      return sendJson(res, 200, { messages: (await store.list(filter)).map(apiRecord) });
    }

    const msgMatch = /^\/(api\/)?messages\/([^/]+)(?:\/(body|release|delete))?$/.exec(p);
    if (msgMatch) {
      const id = decodeURIComponent(msgMatch[2] ?? '');
      const action = msgMatch[3];
      if (!action && method === 'GET') {
        const rec = await store.get(id);
        if (isApi) return sendJson(res, 200, apiRecord(rec));
        const names = rec.status === 'deleted' || rec.status === 'expired' ? [] : await attachmentNames(await store.getRaw(id));
        const flash: { notice?: string } = {};
        const notice = url.searchParams.get('notice');
        if (notice) flash.notice = notice;
        return sendHtml(res, 200, messagePage(rec, names, who, flash));
      }
      if (action === 'body' && method === 'GET' && !isApi) {
        const doc = await renderBodyDocument(await store.getRaw(id));
        securityHeaders(res, BODY_CSP, 'SAMEORIGIN');
        return sendHtml(res, 200, doc);
      }
      if ((action === 'release' || action === 'delete') && method === 'POST') {
        const f = await readFields(req);
        const a = authorize(auth, 'releaser', true, field(f, 'csrf') || headerString(req, 'x-csrf-token'));
        try {
          let rec: QuarantineRecord;
          if (action === 'release') {
            const to = fieldList(f, 'to');
            const out = await releaseMessage(store, upstream, id, { actor: actor(a), reason: field(f, 'reason'), ...(to.length ? { to } : {}) }, audit);
            rec = out.record;
            logger?.info({ id, actor: actor(a), to: to.map(maskAddress) }, 'quarantined message released from the console');
          } else {
            rec = await deleteMessage(store, id, { actor: actor(a), reason: field(f, 'reason') }, audit);
          }
          if (isApi) return sendJson(res, 200, apiRecord(rec));
          return redirect(res, `/messages/${encodeURIComponent(id)}?notice=${action === 'release' ? 'released' : 'deleted'}`);
        } catch (err) {
          if (isApi || isPostguardError(err, ErrorCodes.QUARANTINE_NOT_FOUND)) throw err;
          const rec = await store.get(id);
          const names = rec.status === 'deleted' || rec.status === 'expired' ? [] : await attachmentNames(await store.getRaw(id));
          return sendHtml(res, httpStatusOf(err), messagePage(rec, names, who, { error: publicMessage(err) }));
        }
      }
    }

    if ((p === '/audit' || p === '/api/audit') && method === 'GET') {
      const limit = Math.min(Number(url.searchParams.get('limit')) || 500, 10_000);
      const messageId = url.searchParams.get('message') ?? undefined;
      const entries = await audit.list({ limit, ...(messageId ? { messageId } : {}) });
      if (isApi) return sendJson(res, 200, { entries });
      return sendHtml(res, 200, auditPage(entries, who));
    }
    if ((p === '/audit/export' || p === '/api/audit/export') && method === 'GET') {
      const a = authorize(auth, 'admin', false);
      const entries = (await audit.list()).reverse(); // oldest first in exports
      const format = url.searchParams.get('format') === 'csv' ? 'csv' : 'jsonl';
      await audit.append({ actor: actor(a), action: 'audit-export', details: { format, entries: entries.length } });
      const stamp = new Date().toISOString().slice(0, 10);
      return format === 'csv'
        ? send(res, 200, auditToCsv(entries), 'text/csv; charset=utf-8', { 'Content-Disposition': `attachment; filename="postguard-audit-${stamp}.csv"` })
        : send(res, 200, auditToJsonLines(entries), 'application/x-ndjson; charset=utf-8', {
            'Content-Disposition': `attachment; filename="postguard-audit-${stamp}.jsonl"`,
          });
    }
    throw new HttpError(404, 'not found');
  };

  /** GET shows the form, POST records the request. The signature is the credential; Origin must be ours. */
  const handleRequestLink = async (req: IncomingMessage, res: ServerResponse, id: string, url: URL, method: string): Promise<void> => {
    if (method === 'GET') {
      const exp = url.searchParams.get('exp') ?? '';
      const sig = url.searchParams.get('sig') ?? '';
      if (!signer.verify(id, exp, sig)) throw new HttpError(403, 'this link is invalid or has expired');
      const rec = await store.get(id);
      return sendHtml(res, 200, requestPage(rec, exp, sig, rec.status === 'held' ? 'form' : 'closed'));
    }
    if (method !== 'POST') throw new HttpError(405, 'method not allowed');
    if (!originAllowed(req)) throw new HttpError(403, 'cross-origin request refused');
    const f = await readFields(req);
    const exp = field(f, 'exp');
    const sig = field(f, 'sig');
    if (!signer.verify(id, exp, sig)) throw new HttpError(403, 'this link is invalid or has expired');
    const rec = await store.get(id);
    if (rec.status !== 'held') return sendHtml(res, 409, requestPage(rec, exp, sig, 'closed'));
    const justification = field(f, 'justification');
    if (!justification.trim()) return sendHtml(res, 400, requestPage(rec, exp, sig, 'form', 'Please give a justification.'));
    const actor = rec.envelope.mailFrom ? `sender:${maskAddress(rec.envelope.mailFrom)}` : 'sender';
    const updated = await requestRelease(store, id, { justification, actor }, audit);
    logger?.info({ id }, 'release requested by the sender');
    return sendHtml(res, 200, requestPage(updated, exp, sig, 'done'));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = httpStatusOf(err);
      if (status === 500) logger?.error({ err: err instanceof Error ? err.message : String(err), path: (req.url ?? '').split('?')[0] }, 'admin request failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      securityHeaders(res);
      const wantsJson = (req.url ?? '').startsWith('/api/') || (req.headers.accept ?? '').includes('application/json');
      if (wantsJson) sendJson(res, status, { error: publicMessage(err) });
      else sendHtml(res, status, errorPage(status, publicMessage(err)));
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  const { host, port } = parseListen(opts.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  logger?.info({ url }, 'admin console listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function safeOrigin(referer: string): string | undefined {
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

function headerString(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}
