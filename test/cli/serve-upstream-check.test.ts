/**
 * `postguard serve` checks its upstream at start: a bad one is a warning that names the cause (DNS and a closed
 * port are told apart, where both used to log ECONNECTION), and the relay starts and answers SMTP anyway.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanupChildren, freePort, spawnTracked, tempDir, waitUntil } from '../helpers/child-relay.js';
import { RawSmtp } from '../helpers/smtp-client.js';
import { startSink } from '../helpers/sink.js';

afterEach(() => cleanupChildren());

function serve(upstream: string) {
  const cwd = tempDir('pg-cli-upcheck-');
  return spawnTracked(
    process.execPath,
    [
      BIN,
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--admin-listen',
      '',
      '--upstream',
      upstream,
      '--upstream-timeout',
      '10s',
      '--log-level',
      'info',
    ],
    { cwd },
  );
}

function logLine(out: string, msg: RegExp): Record<string, unknown> {
  const line = out.split('\n').find((l) => msg.test(l));
  return JSON.parse(line!) as Record<string, unknown>;
}

describe('postguard serve: upstream check at start', () => {
  it.each([
    [
      'a host name that does not resolve',
      async () => 'smtp://mail.postguard-test.invalid:25',
      'dns',
      /does not resolve \(DNS\)/,
    ],
    ['a closed port', async () => `smtp://127.0.0.1:${await freePort()}`, 'refused', /refused the connection/],
  ])(
    '%s: a warning naming the cause; the relay still starts and answers',
    async (_name, upstream, problem, text) => {
      const p = serve(await upstream());
      await waitUntil(() => /upstream check failed/.test(p.out()), 60_000, 'upstream check warning');
      const warning = logLine(p.out(), /upstream check failed/);
      expect(warning).toMatchObject({ level: 'warn', problem });
      expect(String(warning.msg)).toMatch(text);
      const port = Number(/"smtp":"127\.0\.0\.1:(\d+)"/.exec(p.out())![1]);
      const c = await RawSmtp.open(port);
      expect((await c.read()).code).toBe(220);
      c.close();
    },
    90_000,
  );

  it('a reachable upstream: "upstream check passed"', async () => {
    const sink = await startSink();
    try {
      const p = serve(`smtp://127.0.0.1:${sink.port}`);
      await waitUntil(() => /upstream check (passed|failed)/.test(p.out()), 60_000, 'upstream check');
      expect(p.out()).toMatch(/upstream check passed/);
    } finally {
      await sink.close();
    }
  }, 90_000);
});
