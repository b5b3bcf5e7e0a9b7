/** A full admin server on real sockets: store (file or Redis), audit, accounts, SMTP sink upstream. */
import path from 'node:path';
import { AccountStore } from '../../src/admin/accounts.js';
import { openAudit, type AuditLog } from '../../src/audit/index.js';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import type { Upstream } from '../../src/deliver/types.js';
import { JournalRecorder, openJournal, type Journal } from '../../src/journal/index.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { createLinkSigner, type LinkSigner } from '../../src/notify/signer.js';
import { openQuarantine, type QuarantineStore } from '../../src/quarantine/index.js';
import {
  cleanupRedis,
  REDIS_URL,
  redisPrefix,
  sinkUpstream,
  startSink,
  tempDir,
  TEST_KEY,
  type Sink,
} from '../quarantine/helpers.js';

export const PASSWORDS = { alice: 'alice-password-1', rita: 'rita-password-1', victor: 'victor-password-1' };

export interface Env {
  dir: string;
  store: QuarantineStore;
  audit: AuditLog;
  accounts: AccountStore;
  sink: Sink;
  upstream: Upstream & { sends: number };
  signer: LinkSigner;
  metrics: Metrics;
  server: AdminServer;
  /** With `journal: true`: the file journal in dir, fed with the store's transitions by `recorder`. */
  journal?: Journal;
  recorder?: JournalRecorder;
  ready: Record<string, boolean>;
  close(): Promise<void>;
}

export interface EnvOptions {
  backend?: 'file' | 'redis';
  prefix?: string;
  sink?: Sink;
  withAccounts?: boolean;
  /** Use this account store class (e.g. one that counts password checks) on the env's admins.json. */
  accountStore?: typeof AccountStore;
  trustedProxies?: string[];
  /** Open a verdict journal in the data dir and give it to the admin server. */
  journal?: boolean;
}

export async function startEnv(opts: EnvOptions = {}): Promise<Env> {
  const t = await tempDir();
  const prefix = opts.prefix ?? redisPrefix();
  const redis = opts.backend === 'redis' ? { redis: REDIS_URL, redisPrefix: prefix } : {};
  const store = await openQuarantine({ dataDir: t.dir, key: TEST_KEY, ...redis });
  const audit = await openAudit({ dataDir: t.dir, ...redis });
  const accounts = new (opts.accountStore ?? AccountStore)(path.join(t.dir, 'admins.json'));
  if (opts.withAccounts !== false) {
    await accounts.add('alice', 'admin', PASSWORDS.alice);
    await accounts.add('rita', 'releaser', PASSWORDS.rita);
    await accounts.add('victor', 'viewer', PASSWORDS.victor);
  }
  const ownSink = !opts.sink;
  const sink = opts.sink ?? (await startSink());
  const upstream = sinkUpstream(sink.port);
  const signer = createLinkSigner(store.deriveSecret('release-link'));
  const metrics = new Metrics();
  metrics.setQuarantineSource(() => store.counts());
  const ready: Record<string, boolean> = { store: true, upstream: true };
  const journal = opts.journal ? await openJournal({ dataDir: t.dir }) : undefined;
  const recorder = journal ? new JournalRecorder(journal, { relay: 'relay.test' }) : undefined;
  recorder?.watch(store);
  const server = await startAdminServer({
    listen: '127.0.0.1:0',
    store,
    upstream,
    accounts,
    audit,
    metrics,
    readiness: async () => ({ ...ready }),
    signer,
    ...(opts.trustedProxies ? { trustedProxies: opts.trustedProxies } : {}),
    ...(journal ? { journal } : {}),
  });
  return {
    dir: t.dir,
    store,
    audit,
    accounts,
    sink,
    upstream,
    signer,
    metrics,
    server,
    ...(journal && recorder ? { journal, recorder } : {}),
    ready,
    async close() {
      await server.close();
      await upstream.close();
      if (ownSink) await sink.close();
      await store.close();
      await journal?.close();
      await audit.close();
      if (opts.backend === 'redis' && !opts.prefix) await cleanupRedis(prefix);
      await t.cleanup();
    },
  };
}

/** Logs in through the JSON API; returns the cookie and CSRF token. */
export async function apiLogin(url: string, name: keyof typeof PASSWORDS): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: PASSWORDS[name] }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrf } = (await res.json()) as { csrf: string };
  return { cookie, csrf };
}
