/**
 * The data folder is private whatever the umask, and `postguard serve` refuses (exit 2, one stderr line naming the
 * path) to run on a data folder, key or credential file that someone else could have replaced.
 * Real processes: the built CLI under `umask 000`, real SMTP traffic, real chmod/chown.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanupChildren, freePort, startChildRelay, tempDir } from '../helpers/child-relay.js';
import { sendRaw } from '../helpers/smtp-client.js';
import { message } from '../helpers/relay.js';
import { startSink, type Sink } from '../quarantine/helpers.js';
import { FILE_HEADER } from '../../src/decide/memory.js';

/** Runs the built CLI under `umask MASK` (a shell sets it, as a service manager or login shell would). */
function run(
  mask: string,
  args: string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn('/bin/sh', ['-c', `umask ${mask} && exec "$0" "$@"`, process.execPath, BIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => res({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Every folder and file under `root` with its permission bits. */
function modes(root: string): Map<string, number> {
  const out = new Map<string, number>([[root, statSync(root).mode & 0o777]]);
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name);
    out.set(p, statSync(p).mode & 0o777);
  }
  return out;
}

let sink: Sink;
beforeAll(async () => {
  sink = await startSink();
});
afterAll(async () => {
  await sink.close();
  await cleanupChildren();
});
afterEach(cleanupChildren);

describe('data folder permissions', () => {
  it('with umask 000, every folder the CLI and the relay create is 0700 and every file 0600', async () => {
    const dataDir = join(tempDir('pg-umask-'), 'data');
    // the CLI creates the data folder first (a fresh install: accounts before the first start)
    expect((await run('000', ['user', 'add', 'helpdesk', '--data-dir', dataDir], 'a long password\n')).code).toBe(0);
    expect(
      (
        await run(
          '000',
          ['admin', 'add', 'alice', '--role', 'admin', '--data-dir', dataDir],
          'a much longer password 123\n',
        )
      ).code,
    ).toBe(0);

    const port = await freePort();
    // the relay inherits the umask of the process that starts it
    const before = process.umask(0o000);
    let relay;
    try {
      relay = await startChildRelay({
        args: [
          '--listen',
          `127.0.0.1:${port}`,
          '--admin-listen',
          '127.0.0.1:0',
          '--upstream',
          `smtp://127.0.0.1:${sink.port}`,
          '--data-dir',
          dataDir,
          '--internal-domain',
          'support.example',
        ],
      });
    } finally {
      process.umask(before);
    }
    // one delivered message (records the recipient in the first-time memory), one held (a quarantine record)
    expect(
      (await sendRaw(relay.smtpPort, { from: 'agent@support.example', to: ['customer@example.com'], body: message() }))
        .code,
    ).toBe(250);
    const held = await sendRaw(relay.smtpPort, {
      from: 'agent@support.example',
      to: ['x@gmial.com'],
      body: message({ to: 'x@gmial.com' }),
    });
    expect(held.text).toMatch(/held/);
    await relay.kill('SIGTERM');

    const all = modes(dataDir);
    const names = [...all.keys()].map((p) => p.slice(dataDir.length + 1));
    for (const expected of [
      'users.json',
      'admins.json',
      'directory.key',
      'quarantine.key',
      'known-recipients.txt',
      'quarantine',
      'audit.jsonl',
    ]) {
      expect(names).toContain(expected);
    }
    expect(names.some((n) => n.startsWith('quarantine/') && n.endsWith('.json'))).toBe(true);
    const wrong = [...all]
      .filter(([p, m]) => m !== (statSync(p).isDirectory() ? 0o700 : 0o600))
      .map(([p, m]) => `${p} ${m.toString(8)}`);
    expect(wrong).toEqual([]);
  }, 60_000);

  it('narrows a readable data folder and key (an older install) to 0700/0600, converts its recipient memory, and starts', async () => {
    const dataDir = join(tempDir('pg-narrow-'), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'quarantine.key'), 'ab'.repeat(32) + '\n', { mode: 0o644 });
    chmodSync(join(dataDir, 'quarantine.key'), 0o644);
    // and a recipient memory of format 1 (unkeyed SHA-256, written by the previous version)
    copyFileSync('test/decide/fixtures/known-recipients-v1-unkeyed.txt', join(dataDir, 'known-recipients.txt'));
    const port = await freePort();
    const relay = await startChildRelay({
      args: [
        '--listen',
        `127.0.0.1:${port}`,
        '--admin-listen',
        '',
        '--upstream',
        `smtp://127.0.0.1:${sink.port}`,
        '--data-dir',
        dataDir,
      ],
    });
    expect(relay.stdout()).toMatch(/narrowed permissions to owner-only/);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'quarantine.key')).mode & 0o777).toBe(0o600);
    const memory = readFileSync(join(dataDir, 'known-recipients.txt'), 'utf8').trim().split('\n');
    expect(memory[0]).toBe(FILE_HEADER);
    expect(memory).toHaveLength(4); // converted, not dropped
    expect(memory).not.toContain(createHash('sha256').update('postguard:recipient:alice.old@gmail.com').digest('hex'));
    await relay.kill('SIGTERM');
  }, 60_000);

  const OTHER_UID = 65534; // nobody
  const cases: [string, string, (dataDir: string) => string][] = [
    ['a world-writable data folder', 'is writable by group or others (mode 0777)', (d) => (chmodSync(d, 0o777), d)],
    [
      'a group-writable admins.json',
      'is writable by group or others (mode 0660)',
      (d) => {
        const f = join(d, 'admins.json');
        chmodSync(f, 0o660);
        return f;
      },
    ],
    [
      'an admins.json replaced by another user',
      `is owned by uid ${OTHER_UID}`,
      (d) => {
        const f = join(d, 'admins.json');
        chownSync(f, OTHER_UID, OTHER_UID);
        return f;
      },
    ],
    [
      'a users.json owned by another user',
      `is owned by uid ${OTHER_UID}`,
      (d) => {
        const f = join(d, 'users.json');
        chownSync(f, OTHER_UID, OTHER_UID);
        return f;
      },
    ],
    [
      'an other-writable directory.key',
      'is writable by group or others (mode 0602)',
      (d) => {
        const f = join(d, 'directory.key');
        writeFileSync(f, 'cd'.repeat(32) + '\n');
        chmodSync(f, 0o602);
        return f;
      },
    ],
    [
      'a quarantine.key owned by another user',
      `is owned by uid ${OTHER_UID}`,
      (d) => {
        const f = join(d, 'quarantine.key');
        writeFileSync(f, 'ab'.repeat(32) + '\n');
        chownSync(f, OTHER_UID, OTHER_UID);
        return f;
      },
    ],
    [
      'a data folder owned by another user',
      `is owned by uid ${OTHER_UID}`,
      (d) => (chownSync(d, OTHER_UID, OTHER_UID), d),
    ],
  ];

  it.each(cases)(
    'refuses to start on %s: exit 2, one stderr line naming the path',
    async (_what, why, plant) => {
      const dataDir = join(tempDir('pg-refuse-'), 'data');
      expect((await run('077', ['user', 'add', 'helpdesk', '--data-dir', dataDir], 'a long password\n')).code).toBe(0);
      expect(
        (
          await run(
            '077',
            ['admin', 'add', 'alice', '--role', 'admin', '--data-dir', dataDir],
            'a much longer password 123\n',
          )
        ).code,
      ).toBe(0);
      const path = plant(dataDir);
      const port = await freePort();
      const r = await run('022', [
        'serve',
        '--listen',
        `127.0.0.1:${port}`,
        '--admin-listen',
        '',
        '--upstream',
        `smtp://127.0.0.1:${sink.port}`,
        '--data-dir',
        dataDir,
      ]);
      expect(r.code).toBe(2);
      const lines = r.stderr.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`postguard: cannot start: ${path} ${why}`);
      expect(r.stdout).not.toContain('postguard relay listening');
    },
    60_000,
  );
});
