import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerPolicyCommand } from '../../src/cli/commands/policy.js';
import { evaluate, parseLabels } from '../../src/decide/evaluate.js';
import type { Verdict } from '../../src/core/types.js';
import { POLICIES_DIR, customer, message } from './helpers.js';

/** Fake scanner: the .eml file name says what the message is. */
async function scanFile(file: string) {
  const name = basename(file);
  if (name.startsWith('clean'))
    return message({ rcpt: [customer('c1')], findings: [{ kind: 'email', customers: ['c1'] }] });
  if (name.startsWith('foreign'))
    return message({ rcpt: [customer('c1')], findings: [{ kind: 'phone', customers: ['c2'] }] });
  if (name.startsWith('bulk')) {
    return message({
      rcpt: [customer('c1')],
      findings: ['c2', 'c3', 'c4', 'c5', 'c6'].map((c) => ({ kind: 'email', customers: [c] })),
    });
  }
  if (name.startsWith('cc')) return message({ rcpt: [customer('c1', 'to'), customer('c2', 'cc')] });
  throw new Error('unreadable');
}

async function run(args: string[], policiesDir = POLICIES_DIR): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  process.exitCode = 0;
  try {
    const program = new Command('postguard').exitOverride();
    registerPolicyCommand(program, { scanFile, policiesDir: () => policiesDir });
    await program.parseAsync(['node', 'postguard', ...args]);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out: out.join('\n'), err: err.join('\n'), code };
}

describe('postguard policy check', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validates the shipped policy and lists its rules', async () => {
    const r = await run(['policy', 'check']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/10 rules from default\.yaml — OK/);
    expect(r.out).toMatch(/bulk\s+reject 550 5\.7\.1\s+enforce\s+yes\s+default\.yaml:\d+/);
    expect(r.out).toMatch(/first-time-recipient\s+tag\s+enforce\s+no/);
  });

  it('exits 2 and prints file:line: key: message for every problem', async () => {
    await writeFile(
      join(dir, 'bad.yaml'),
      'rules:\n  - id: r1\n    when: { check: bulk }\n    action: hold\n  - id: r2\n    when: { check: x }\n    action: tag\n',
    );
    const r = await run(['policy', 'check', dir]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toEqual([
      expect.stringMatching(/^bad\.yaml:4: rules\[r1\]\.action: unknown value "hold"/),
      expect.stringMatching(/^bad\.yaml:6: rules\[r2\]\.when\.check: unknown check "x"/),
    ]);
  });
});

describe('postguard policy test', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-cli-'));
    await mkdir(join(dir, 'mails'));
    for (const f of ['clean-1.eml', 'foreign-1.eml', 'bulk-1.eml', 'cc-1.eml', 'foreign-2.eml'])
      await writeFile(join(dir, 'mails', f), 'x');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a verdict table', async () => {
    const r = await run(['policy', 'test', join(dir, 'mails')]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^FILE\s+VERDICT\s+RULES\s+REASON$/);
    expect(lines.find((l) => l.startsWith('bulk-1.eml'))).toMatch(
      /reject\s+bulk\s+Rejected: Message carries personal data of 5 other customers/,
    );
    expect(lines.find((l) => l.startsWith('clean-1.eml'))).toMatch(/deliver\s+-\s+No rule matched/);
    expect(lines.find((l) => l.startsWith('cc-1.eml'))).toMatch(/quarantine\s+exposure/);
  });

  it('with --labels prints precision/recall per category and the differences', async () => {
    const labels = join(dir, 'labels.csv');
    await writeFile(
      labels,
      'file,verdict,category\nclean-1.eml,deliver,clean\nforeign-1.eml,quarantine,foreign-data\nforeign-2.eml,quarantine,foreign-data\nbulk-1.eml,reject,bulk\ncc-1.eml,deliver,clean\n',
    );
    const r = await run(['policy', 'test', join(dir, 'mails'), '--labels', labels]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/verdicts matching labels: 4\/5/);
    expect(r.out).toMatch(/^clean\s+1\s+0\s+1\s+100\.0%\s+50\.0%$/m);
    expect(r.out).toMatch(/^foreign-data\s+2\s+1\s+0\s+66\.7%\s+100\.0%$/m);
    expect(r.out).toMatch(/^bulk\s+1\s+0\s+0\s+100\.0%\s+100\.0%$/m);
    expect(r.out).toMatch(/differences:\n.*\ncc-1\.eml\s+deliver\s+quarantine\s+clean\s+exposure/);
  });

  it('a file that cannot be scanned is reported and exits 2', async () => {
    await writeFile(join(dir, 'mails', 'zz-broken.eml'), 'x');
    const r = await run(['policy', 'test', join(dir, 'mails'), '--json']);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.out) as { errors: { file: string }[]; results: unknown[] };
    expect(json.errors).toEqual([{ file: 'zz-broken.eml', error: 'unreadable' }]);
    expect(json.results).toHaveLength(5);
  });
});

describe('labels', () => {
  it('YAML labels: short and long form', () => {
    const l = parseLabels('a.eml: hold\nb.eml: { verdict: reject, category: bulk }\nc.eml: deliver\n', 'labels.yaml');
    expect([...l.values()]).toEqual([
      { file: 'a.eml', verdict: 'quarantine', category: 'held' },
      { file: 'b.eml', verdict: 'reject', category: 'bulk' },
      { file: 'c.eml', verdict: 'deliver', category: 'clean' },
    ]);
  });

  it('bad verdicts are usage errors naming the row', () => {
    expect(() => parseLabels('a.eml,maybe\n', 'l.csv')).toThrow(/l\.csv: row 1: verdict must be one of/);
  });

  it('"held" matches any held prediction', () => {
    const v = (action: Verdict['action']): Verdict => ({ action, rules: [], reason: '', hits: [] });
    const e = evaluate(
      [
        { file: 'a', verdict: v('quarantine'), categories: new Set(['exposure']) },
        { file: 'b', verdict: v('deliver'), categories: new Set(['clean']) },
      ],
      parseLabels('a: hold\nb: hold\n', 'x.yaml'),
    );
    expect(e.scores).toEqual([{ category: 'held', tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5 }]);
    expect(e.differences.map((d) => d.file)).toEqual(['b']);
  });
});
