/**
 * The relay: inbound SMTP → transaction (inspect → act) → upstream or quarantine. This module only wires the
 * parts; each stage lives in its own folder.
 */
import { hostname as osHostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { usersFileOf } from '../config/users-file.js';
import type { Inspector } from '../core/types.js';
import { createUpstream } from '../deliver/index.js';
import type { PreparedDelivery, Upstream } from '../deliver/types.js';
import { passThroughInspector } from '../inspect/pass-through.js';
import { NetworkList } from '../smtp/networks.js';
import { InboundServer } from '../smtp/server.js';
import { UserStore } from '../smtp/users.js';
import { runTransaction, type HoldStore, type TransactionHooks } from './transaction.js';

export interface RelayParts {
  logger: Logger;
  inspector?: Inspector;
  upstream?: Upstream;
  quarantine?: HoldStore;
  hooks?: TransactionHooks;
}

export interface RunningRelay {
  address: { host: string; port: number };
  inbound: InboundServer;
  upstream: Upstream;
  close(graceMs?: number): Promise<void>;
}

export async function startRelay(config: Config, parts: RelayParts): Promise<RunningRelay> {
  const upstream = parts.upstream ?? createUpstream(config);
  const inspect = parts.inspector ?? passThroughInspector;
  const hostname = config.hostname || osHostname();
  const inbound = new InboundServer<PreparedDelivery>({
    hostname,
    tls: config.tls.cert ? config.tls : undefined,
    trusted: new NetworkList(config.trustedNetworks),
    users: new UserStore(usersFileOf(config)),
    authRequireTls: config.authRequireTls,
    limits: config.limits,
    bareNewline: config.smtp.bareNewline,
    logger: parts.logger,
    // The upstream transaction opens while the message arrives (upstreamEarlyTransaction), so that after the
    // scan only the body's round trip is left.
    onDataStart:
      config.upstreamEarlyTransaction && upstream.prepare ? (envelope) => upstream.prepare!(envelope) : undefined,
    onMessage: (message, early) =>
      runTransaction(
        message,
        {
          hostname,
          upstream,
          inspect,
          scanTimeoutMs: config.limits.scanTimeout,
          quarantine: parts.quarantine,
          hooks: parts.hooks,
          logger: parts.logger,
        },
        early,
      ),
  });
  const address = await inbound.listen(config.listen);
  return {
    address,
    inbound,
    upstream,
    async close(graceMs = 30_000) {
      await inbound.close(graceMs);
      await upstream.close();
    },
  };
}
