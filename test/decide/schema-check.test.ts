import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readYamlTree } from '../../src/core/yaml-tree.js';
import { compilePolicies, policySchema, type PolicyIssue } from '../../src/decide/index.js';
import { schemaIssues } from '../../src/decide/schema-check.js';

function issuesOf(text: string): PolicyIssue[] {
  const tree = readYamlTree('p.yaml', text, []);
  if (!tree) throw new Error('YAML did not parse');
  return schemaIssues('p.yaml', tree);
}

const rule = (when: string, extra = '') => `rules:\n  - id: r1\n    when: ${when}\n    action: quarantine\n${extra}`;

describe('policy schema', () => {
  it('is the one published in policies/schema.json (editors read that file)', () => {
    expect(JSON.parse(readFileSync('policies/schema.json', 'utf8'))).toEqual(policySchema());
  });

  it('accepts the shipped default policy', () => {
    expect(issuesOf(readFileSync('policies/default.yaml', 'utf8'))).toEqual([]);
  });

  it('allows a check parameter only beside its own check', () => {
    // window belongs to greeting_drift; the message lists what bulk takes
    const issues = issuesOf(rule('{ check: bulk, window: 100 }'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 3, key: 'rules[r1].when.window' });
    expect(issues[0]!.message).toMatch(
      /not a parameter of check bulk \(min_strength, kinds, exclude_kinds, locations, min_customers, min_count\)/,
    );
  });

  it('names the line of the bad item in a block list, under the list key', () => {
    const issues = issuesOf(rule('\n      check: foreign_data\n      locations:\n        - body\n        - footer'));
    expect(issues).toEqual([expect.objectContaining({ line: 7, key: 'rules[r1].when.locations' })]);
    expect(issues[0]!.message).toMatch(/unknown value "footer" \(allowed: subject, header, body, link, attachment\)/);
  });

  it('finds mistakes inside nested any/not conditions with their path', () => {
    const issues = issuesOf(rule('{ any: [{ check: exposure }, { not: { findings: { min_count: 0 } } }] }'));
    expect(issues).toEqual([
      expect.objectContaining({
        line: 3,
        key: 'rules[r1].when.any[1].not.findings.min_count',
        message: 'must be an integer ≥ 1',
      }),
    ]);
  });

  it('rejects what the hand-written compiler let through: an action given as a list', () => {
    expect(() =>
      compilePolicies([
        { name: 'q.yaml', text: 'rules:\n  - id: r1\n    when: { check: bulk }\n    action: [reject]\n' },
      ]),
    ).toThrow(/^q\.yaml:4: rules\[r1\]\.action: unknown value \["reject"\]/);
  });
});
