/** Starts a real relay on an ephemeral port with a temp data dir and captures its log lines. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import { startRelay, type RelayParts, type RunningRelay } from '../../src/relay/relay.js';

export interface TestRelay {
  port: number;
  relay: RunningRelay;
  config: Config;
  dataDir: string;
  logs: Record<string, unknown>[];
  logText(): string;
  close(): Promise<void>;
}

export async function startTestRelay(
  flags: Record<string, unknown>,
  parts: Partial<RelayParts> = {},
): Promise<TestRelay> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pg-relay-'));
  const config = loadConfig({
    flags: {
      listen: '127.0.0.1:0',
      dataDir,
      upstream: `dir:${join(dataDir, 'outbox')}`,
      adminListen: '',
      hostname: 'relay.test',
      ...flags,
    },
    env: {},
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const logger = createLogger('debug', sink);
  const relay = await startRelay(config, { logger, ...parts });
  return {
    port: relay.address.port,
    relay,
    config,
    dataDir,
    logs,
    logText: () => logs.map((l) => JSON.stringify(l)).join('\n'),
    async close() {
      await relay.close(2000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small RFC 5322 message with CRLF line endings. */
export function message(
  opts: { from?: string; to?: string; subject?: string; body?: string; headers?: string[] } = {},
): string {
  return [
    `From: ${opts.from ?? 'agent@support.example'}`,
    `To: ${opts.to ?? 'customer@example.com'}`,
    `Subject: ${opts.subject ?? 'Your request'}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@support.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(opts.headers ?? []),
    '',
    ...(opts.body ?? 'Hello,\r\nthanks for your message.\r\n').split(/\r?\n/),
  ].join('\r\n');
}
