/**
 * The JSON Schema of a policy file: the shape every file must have (keys, types, allowed values, each check's
 * parameters). The loader validates each file against it before compiling (schema-check.ts maps the errors to
 * file:line: key); `npm run docs` writes it to policies/schema.json, which editors read through the
 * `# yaml-language-server: $schema=./schema.json` line of a policy file, and `npm run lint` checks that the
 * published copy is this one (scripts/check-policies.mjs).
 *
 * What a schema cannot say stays in the compiler: regular expressions that compile, sender groups that exist,
 * unique rule ids, reply codes of the action's class, domain names after IDN conversion.
 */
import type { Action } from '../core/types.js';
import { LOCATIONS, UNSCANNABLE_REASONS, checkNames, checkParamSpec, type ParamType } from './checks.js';
import type { RuleMode } from './types.js';

export const ACTIONS: readonly Action[] = ['deliver', 'tag', 'quarantine', 'reject'];
export const MODES: readonly RuleMode[] = ['enforce', 'monitor'];
export const TOP_KEYS: readonly string[] = ['version', 'settings', 'groups', 'partners', 'rules'];
export const RULE_KEYS: readonly string[] = [
  'id',
  'description',
  'category',
  'order',
  'enabled',
  'when',
  'unless',
  'action',
  'reply',
  'reason',
  'notify',
  'mode',
  'stop',
];
/** Rule ids and group names. */
export const RULE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
/** The keys of a condition besides `check` and the check's parameters. */
export const CONDITION_KEYS: readonly string[] = [
  'check',
  'all',
  'any',
  'not',
  'findings',
  'recipients',
  'sender',
  'sender_group',
  'header',
  'attachments',
];

/** The least value of an integer parameter: counts that start at one, others at zero. */
export function intParamMinimum(name: string): number {
  return name.startsWith('min_') || name === 'window' ? 1 : 0;
}

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const integer = (minimum: number, description?: string): Schema => ({
  type: 'integer',
  minimum,
  ...(description ? { description } : {}),
});
const list = (item: Schema, description: string): Schema => ({
  description,
  anyOf: [item, { type: 'array', items: item, minItems: 1 }],
});
const oneOrMore = (values: readonly string[], description: string): Schema => list({ enum: [...values] }, description);

/** A sender/group entry: user@example.com or @example.com. */
export const ADDRESS_ENTRY = '^\\s*(@[A-Za-z0-9.-]+\\.[A-Za-z0-9-]+|[^@\\s]+@[A-Za-z0-9.-]+\\.[A-Za-z0-9-]+)\\s*$';

function paramSchema(name: string, type: ParamType): Schema {
  switch (type) {
    case 'int':
      return integer(intParamMinimum(name));
    case 'bool':
      return { type: 'boolean' };
    case 'strength':
      return ref('strength');
    case 'strings':
      return ref('strings');
    case 'locations':
      return ref('locations');
    case 'reasons':
      return ref('reasons');
    case 'domains':
      return ref('domains');
  }
}

/** Every check's parameters, one schema per parameter name (a name has one type in every check). */
function checkParams(): { all: Record<string, Schema>; byCheck: Map<string, string[]> } {
  const all: Record<string, Schema> = {};
  const types = new Map<string, ParamType>();
  const byCheck = new Map<string, string[]>();
  for (const check of checkNames()) {
    const spec = checkParamSpec(check) ?? {};
    byCheck.set(check, Object.keys(spec));
    for (const [name, type] of Object.entries(spec)) {
      const seen = types.get(name);
      if (seen !== undefined && seen !== type) throw new Error(`check parameter ${name} is ${seen} and ${type}`);
      types.set(name, type);
      all[name] = paramSchema(name, type);
    }
  }
  return { all, byCheck };
}

/** The policy file schema (JSON Schema draft-07). */
export function policySchema(): Schema {
  const params = checkParams();
  const conditionKeys = [...CONDITION_KEYS];
  const paramNames = Object.keys(params.all).filter((k) => !conditionKeys.includes(k));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://postguard.dev/schemas/policy.json',
    title: 'postguard policy file',
    description: 'Rules that decide what happens to a message (policies/README.md).',
    type: 'object',
    additionalProperties: false,
    properties: {
      version: { const: 1, description: 'Policy format version: 1.' },
      settings: {
        type: 'object',
        additionalProperties: false,
        properties: {
          bulk_threshold: integer(2, 'Distinct foreign customers from which `check: bulk` fires (default 5).'),
          lookalike_domains: ref('optionalDomains'),
        },
      },
      groups: {
        description: 'Sender groups: name → addresses or @domains (subdomains included).',
        type: 'object',
        propertyNames: { pattern: RULE_ID.source },
        additionalProperties: ref('addresses'),
      },
      partners: ref('optionalDomains'),
      rules: { type: 'array', items: ref('rule') },
    },
    definitions: {
      text: { type: 'string', minLength: 1, pattern: '\\S' },
      strings: list(ref('text'), 'a string or a list of strings'),
      domains: list(ref('text'), 'a domain or a list of domains'),
      optionalDomains: {
        description: 'a domain or a list of domains (may be empty)',
        anyOf: [{ type: 'null' }, ref('text'), { type: 'array', items: ref('text') }],
      },
      addresses: list(
        { type: 'string', pattern: ADDRESS_ENTRY, description: 'an address or an @domain' },
        'addresses (user@example.com) or @domains (@example.com, subdomains included)',
      ),
      strength: { enum: ['strong', 'weak'] },
      locations: oneOrMore(LOCATIONS, 'one or a list of: ' + LOCATIONS.join(', ')),
      reasons: oneOrMore(UNSCANNABLE_REASONS, 'one or a list of: ' + UNSCANNABLE_REASONS.join(', ')),
      rule: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'when', 'action'],
        properties: {
          id: {
            type: 'string',
            pattern: RULE_ID.source,
            description: 'Letters, digits, . _ - (max 64); unique over all files.',
          },
          description: ref('text'),
          category: ref('text'),
          order: integer(0, 'Lower runs first (default 500).'),
          enabled: { type: 'boolean' },
          mode: { enum: [...MODES] },
          when: ref('condition'),
          unless: ref('condition'),
          action: { enum: [...ACTIONS] },
          reply: {
            type: 'object',
            additionalProperties: false,
            properties: { code: { type: 'integer' }, enhanced: ref('text'), text: ref('text') },
          },
          reason: ref('text'),
          notify: {
            description: 'sender, admins, a list of them, or { sender: bool, admins: bool }',
            anyOf: [
              oneOrMore(['sender', 'admins'], 'sender, admins or both'),
              {
                type: 'object',
                additionalProperties: false,
                properties: { sender: { type: 'boolean' }, admins: { type: 'boolean' } },
              },
            ],
          },
          stop: { type: 'boolean' },
        },
      },
      condition: {
        description: 'a condition: a mapping whose keys must all hold',
        type: 'object',
        minProperties: 1,
        additionalProperties: false,
        properties: {
          check: { enum: checkNames() },
          all: { type: 'array', minItems: 1, items: ref('condition') },
          any: { type: 'array', minItems: 1, items: ref('condition') },
          not: ref('condition'),
          findings: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kinds: ref('strings'),
              exclude_kinds: ref('strings'),
              locations: ref('locations'),
              min_strength: ref('strength'),
              foreign: { type: 'boolean' },
              min_count: integer(1),
              min_customers: integer(1),
            },
          },
          recipients: {
            type: 'object',
            additionalProperties: false,
            properties: {
              min_count: integer(0),
              max_count: integer(0),
              min_customers: integer(0),
              any_external: { type: 'boolean' },
              all_internal: { type: 'boolean' },
              any_resolved: { type: 'boolean' },
              all_resolved: { type: 'boolean' },
              any_domain: ref('domains'),
              all_domains: ref('domains'),
            },
          },
          sender: ref('addresses'),
          sender_group: ref('strings'),
          header: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: ref('text'),
              exists: { type: 'boolean' },
              equals: ref('text'),
              contains: ref('text'),
              matches: ref('text'),
            },
          },
          attachments: {
            type: 'object',
            additionalProperties: false,
            properties: { types: ref('strings'), extensions: ref('strings'), min_count: integer(1) },
          },
          ...Object.fromEntries(paramNames.map((k) => [k, params.all[k]])),
        },
        // A check's parameters only beside that check; without a check, none.
        allOf: [
          ...[...params.byCheck].map(([check, names]) => ({
            if: { required: ['check'], properties: { check: { const: check } } },
            then: { propertyNames: { enum: [...conditionKeys, ...names] } },
          })),
          {
            if: { not: { required: ['check'] } },
            then: { propertyNames: { enum: conditionKeys } },
          },
        ],
      },
    },
  };
}
