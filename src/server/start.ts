/**
 * `serve` composition: builds every stage from the config and starts the relay and the admin console.
 *   directory (embedded | Redis) + policies (hot reload) → inspector (parse → detect → decide)
 *   quarantine (encrypted, durable) + notices + metrics → relay transaction hooks
 *   admin console/API on adminListen
 */
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AccountStore } from '../admin/accounts.js';
import { openAudit } from '../admin/audit.js';
import { startAdminServer, type AdminServer } from '../admin/server.js';
import { resolvePoliciesDir } from '../config/policies-dir.js';
import type { Config } from '../config/load.js';
import { redactConfig } from '../config/load.js';
import { createLogger } from '../core/logger.js';
import type { InboundMessage } from '../core/types.js';
import { FileRecipientMemory, PolicyWatcher, RedisRecipientMemory, type RecipientMemory } from '../decide/index.js';
import { createUpstream, describeUpstream } from '../deliver/index.js';
import { openDirectory, type Directory } from '../directory/index.js';
import { createInspector, type InspectorDeps } from '../inspect/inspector.js';
import { passThroughInspector } from '../inspect/pass-through.js';
import { Metrics } from '../metrics/metrics.js';
import { createLinkSigner } from '../notify/signer.js';
import { notifyHold } from '../notify/notice.js';
import { closeExtractionPool } from '../parse/sandbox/pool.js';
import { openQuarantine, type QuarantineRecord, type QuarantineStore } from '../quarantine/index.js';
import { startRelay, type RunningRelay } from '../relay/relay.js';
import { readiness } from './readiness.js';

export interface RunningServer {
  logger: Logger;
  relay: RunningRelay;
  directory: Directory;
  quarantine: QuarantineStore;
  policies: PolicyWatcher;
  metrics: Metrics;
  admin?: AdminServer;
  reload(): void;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  logger.debug({ config: redactConfig(config) }, 'configuration');
  const dataDir = resolve(config.dataDir);
  const redisUrl = config.redis || undefined;
  const hostname = config.hostname || osHostname();
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };

  try {
    closers.push(() => closeExtractionPool());
    // directory
    // With --directory files, a store of an older key format is opened empty and replaced by the first import;
    // without them it fails to open (EPG_DIRECTORY_KEY_FORMAT): matching against stale keys would miss silently.
    const staleKeys = config.directory.length ? 'open' : 'fail';
    const directory = await openDirectory({ dataDir, redis: redisUrl, redisPrefix: config.redisPrefix, secret: config.directorySecret || undefined, columns: config.directoryColumns, staleKeys, logger });
    closers.push(() => directory.close());
    for (const file of config.directory) {
      await directory.import(resolve(file), { mode: 'upsert' }); // logs its own report
    }

    // policies
    const policiesDir = resolvePoliciesDir(config.policies);
    const policies = new PolicyWatcher(policiesDir, { logger });
    await policies.start();
    closers.push(async () => policies.close());
    if (config.monitor) logger.warn('monitor mode: messages that policies would hold or reject are delivered and tagged');

    // first-time recipient memory
    let memory: RecipientMemory;
    let redis: Redis | undefined;
    if (redisUrl) {
      redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
      closers.push(async () => redis!.quit());
      memory = new RedisRecipientMemory(redis, { prefix: config.redisPrefix, secret: config.directorySecret });
    } else {
      memory = await FileRecipientMemory.open(dataDir, { secret: config.directorySecret || undefined });
    }

    // quarantine, notices, metrics
    const quarantine = await openQuarantine({ dataDir, redis: redisUrl, redisPrefix: config.redisPrefix, key: config.quarantineKey || undefined, retentionDays: config.retentionDays, logger });
    closers.push(() => quarantine.close());
    const purge = setInterval(() => void quarantine.purge().catch((err: Error) => logger.warn({ err: err.message }, 'quarantine purge failed')), 3_600_000);
    purge.unref();
    closers.push(async () => clearInterval(purge));
    const signer = createLinkSigner(quarantine.deriveSecret('release-link'));
    const metrics = new Metrics({ defaultMetrics: true });
    metrics.setQuarantineSource(() => quarantine.counts());
    const upstream = createUpstream(config);
    const publicUrl = config.publicUrl || `http://${config.adminListen || '127.0.0.1:8025'}`;
    const noticeFrom = config.noticeFrom || `postguard@${hostname}`;

    // inspector: parse → detect → decide; the subject is kept for the quarantine record (encrypted there)
    const subjects = new WeakMap<InboundMessage, string>();
    const deps: InspectorDeps = { directory, internalDomains: config.internalDomains, scanTimeoutMs: config.limits.scanTimeout, policy: () => policies.current(), monitor: config.monitor, memory };
    const inspector = createInspector(deps, (message, scan, verdict) => {
      if (verdict.action === 'quarantine') subjects.set(message, scan.parsed.subject);
    });

    if (!config.scanning) logger.warn('scanning is OFF: messages are forwarded without inspection');
    const relay = await startRelay(config, {
      logger,
      inspector: config.scanning ? inspector : passThroughInspector,
      upstream,
      quarantine: { hold: (message, verdict) => quarantine.hold(message, verdict, { subject: subjects.get(message) }) },
      hooks: {
        onHeld: async (_message, _verdict, record) => {
          await notifyHold(upstream, record as QuarantineRecord, { from: noticeFrom, publicUrl, signer, logger });
        },
        onDelivered: async (message, _verdict, result) => {
          const external = message.envelope.rcptTo.filter((a) => result.accepted.some((x) => x.toLowerCase() === a.toLowerCase()));
          const internal = new Set(config.internalDomains);
          await memory.record(external.filter((a) => !internal.has(a.slice(a.lastIndexOf('@') + 1).toLowerCase())));
        },
        onFinished: (s) => {
          metrics.observeMessage(s.verdict === 'error' ? 'deliver' : s.verdict, s.scanMs, s.deliverMs, s.rules);
          if (s.reply.code === 451 && s.reply.enhanced === '4.4.1') metrics.upstreamError('temporary');
        },
      },
    });
    closers.push(() => relay.close());
    logger.info({ smtp: `${relay.address.host}:${relay.address.port}`, upstream: describeUpstream(config.upstream), customers: directory.stats().customers }, 'postguard relay listening');

    let admin: AdminServer | undefined;
    if (config.adminListen) {
      const audit = await openAudit({ dataDir, redis: redisUrl, redisPrefix: config.redisPrefix, logger });
      admin = await startAdminServer({
        listen: config.adminListen,
        store: quarantine,
        upstream,
        accounts: AccountStore.forDataDir(dataDir),
        audit,
        metrics,
        readiness: () => readiness(upstream, quarantine, dataDir, Boolean(redisUrl)),
        publicUrl,
        signer,
        logger,
      });
      closers.push(() => admin!.close());
    }

    return {
      logger,
      relay,
      directory,
      quarantine,
      policies,
      metrics,
      admin,
      reload() {
        logger.info('SIGHUP: reloading policies');
        void policies.reload();
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
