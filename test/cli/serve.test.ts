/**
 * The `postguard` binary as users run it: start on embedded defaults, refuse bad config, stop on SIGTERM
 * without losing the transaction in flight.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { openDirectory } from '../../src/directory/index.js';
import { KEY_FORMAT } from '../../src/directory/key-format.js';
import { withKeyFormat } from '../directory/helpers.js';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RawSmtp } from '../helpers/smtp-client.js';
import { message } from '../helpers/relay.js';

const BIN = resolve('dist/src/cli/main.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pg-cli-'));
  dirs.push(d);
  return d;
}

function start(
  args: string[],
  cwd: string,
): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, POSTGUARD_LOG_LEVEL: 'info' } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

async function waitFor(pred: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('postguard serve', () => {
  it('runs on embedded defaults, writes to the outbox, and finishes the transaction in flight on SIGTERM', async () => {
    const cwd = tmp();
    const p = start(['serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], cwd);
    await waitFor(() => /postguard relay listening/.test(p.out()));
    const port = Number(/"smtp":"127\.0\.0\.1:(\d+)"/.exec(p.out())![1]);
    const c = await RawSmtp.open(port);
    await c.read();
    await c.cmd('EHLO cli.test');
    await c.cmd('MAIL FROM:<a@support.example>');
    await c.cmd('RCPT TO:<b@example.com>');
    expect((await c.cmd('DATA')).code).toBe(354);
    c.write(message().slice(0, 100));
    // SIGTERM while the message is half sent: the relay stops listening but waits for this transaction
    p.child.kill('SIGTERM');
    await waitFor(() => /shutting down/.test(p.out()));
    // the line is logged as the listener closes: new connections are refused from then on
    await expect
      .poll(
        () =>
          RawSmtp.open(port).then(
            (probe) => (probe.close(), 'accepted'),
            () => 'refused',
          ),
        { timeout: 10_000, interval: 50 },
      )
      .toBe('refused');
    c.write(message().slice(100) + '\r\n.\r\n');
    const r = await c.read();
    expect(r.code).toBe(250);
    c.close();
    expect(await p.exited).toBe(0);
    const outbox = join(cwd, 'outbox');
    expect(readdirSync(outbox).filter((f) => f.endsWith('.eml')).length).toBe(1);
    expect(readdirSync(outbox).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('refuses to start on an invalid config file, naming key and line, exit 2', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'postguard.yaml'), 'listen: 127.0.0.1:0\nlimits:\n  maxRecipients: -3\n');
    const p = start(['serve', '--config', 'postguard.yaml'], cwd);
    expect(await p.exited).toBe(2);
    expect(p.out()).toMatch(/config key "limits\.maxRecipients" \(postguard\.yaml:3\): must be at least 1/);
    expect(existsSync(join(cwd, 'outbox'))).toBe(false);
  });

  it.each([['1'], ['2']])(
    'exits 1 with the reason when the listen address is taken (--workers %s), instead of lingering',
    async (workers) => {
      const taken = createServer();
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
      const port = (taken.address() as { port: number }).port;
      try {
        const cwd = tmp();
        const p = start(['serve', '--listen', `127.0.0.1:${port}`, '--admin-listen', '', '--workers', workers], cwd);
        const code = await Promise.race([
          p.exited,
          new Promise<string>((r) => setTimeout(() => r('still running after 15 s'), 15_000)),
        ]);
        expect(code).toBe(1);
        expect(p.out()).toMatch(/cannot start: .*EADDRINUSE/);
      } finally {
        taken.close();
      }
    },
    30_000,
  );

  it('prints help for every command', async () => {
    const cwd = tmp();
    for (const args of [['--help'], ['serve', '--help'], ['user', '--help'], ['user', 'add', '--help']]) {
      const p = start(args, cwd);
      expect(await p.exited).toBe(0);
      expect(p.out()).toMatch(/Usage: postguard/);
    }
  });

  it('manages AUTH users from the command line', async () => {
    const cwd = tmp();
    const add = spawn(process.execPath, [BIN, 'user', 'add', 'helpdesk', '--data-dir', cwd], { cwd });
    add.stdin.end('a long password\n');
    expect(await new Promise((r) => add.on('exit', r))).toBe(0);
    const list = start(['user', 'list', '--data-dir', cwd], cwd);
    expect(await list.exited).toBe(0);
    expect(list.out().trim()).toBe('helpdesk');
    const rm = start(['user', 'remove', 'nobody', '--data-dir', cwd], cwd);
    expect(await rm.exited).toBe(1);
  });

  it('refuses to start over a directory imported with an older key format: exit 2 and the re-import command', async () => {
    const cwd = tmp();
    const dataDir = join(cwd, 'data');
    writeFileSync(join(cwd, 'c.csv'), 'customer_id,full_name,email\nC1,Anna Berg,anna.berg@example.net\n');
    const d = await openDirectory({ dataDir, follow: false });
    await d.import(join(cwd, 'c.csv'));
    await d.close();
    const snapshot = join(dataDir, 'directory', 'snapshot.bin');
    writeFileSync(snapshot, withKeyFormat(readFileSync(snapshot)));
    const p = start(['serve', '--listen', '127.0.0.1:0', '--admin-listen', '', '--data-dir', dataDir], cwd);
    expect(await p.exited).toBe(2);
    expect(p.out()).toContain(
      `postguard: cannot start: directory in ${snapshot} was imported with key format 1; this version needs ${KEY_FORMAT}: run "postguard directory import FILE" again\n`,
    );
  });
});
