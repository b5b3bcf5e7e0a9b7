/**
 * decide/ types: the compiled policy set and the input of `decide()`.
 *
 * A policy set is loaded from YAML files (see loader.ts, policies/README.md) and compiled once into closures, so
 * that `decide()` is synchronous and cheap on the hot path.
 */
import type {
  Action,
  ClientInfo,
  Detection,
  Envelope,
  Evidence,
  ParsedMessage,
  RecipientInfo,
  SmtpReply,
} from '../core/types.js';

/** Where decide() learns the directory's common email domains (directory.emailDomains()). */
export interface DomainSource {
  /** Email domains used by at least 3 customers (ASCII, lower-case). */
  emailDomains(): ReadonlySet<string>;
}

export interface DecideInput {
  envelope: Envelope;
  client?: ClientInfo;
  parsed: ParsedMessage;
  detection: Detection;
  domains: DomainSource;
  /**
   * True when the (canonical) address was never mailed before. Pre-computed by the caller from a
   * RecipientMemory (memory.ts: `firstTimeLookup`); absent → the first-time check never fires.
   */
  firstTime?: (address: string) => boolean;
}

export interface DecideOptions {
  /** Monitor mode for the whole relay: every hit is recorded as 'monitor' and the message is delivered. */
  monitor?: boolean;
}

export type RuleMode = 'enforce' | 'monitor';

/** Facts a matched condition contributes to the hit (never customer data: counts, kinds, ids, masked values). */
export interface MatchFacts {
  /** Distinct customers concerned (ids). */
  customers: Set<string>;
  kinds: Set<string>;
  /** External recipients concerned (count only; the addresses are never put into reasons). */
  recipients: number;
  evidence: Evidence[];
  /** Human sentences from built-in checks, in evaluation order. */
  reasons: string[];
  /** Short tags naming the problem, e.g. "bulk", "foreign data". */
  labels: string[];
}

/** Per-message evaluation context (built once per decide() call, caches shared analyses). */
export interface EvalContext {
  input: DecideInput;
  /** Envelope recipients with directory info (fallback: unresolved external). */
  recipients: RecipientInfo[];
  /** External recipients that are not on the partner allow-list: the ones checks protect. */
  protectedRecipients: RecipientInfo[];
  sender: string;
  senderDomain: string;
  policy: PolicySet;
  cache: Map<string, unknown>;
}

/** A compiled condition: returns the facts when it holds, null when it does not. */
export type Condition = (ctx: EvalContext) => MatchFacts | null;

export interface RuleReply {
  code: number;
  enhanced: string;
  text?: string;
}

export interface Rule {
  id: string;
  description: string;
  /** Label for `policy test` metrics (default: the rule id). */
  category: string;
  /** Source of the rule, for messages: "default.yaml:12". */
  origin: string;
  file: string;
  line: number;
  order: number;
  enabled: boolean;
  mode: RuleMode;
  action: Action;
  /** For reject: code/enhanced/text; text may use {count} {customers} {recipients} {kinds} {rule}. */
  reply?: RuleReply;
  /** Overrides the built-in reason sentence; same placeholders as reply text. */
  reason?: string;
  notify: { sender: boolean; admins: boolean };
  /** When the rule fires, later rules are not evaluated (explicit exceptions). */
  stop: boolean;
  when: Condition;
  unless?: Condition;
}

export interface PolicySettings {
  /** Distinct foreign customers from which `check: bulk` fires (default 5). */
  bulkThreshold: number;
  /** Extra well-known domains for the lookalike check (added to the built-in provider list). */
  lookalikeDomains: string[];
}

export interface PolicySet {
  rules: Rule[];
  /** Sender groups: name → canonical addresses and '@domain' entries. */
  groups: Map<string, string[]>;
  /** Partner domains allowed to receive customer data (treated like internal by recipient checks). */
  partners: string[];
  settings: PolicySettings;
  /** Files the set was loaded from, in load order. */
  files: string[];
  loadedAt: Date;
}

export type { Action, SmtpReply };
