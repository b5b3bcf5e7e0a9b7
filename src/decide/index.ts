/** decide/: policies → verdicts. */
export { decide, moreSevere } from './decide.js';
export {
  compilePolicies,
  loadPolicies,
  policyError,
  DEFAULT_BULK_THRESHOLD,
  DEFAULT_ORDER,
  type PolicySource,
} from './loader.js';
export { PolicyWatcher, type PolicyWatcherOptions } from './watcher.js';
export {
  FileRecipientMemory,
  RedisRecipientMemory,
  firstTimeLookup,
  hashAddress,
  type RecipientMemory,
  type RedisSetClient,
} from './memory.js';
export { LookalikeMatcher, WELL_KNOWN_MAIL_DOMAINS, editDistance, skeleton, type LookalikeMatch } from './lookalike.js';
export { checkNames } from './checks.js';
export { policySchema } from './policy-schema.js';
export { formatIssue, type PolicyIssue } from '../core/yaml-tree.js';
export { evaluate, parseLabels, verdictCategories, type Evaluation, type Label } from './evaluate.js';
export type { DecideInput, DecideOptions, DomainSource, PolicySet, PolicySettings, Rule } from './types.js';
