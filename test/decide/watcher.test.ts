import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/core/errors.js';
import type { PolicySet } from '../../src/decide/types.js';
import { PolicyWatcher } from '../../src/decide/watcher.js';

const rule = (id: string, action = 'quarantine') =>
  `rules:\n  - id: ${id}\n    when: { check: foreign_data }\n    action: ${action}\n`;

function nextReload(w: PolicyWatcher, timeoutMs = 20_000): Promise<PolicySet> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no reload event')), timeoutMs);
    w.once('reload', (p) => {
      clearTimeout(t);
      resolve(p);
    });
  });
}

function nextError(w: PolicyWatcher, timeoutMs = 20_000): Promise<Error> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no error event')), timeoutMs);
    w.once('error', (e) => {
      clearTimeout(t);
      resolve(e);
    });
  });
}

describe('PolicyWatcher', () => {
  let dir = '';
  let w: PolicyWatcher | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-watch-'));
    await writeFile(join(dir, 'default.yaml'), rule('first'));
  });
  afterEach(async () => {
    w?.close();
    w = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('hot-reloads on file change: a new rule becomes active', async () => {
    w = new PolicyWatcher(dir, { debounceMs: 50 });
    const initial = await w.start();
    expect(initial.rules.map((r) => r.id)).toEqual(['first']);
    const reloaded = nextReload(w);
    await writeFile(join(dir, 'extra.yml'), rule('second', 'tag'));
    const p = await reloaded;
    expect(p.rules.map((r) => r.id)).toEqual(['first', 'second']);
    expect(w.current()).toBe(p);
    expect(w.lastError).toBeNull();
  });

  it('a broken edit keeps the last good policy and reports why (file, line, key)', async () => {
    w = new PolicyWatcher(dir, { debounceMs: 50 });
    const good = await w.start();
    const failed = nextError(w);
    await writeFile(
      join(dir, 'default.yaml'),
      'rules:\n  - id: first\n    when: { check: nonsense }\n    action: quarantine\n',
    );
    const err = await failed;
    expect(err.message).toMatch(/^default\.yaml:3: rules\[first\]\.when\.check: unknown check/);
    expect(w.current()).toBe(good);
    expect(w.lastError?.code).toBe(ErrorCodes.POLICY_INVALID);
    expect(w.lastError?.details).toMatchObject({ file: 'default.yaml', line: 3, key: 'rules[first].when.check' });

    // Fixing the file clears the error.
    const fixed = nextReload(w);
    await writeFile(join(dir, 'default.yaml'), rule('first-fixed'));
    expect((await fixed).rules[0]!.id).toBe('first-fixed');
    expect(w.lastError).toBeNull();
  });

  it('reload() (SIGHUP) reloads on demand without watching', async () => {
    w = new PolicyWatcher(dir, { watch: false });
    await w.start();
    await writeFile(join(dir, 'default.yaml'), rule('after-hup'));
    expect(w.current().rules[0]!.id).toBe('first');
    await expect(w.reload()).resolves.toBe(true);
    expect(w.current().rules[0]!.id).toBe('after-hup');
    await writeFile(join(dir, 'default.yaml'), 'rules: [');
    await expect(w.reload()).resolves.toBe(false);
    expect(w.current().rules[0]!.id).toBe('after-hup');
    expect(w.lastError?.message).toMatch(/default\.yaml:\d+: .*YAML syntax/);
  });

  it('start() refuses a broken policy', async () => {
    await writeFile(join(dir, 'default.yaml'), 'rules:\n  - id: x\n');
    w = new PolicyWatcher(dir, { watch: false });
    await expect(w.start()).rejects.toMatchObject({ code: ErrorCodes.POLICY_INVALID });
    expect(() => w!.current()).toThrow(/not loaded/);
  });
});
