/**
 * The embedded store's per-record lock file (src/quarantine/file-store.ts). A relay or CLI killed while it holds
 * the lock leaves the file behind; the next change must not wait for the 30 s staleness limit when the owner is
 * gone (that is the crash `quarantine recover` repairs), and must still wait for an owner that is alive.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openQuarantine } from '../../src/quarantine/index.js';
import { cleanupChildren, tempDir } from '../helpers/child-relay.js';
import { makeMessage, makeVerdict, TEST_KEY } from './helpers.js';

afterEach(cleanupChildren);

describe('a lock file left behind', () => {
  it('is broken at once when the process that wrote it no longer exists', async () => {
    const dir = tempDir('pg-lock-dead-');
    const store = await openQuarantine({ dataDir: dir, key: TEST_KEY });
    const msg = makeMessage();
    await store.hold(msg, makeVerdict());
    const gone = spawnSync(process.execPath, ['-e', '']).pid; // a process that has exited
    await writeFile(join(dir, 'quarantine', `${msg.id}.lock`), String(gone));
    const record = await store.transition(msg.id, {
      from: ['held'],
      to: 'deleted',
      entry: { actor: 'cli:ops', action: 'deleted', reason: 'after a crash' },
    });
    expect(record.status).toBe('deleted');
    await store.close();
  });

  it('is respected while its owner is alive: the change is refused as locked', async () => {
    const dir = tempDir('pg-lock-live-');
    const store = await openQuarantine({ dataDir: dir, key: TEST_KEY });
    const msg = makeMessage();
    await store.hold(msg, makeVerdict());
    const owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(dir, 'quarantine', `${msg.id}.lock`), String(owner.pid));
      await expect(
        store.transition(msg.id, {
          from: ['held'],
          to: 'deleted',
          entry: { actor: 'cli:ops', action: 'deleted', reason: 'x' },
        }),
      ).rejects.toThrow(/is locked/);
      expect((await store.get(msg.id)).status).toBe('held');
    } finally {
      owner.kill('SIGKILL');
      await store.close();
    }
  }, 60_000);
});
