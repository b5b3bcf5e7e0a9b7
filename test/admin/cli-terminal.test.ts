/**
 * `postguard admin add` on a real pseudo-terminal (python3's pty module): the password is asked twice and never
 * echoed; two different entries change nothing.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/admin/accounts.js';
import { tempDir } from '../quarantine/helpers.js';

const BIN = resolve('dist/src/cli/main.js');

/** Runs the CLI on a pty, answering each prompt in turn; resolves with everything the terminal showed. */
const DRIVER = `
import os, pty, sys, json
answers = json.loads(sys.argv[1]); argv = json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = b''; i = 0
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    while i < len(answers) and out.count(b': ') > i:
        os.write(fd, answers[i].encode() + b'\\r'); i += 1
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({'out': out.decode('utf-8', 'replace'), 'code': os.waitstatus_to_exitcode(status)}))
`;

function onTerminal(answers: string[], args: string[]): Promise<{ out: string; code: number }> {
  return new Promise((res, rej) =>
    execFile(
      'python3',
      ['-c', DRIVER, JSON.stringify(answers), JSON.stringify([process.execPath, BIN, ...args])],
      { timeout: 60_000 },
      (err, stdout) => (err ? rej(err) : res(JSON.parse(stdout) as { out: string; code: number })),
    ),
  );
}

describe('postguard admin add on a terminal', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('asks twice without echo and saves the account', async () => {
    const { out, code } = await onTerminal(
      ['terminal secret 1', 'terminal secret 1'],
      ['admin', 'add', 'tess', '--role', 'viewer', '--data-dir', dir],
    );
    expect(code).toBe(0);
    expect(out).toContain('New password for tess: ');
    expect(out).toContain('Repeat the password: ');
    expect(out).not.toContain('terminal secret');
    expect(await AccountStore.forDataDir(dir).checkPassword('tess', 'terminal secret 1')).toMatchObject({
      role: 'viewer',
    });
  }, 90_000);

  it('changes nothing when the two entries differ', async () => {
    const { out, code } = await onTerminal(
      ['terminal secret 1', 'terminal secret 2'],
      ['admin', 'add', 'tess', '--role', 'viewer', '--data-dir', dir],
    );
    expect(code).not.toBe(0);
    expect(out).toMatch(/the two passwords differ/);
    expect(await AccountStore.forDataDir(dir).list()).toEqual([]);
  }, 90_000);
});
