import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAudit, type AuditLog } from '../../src/audit/index.js';
import { registerQuarantineCommand } from '../../src/cli/commands/quarantine.js';
import { openQuarantine, type QuarantineStore } from '../../src/quarantine/index.js';
import {
  makeMessage,
  makeVerdict,
  SECRET_SUBJECT,
  sinkUpstream,
  startSink,
  tempDir,
  TEST_KEY,
  type Sink,
} from './helpers.js';

let sink: Sink;
beforeAll(async () => {
  sink = await startSink();
});
afterAll(() => sink.close());

describe('postguard quarantine', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let relay: QuarantineStore; // the running relay's own store instance
  let output: string[];
  let errors: string[];
  const origError = console.error;

  beforeEach(async () => {
    const t = await tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
    relay = await openQuarantine({ dataDir: dir, key: TEST_KEY });
    output = [];
    errors = [];
    console.error = (...a: unknown[]) => void errors.push(a.join(' '));
    process.exitCode = undefined;
    sink.messages.length = 0;
  });
  afterEach(async () => {
    console.error = origError;
    process.exitCode = undefined;
    await relay.close();
    await cleanup();
  });

  async function cli(...args: string[]): Promise<string> {
    output.length = 0;
    const program = new Command().exitOverride().option('--data-dir <dir>');
    registerQuarantineCommand(program, {
      openStore: async () => openQuarantine({ dataDir: dir, key: TEST_KEY }),
      openUpstream: async () => sinkUpstream(sink.port),
      openAudit: async (): Promise<AuditLog> => openAudit({ dataDir: dir }),
      out: (t) => void output.push(t),
    });
    await program.parseAsync(['node', 'postguard', ...args]);
    return output.join('');
  }

  it('lists, shows, releases once and deletes, while another store instance (the relay) holds', async () => {
    const a = makeMessage();
    const b = makeMessage();
    await relay.hold(a, makeVerdict(), { subject: SECRET_SUBJECT });
    await relay.hold(b, makeVerdict({ rules: ['exposure'] }));

    const list = await cli('quarantine', 'list');
    expect(list).toContain(a.id);
    expect(list).toContain('v•••@gmail.com');
    expect(list).not.toContain('victim.customer');
    const json = (await cli('quarantine', 'list', '--json', '--status', 'held'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; rules: string[] });
    expect(json.map((j) => j.id).sort()).toEqual([a.id, b.id].sort());

    const show = await cli('quarantine', 'show', a.id);
    expect(show).toContain(`subject:     ${JSON.stringify(SECRET_SUBJECT)}`);
    expect(show).toContain('[foreign-data] phone +1 415 ••• ••71 in body:text');

    await cli('quarantine', 'release', a.id, '--reason', 'approved by DPO', '--actor', 'ops');
    expect(output.join('')).toContain(`released ${a.id}`);
    expect(sink.messages).toHaveLength(1);
    expect((await relay.get(a.id)).history.at(-1)).toMatchObject({
      actor: 'cli:ops',
      action: 'released',
      reason: 'approved by DPO',
    });

    await cli('quarantine', 'release', a.id, '--reason', 'again');
    expect(process.exitCode).toBe(1);
    expect(errors.join('\n')).toMatch(/already released/);
    expect(sink.messages).toHaveLength(1);

    process.exitCode = undefined;
    await cli('quarantine', 'release', b.id, '--reason', 'fixed', '--to', 'right@gmail.com', 'other@gmail.com');
    expect(sink.messages[1]?.rcptTo).toEqual(['right@gmail.com', 'other@gmail.com']);

    const c = makeMessage();
    await relay.hold(c, makeVerdict());
    await cli('quarantine', 'delete', c.id, '--reason', 'wrong customer');
    expect((await relay.get(c.id)).status).toBe('deleted');
    expect(await cli('quarantine', 'list', '--status', 'deleted')).toContain(c.id);
    const audit = await openAudit({ dataDir: dir });
    expect((await audit.list()).map((e) => e.action)).toEqual(['delete', 'release', 'release']);
    await audit.close();
  });

  it('requires --reason and reports unknown ids', async () => {
    await expect(cli('quarantine', 'release', 'x1')).rejects.toThrow(/--reason/);
    await cli('quarantine', 'show', 'nope');
    expect(process.exitCode).toBe(1);
    expect(errors.join('\n')).toContain('no quarantined message nope');
    process.exitCode = undefined;
    await cli('quarantine', 'list', '--status', 'bogus');
    expect(process.exitCode).toBe(2);
  });
});
