/** Starts the admin HTTP application (app.ts) on HOST:PORT and stops it. */
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { FailureBudget } from '../core/failure-budget.js';
import type { Upstream } from '../deliver/types.js';
import type { Journal } from '../journal/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { LinkSigner } from '../notify/signer.js';
import type { QuarantineStore } from '../quarantine/types.js';
import type { AccountStore } from './accounts.js';
import { buildAdminApp } from './app.js';
import { SessionStore } from './sessions.js';

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
  /** Proxies (IPs or CIDRs, config admin.trustedProxies) whose X-Forwarded-For names the client address. */
  trustedProxies?: string[];
  /** The verdict journal: customer and incident pages, statistics across restarts and relays. Optional. */
  journal?: Journal;
}

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

/** Failed console logins counted per client address and per account name (attempts in flight included). */
export const LOGIN_LIMITS = { perAddress: 10, perAccount: 10, windowMs: 15 * 60 * 1000 };

function parseListen(listen: string): { host: string; port: number } {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(listen.trim());
  if (!m)
    throw new PostguardError(ErrorCodes.CONFIG_INVALID, `adminListen must be HOST:PORT, got ${listen}`, {
      details: { key: 'adminListen' },
    });
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const app = await buildAdminApp(
    {
      store: opts.store,
      upstream: opts.upstream,
      accounts: opts.accounts,
      audit: opts.audit,
      metrics: opts.metrics,
      signer: opts.signer,
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.journal ? { journal: opts.journal } : {}),
      sessions: new SessionStore(opts.sessionTtlMs),
      loginBudget: new FailureBudget(LOGIN_LIMITS),
      readiness: opts.readiness,
      secureCookie: opts.publicUrl?.startsWith('https:') ?? false,
      ...(opts.publicUrl ? { publicOrigin: new URL(opts.publicUrl).origin } : {}),
    },
    { ...(opts.trustedProxies ? { trustedProxies: opts.trustedProxies } : {}) },
  );
  const { host, port } = parseListen(opts.listen);
  await app.listen({ host, port });
  const addr = app.server.address();
  const a = typeof addr === 'object' && addr ? addr : { address: host, port, family: 'IPv4' };
  const url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  opts.logger?.info({ url }, 'admin console listening');
  return {
    url,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
