/** What the admin routes share: the stores, the sessions, the login budget and the server's settings. */
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import type { FailureBudget } from '../core/failure-budget.js';
import type { Upstream } from '../deliver/types.js';
import type { Journal } from '../journal/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { LinkSigner } from '../notify/signer.js';
import type { QuarantineStore } from '../quarantine/types.js';
import type { AccountStore } from './accounts.js';
import type { SessionStore } from './sessions.js';

export interface AdminContext {
  store: QuarantineStore;
  upstream: Upstream;
  accounts: AccountStore;
  audit: AuditLog;
  metrics: Metrics;
  signer: LinkSigner;
  logger?: Logger;
  sessions: SessionStore;
  loginBudget: FailureBudget;
  readiness: () => Promise<Record<string, boolean>>;
  secureCookie: boolean;
  publicOrigin?: string;
  /** The verdict journal (customer and incident pages, journal-based statistics); absent when not configured. */
  journal?: Journal;
}
