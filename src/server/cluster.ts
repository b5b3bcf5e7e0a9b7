/**
 * Several relay processes sharing the SMTP port (node:cluster), so scanning uses every core.
 *
 * - The primary imports the --directory files once, runs the admin console/API (one place for sessions and the
 *   audit log) and aggregates the workers' metrics; it restarts a worker that dies.
 * - Each worker runs the relay: its own directory index loaded from the shared store, the shared quarantine
 *   (atomic, lock-protected file store or Redis), the same policies (reloaded on SIGHUP, forwarded by the primary).
 * - SIGTERM/SIGINT: the primary tells every worker to finish its transactions and stop, then exits.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from 'pino';
import type { AdminServer } from '../admin/server.js';
import type { Config } from '../config/load.js';
import { createUpstream } from '../deliver/index.js';
import { openDirectory } from '../directory/index.js';
import { Metrics } from '../metrics/metrics.js';
import { createLinkSigner } from '../notify/signer.js';
import { openQuarantine } from '../quarantine/index.js';
import { journalTransitions, openJournal } from '../journal/index.js';
import { readiness } from './readiness.js';
import { startConfiguredSync } from '../directory/sync/schedule.js';
import { openRecipientMemory, secureStartup, startServer } from './start.js';

/** Number of relay processes: `workers` (0 = one per core). */
export function workerCount(config: Pick<Config, 'workers'>): number {
  return config.workers > 0 ? config.workers : Math.max(1, availableParallelism());
}

/** V8's young generation for relay workers, in MB (`--max-semi-space-size`; V8's own default here is 16). */
export const WORKER_SEMI_SPACE_MB = 4;

/**
 * The node flags relay workers start with: the primary's own, plus a young generation of WORKER_SEMI_SPACE_MB. A
 * relay's young objects are mostly the messages in flight, so the default 16 MB mostly lengthens each scavenge's
 * pause. With 4 MB the pauses are shorter and more frequent: in five paired runs of the relay benchmark the p99
 * time-to-250 was 8–16 % shorter at -4 to +5 % CPU per message (bench/README.md, "Young generation"). A
 * `--max-semi-space-size` given to node, or in NODE_OPTIONS, is kept instead.
 */
export function workerExecArgv(execArgv: readonly string[], nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].some(
    (a) => a.startsWith('--max-semi-space-size') || a.startsWith('--max_semi_space_size'),
  );
  return given ? [...execArgv] : [...execArgv, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`];
}

/** /metrics of the primary: the workers' counters summed, plus the quarantine gauge read from the store. */
class ClusterMetrics extends Metrics {
  private readonly aggregator = new AggregatorRegistry();

  override async render(): Promise<string> {
    const workers = await this.aggregator.clusterMetrics();
    const gauge = await this.registry.getSingleMetricAsString('postguard_quarantine_messages');
    return `${workers}\n${gauge}\n`;
  }
}

export async function runPrimary(
  config: Config,
  logger: Logger,
  count: number,
): Promise<{ close(): Promise<void>; reload(): void }> {
  const dataDir = resolve(config.dataDir);
  const redis = config.redis || undefined;
  await secureStartup(config, dataDir, logger);
  if (config.directory.length) {
    const directory = await openDirectory({
      dataDir,
      redis,
      redisPrefix: config.redisPrefix,
      secret: config.directorySecret || undefined,
      columns: config.directoryColumns,
      follow: false,
      staleKeys: 'open',
      logger,
    });
    for (const file of config.directory) await directory.import(resolve(file), { mode: 'upsert' });
    await directory.close();
  }
  // directory sync (directorySync.postgres): the primary runs it once for all workers, which follow the store
  const syncDirectory = config.directorySync.postgres
    ? await openDirectory({
        dataDir,
        redis,
        redisPrefix: config.redisPrefix,
        secret: config.directorySecret || undefined,
        columns: config.directoryColumns,
        logger,
      })
    : undefined;
  const sync = syncDirectory ? startConfiguredSync(syncDirectory, config.directorySync, logger) : undefined;
  // An embedded recipient memory of the previous format is converted once here, not by workers racing.
  if (!redis) await (await openRecipientMemory(config, dataDir)).close();
  const quarantine = await openQuarantine({
    dataDir,
    redis,
    redisPrefix: config.redisPrefix,
    key: config.quarantineKey || undefined,
    retentionDays: config.retentionDays,
    releasingTimeoutMs: config.quarantine.releasingTimeout,
    logger,
  });
  // console actions taken in the primary (release, delete, release requests) go to the verdict journal too
  journalTransitions(
    quarantine,
    () =>
      openJournal({ dataDir, postgres: config.journal.postgres || undefined, retentionMs: config.journal.retention }),
    (err, e) =>
      logger.error({ ref: e.ref, event: e.event, err: (err as Error).message }, 'journal write failed; entry lost'),
    config.hostname || undefined,
  );
  const upstream = createUpstream(config);
  const metrics = new ClusterMetrics({ defaultMetrics: false });
  metrics.setQuarantineSource(() => quarantine.counts());
  const purge = setInterval(() => void quarantine.purge().catch(() => undefined), 3_600_000);
  purge.unref();
  // the console reads the verdict journal (customer and incident pages, statistics); one handle for the primary
  const consoleJournal = config.adminListen
    ? await openJournal({
        dataDir,
        postgres: config.journal.postgres || undefined,
        retentionMs: config.journal.retention,
      })
    : undefined;
  // the console (fastify, its plugins and templates) and the audit log are loaded only when it listens
  let admin: AdminServer | undefined;
  if (config.adminListen) {
    const [{ AccountStore }, { openAudit }, { startAdminServer }] = await Promise.all([
      import('../admin/accounts.js'),
      import('../audit/index.js'),
      import('../admin/server.js'),
    ]);
    admin = await startAdminServer({
      listen: config.adminListen,
      trustedProxies: config.admin.trustedProxies,
      store: quarantine,
      upstream,
      accounts: AccountStore.forDataDir(dataDir),
      audit: await openAudit({ dataDir, redis, redisPrefix: config.redisPrefix, logger }),
      metrics,
      readiness: async () => ({
        ...(await readiness(upstream, quarantine, dataDir, Boolean(redis))),
        workers: Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead()).length === count,
      }),
      publicUrl: config.publicUrl || `http://${config.adminListen}`,
      signer: createLinkSigner(quarantine.deriveSecret('release-link')),
      logger,
      ...(consoleJournal ? { journal: consoleJournal } : {}),
    });
  }

  let stopping = false;
  async function closeCluster(): Promise<void> {
    stopping = true;
    clearInterval(purge);
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w && !w.isDead()));
    await Promise.all(
      alive.map(
        (w) =>
          new Promise<void>((done) => {
            w.once('exit', () => done());
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await admin?.close();
    await consoleJournal?.close();
    await sync?.stop();
    await syncDirectory?.close();
    await upstream.close();
    await quarantine.close();
  }
  // Workers accept connections themselves (the kernel spreads them) instead of the primary accepting and
  // passing each handle over IPC, which added a round trip to every SMTP connection.
  if (process.env.POSTGUARD_CLUSTER_SCHED !== 'rr') cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv) });
  const fork = (): Worker => cluster.fork({ POSTGUARD_CLUSTER_WORKER: '1' });
  // The first workers must come up: one that exits before it listens (address in use, bad certificate, …)
  // stops the cluster with an error, instead of a primary that restarts it forever and serves nothing. A worker
  // that dies later is replaced (and a replacement that cannot start is tried again) while the others serve.
  const initial = new Set<Worker>();
  const listening = new WeakSet<Worker>();
  cluster.on('listening', (worker) => listening.add(worker));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (initial.has(worker) && !listening.has(worker)) {
      logger.error({ pid: worker.process.pid, code, signal }, 'relay worker could not start; stopping');
      void closeCluster().finally(() => process.exit(1));
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'relay worker died; starting a new one');
    setTimeout(() => !stopping && fork(), 1000).unref();
  });
  for (let i = 0; i < count; i++) initial.add(fork());
  logger.info({ workers: count, admin: admin?.url }, 'postguard cluster started');

  return {
    reload() {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
    },
    close: closeCluster,
  };
}

export async function runWorker(config: Config, logger: Logger): Promise<{ close(): Promise<void>; reload(): void }> {
  // The primary imported the directory files, runs the directory sync and serves the console.
  const server = await startServer(
    { ...config, directory: [], directorySync: { ...config.directorySync, postgres: '' }, adminListen: '' },
    logger.child({ worker: cluster.worker?.id }),
  );
  // Constructing an AggregatorRegistry in a worker installs prom-client's reply to the primary's metric requests.
  new AggregatorRegistry();
  // The primary reports the quarantine gauge once, from the store; summing it over workers would multiply it.
  server.metrics.registry.removeSingleMetric('postguard_quarantine_messages');
  AggregatorRegistry.setRegistries([server.metrics.registry]);
  return server;
}
