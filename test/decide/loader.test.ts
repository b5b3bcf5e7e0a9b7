import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, PostguardError } from '../../src/core/errors.js';
import { compilePolicies, loadPolicies } from '../../src/decide/loader.js';
import type { PolicyIssue } from '../../src/decide/index.js';

function issuesFor(name: string, text: string, extra: { name: string; text: string }[] = []): PolicyIssue[] {
  try {
    compilePolicies([{ name, text }, ...extra]);
  } catch (err) {
    expect(err).toBeInstanceOf(PostguardError);
    const e = err as PostguardError;
    expect(e.code).toBe(ErrorCodes.POLICY_INVALID);
    return e.details!.issues as PolicyIssue[];
  }
  throw new Error('expected POLICY_INVALID');
}

const ok = (extra = '') => `rules:\n  - id: r1\n    when: { check: foreign_data }\n    action: quarantine\n${extra}`;

describe('policy validation names file, line and key', () => {
  it('unknown check', () => {
    const issues = issuesFor(
      'a.yaml',
      'rules:\n  - id: r1\n    when:\n      check: foriegn_data\n    action: quarantine\n',
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'a.yaml', line: 4, key: 'rules[r1].when.check' });
    expect(issues[0]!.message).toMatch(/unknown check "foriegn_data".*foreign_data/);
  });

  it('the error message itself reads file:line: key: message', () => {
    expect(() =>
      compilePolicies([{ name: 'b.yaml', text: 'rules:\n  - id: r1\n    when: { check: bulk }\n    action: hold\n' }]),
    ).toThrow(/^b\.yaml:4: rules\[r1\]\.action: unknown value "hold"/);
  });

  it('missing required keys', () => {
    const issues = issuesFor('c.yaml', 'rules:\n  - description: no id\n    action: tag\n');
    expect(issues.map((i) => `${i.line} ${i.key}`)).toEqual(['2 rules[0].id', '2 rules[0].when']);
  });

  it('bad check parameter type and unknown parameter', () => {
    const issues = issuesFor(
      'd.yaml',
      'rules:\n  - id: r1\n    when:\n      check: foreign_data\n      min_customers: many\n      min_strenght: weak\n    action: quarantine\n',
    );
    expect(issues.map((i) => `${i.line} ${i.key}`)).toEqual([
      '5 rules[r1].when.min_customers',
      '6 rules[r1].when.min_strenght',
    ]);
  });

  it('bad location value', () => {
    const issues = issuesFor(
      'e.yaml',
      'rules:\n  - id: r1\n    when: { check: foreign_data, locations: [body, footer] }\n    action: tag\n',
    );
    expect(issues[0]).toMatchObject({ line: 3, key: 'rules[r1].when.locations' });
    expect(issues[0]!.message).toMatch(/"footer"/);
  });

  it('YAML syntax errors carry the line', () => {
    const issues = issuesFor('f.yaml', 'rules:\n  - id: r1\n    when: { check: foreign_data\n    action: tag\n');
    expect(issues[0]!.file).toBe('f.yaml');
    expect(issues[0]!.line).toBeGreaterThanOrEqual(3);
    expect(issues[0]!.message).toMatch(/YAML syntax/);
  });

  it('duplicate rule id across files names the second file', () => {
    const issues = issuesFor('a.yaml', ok(), [{ name: 'b.yaml', text: `\n\n${ok()}` }]);
    expect(issues[0]).toMatchObject({ file: 'b.yaml', line: 4, key: 'rules[0].id' });
    expect(issues[0]!.message).toMatch(/duplicate rule id "r1" \(first in a\.yaml:2\)/);
  });

  it('unknown sender group, unknown top-level key, bad regex, reply on a non-reject rule', () => {
    const issues = issuesFor(
      'g.yaml',
      [
        'ruls: []',
        'rules:',
        '  - id: r1',
        '    when: { sender_group: vip }',
        '    action: tag',
        '  - id: r2',
        '    when: { header: { name: X-Helpdesk, matches: "([" } }',
        '    action: tag',
        '  - id: r3',
        '    when: { check: exposure }',
        '    action: quarantine',
        '    reply: { code: 550 }',
        '  - id: r4',
        '    when: { check: bulk }',
        '    action: reject',
        '    reply: { code: 250, enhanced: 5.7.1 }',
      ].join('\n'),
    );
    expect(issues.map((i) => `${i.line} ${i.key}`)).toEqual([
      '1 ruls',
      '4 rules[r1].when.sender_group',
      '7 rules[r2].when.header.matches',
      '12 rules[r3].reply',
      '16 rules[r4].reply.code',
      '16 rules[r4].reply.enhanced',
    ]);
  });

  it('group member that is not an address or @domain', () => {
    const issues = issuesFor('h.yaml', `groups:\n  vip: [boss, "@corp.example"]\n${ok()}`);
    expect(issues[0]).toMatchObject({ line: 2, key: 'groups.vip' });
  });

  it('unknown condition key', () => {
    const issues = issuesFor(
      'i.yaml',
      'rules:\n  - id: r1\n    when:\n      recipient: { min_count: 2 }\n    action: tag\n',
    );
    expect(issues[0]).toMatchObject({ line: 4, key: 'rules[r1].when.recipient' });
  });

  it('an empty rule set is invalid', () => {
    expect(() => compilePolicies([{ name: 'x.yaml', text: 'rules: []\n' }])).toThrow(/no rules/);
    expect(() => compilePolicies([])).toThrow(/no policy files/);
  });
});

describe('loading a folder', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = '';
  });

  it('reads *.yaml and *.yml sorted by name; explicit order first, then file order', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-policy-'));
    await writeFile(
      join(dir, 'b.yml'),
      'rules:\n  - id: b1\n    when: { check: exposure }\n    action: quarantine\n  - id: b0\n    order: 5\n    when: { check: bulk }\n    action: reject\n',
    );
    await writeFile(
      join(dir, 'a.yaml'),
      'rules:\n  - id: a1\n    when: { check: foreign_data }\n    action: quarantine\n',
    );
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const set = await loadPolicies(dir);
    expect(set.files).toEqual(['a.yaml', 'b.yml']);
    expect(set.rules.map((r) => r.id)).toEqual(['b0', 'a1', 'b1']);
    expect(set.rules[0]!.origin).toBe('b.yml:5');
    expect(set.rules[0]!.reply).toEqual({ code: 550, enhanced: '5.7.1' });
  });

  it('a missing folder or an empty one is POLICY_INVALID', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-policy-'));
    await expect(loadPolicies(join(dir, 'nope'))).rejects.toMatchObject({ code: ErrorCodes.POLICY_INVALID });
    await expect(loadPolicies(dir)).rejects.toThrow(/no policy files/);
  });
});

describe('condition language', () => {
  it('recipients, headers, attachments, any/all/not compile and evaluate', async () => {
    const { decide } = await import('../../src/decide/decide.js');
    const { message, customer, internal } = await import('./helpers.js');
    const set = compilePolicies([
      {
        name: 'p.yaml',
        text: [
          'rules:',
          '  - id: sheets-out',
          '    description: Spreadsheets to external recipients',
          '    when:',
          '      all:',
          '        - recipients: { any_external: true }',
          '        - attachments: { extensions: [csv, .xlsx] }',
          '    action: quarantine',
          '  - id: helpdesk-tag',
          '    when:',
          '      header: { name: X-Helpdesk, equals: zendesk }',
          '      not: { recipients: { all_internal: true } }',
          '    action: tag',
          '  - id: many-rcpts-with-data',
          '    when:',
          '      any:',
          '        - recipients: { min_count: 3 }',
          '        - findings: { kinds: [imei], locations: [attachment], foreign: true }',
          '    reason: "{kinds} of {count} customers in a mass mail"',
          '    action: quarantine',
        ].join('\n'),
      },
    ]);
    const csv = [{ filename: 'list.CSV', contentType: 'text/csv', size: 10, source: 'list.CSV' }];
    expect(decide(message({ rcpt: [customer('c1')], attachments: csv }), set).rules).toEqual(['sheets-out']);
    expect(decide(message({ rcpt: [internal()], attachments: csv }), set).action).toBe('deliver');
    const tagged = decide(message({ rcpt: [customer('c1')], headers: { 'x-helpdesk': ['Zendesk'] } }), set);
    expect(tagged.rules).toEqual(['helpdesk-tag']);
    expect(tagged.reason).toBe('Tagged: Rule helpdesk-tag matched.');
    expect(decide(message({ rcpt: [internal()], headers: { 'x-helpdesk': ['zendesk'] } }), set).action).toBe('deliver');
    const imei = decide(
      message({
        rcpt: [customer('c1')],
        findings: [{ kind: 'imei', customers: ['c2'], location: 'attachment', source: 'attachment:a.pdf' }],
      }),
      set,
    );
    expect(imei.rules).toEqual(['many-rcpts-with-data']);
    expect(imei.reason).toBe('Held: imei of 1 customers in a mass mail.');
  });
});
