/**
 * The floor relay's scan mode (floor-relay.ts with DATA_DIR and CSV): postguard's own inspector, trace header,
 * transaction log line and first-time-recipient memory around the floor's relaying. Loaded only in that mode, so
 * the plain floor relay stays free of postguard's modules.
 */
import { resolve } from 'node:path';
import { resolvePoliciesDir } from '../../src/config/policies-dir.js';
import { newTransactionId } from '../../src/core/ids.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import type { Envelope } from '../../src/core/types.js';
import { FileRecipientMemory, PolicyWatcher } from '../../src/decide/index.js';
import { prependHeaders, traceHeader } from '../../src/deliver/trace-header.js';
import { openDirectory } from '../../src/directory/index.js';
import { resolveSecret } from '../../src/directory/secret.js';
import { createInspector } from '../../src/inspect/inspector.js';

export interface Scanner {
  /**
   * Parses, detects and decides one message (`raw`: the message without the terminating dot). Resolves with what to
   * send upstream (trace header, message, final dot) and what to do once the upstream accepted it, or with null when
   * the verdict is neither deliver nor tag.
   */
  scan(raw: Buffer, envelope: Envelope, remoteAddress: string): Promise<{ body: Buffer; delivered(): void } | null>;
}

/** Imports the CSV into DATA_DIR once, as postguard's primary does; each worker then opens the index. */
export async function importDirectory(dataDir: string, csv: string): Promise<void> {
  const directory = await openDirectory({ dataDir: resolve(dataDir), follow: false, logger: silentLogger });
  await directory.import(resolve(csv), { mode: 'upsert' });
  await directory.close();
}

export async function openScanner(dataDir: string): Promise<Scanner> {
  const directory = await openDirectory({ dataDir: resolve(dataDir), logger: silentLogger });
  const policies = new PolicyWatcher(resolvePoliciesDir('./policies'), { logger: silentLogger });
  await policies.start();
  const memory = await FileRecipientMemory.open(resolve(dataDir), {
    secret: await resolveSecret({ dataDir: resolve(dataDir) }),
  });
  const inspect = createInspector({
    directory,
    internalDomains: ['support.example'],
    scanTimeoutMs: 20_000,
    policy: () => policies.current(),
    monitor: false,
    memory,
  });
  const log = createLogger('info');
  return {
    async scan(raw, envelope, remoteAddress) {
      const message = {
        id: newTransactionId(),
        envelope,
        client: { remoteAddress, heloName: 'bench.test', secure: false },
        raw,
        receivedAt: new Date(),
      };
      const started = performance.now();
      const verdict = await inspect(message);
      const scanMs = Math.round((performance.now() - started) * 10) / 10;
      if (verdict.action !== 'deliver' && verdict.action !== 'tag') return null;
      const trace = traceHeader({
        id: message.id,
        hostname: 'floor',
        heloName: 'bench.test',
        remoteAddress,
        secure: false,
        authenticated: false,
        date: message.receivedAt,
      });
      return {
        body: Buffer.concat([prependHeaders(raw, trace), Buffer.from('.\r\n')]),
        delivered() {
          log.info(
            {
              tx: message.id,
              client: remoteAddress,
              verdict: verdict.action,
              rules: verdict.rules,
              reply: 250,
              scanMs,
            },
            'transaction',
          );
          void memory.record(envelope.rcptTo).catch(() => undefined);
        },
      };
    },
  };
}
