/**
 * Built-in checks: the named conditions (`check: foreign_data`, …) the default policy is written with. Each
 * declares its parameters (check-params.ts; the policy schema is generated from them) and compiles to a
 * Condition. By subject: checks-foreign.ts (another customer's data), checks-recipients.ts (who receives it),
 * checks-content.ts (links, unreadable parts, greetings).
 */
import type { CheckDef, CheckParams, ParamType } from './check-params.js';
import { CONTENT_CHECKS } from './checks-content.js';
import { FOREIGN_DATA_CHECKS } from './checks-foreign.js';
import { RECIPIENT_CHECKS } from './checks-recipients.js';
import type { Condition, PolicySettings } from './types.js';

export { LOCATIONS, UNSCANNABLE_REASONS, type CheckParams, type ParamType } from './check-params.js';
export { DEFAULT_OWN_ALLOWED_IN_LINKS } from './checks-content.js';
/** Greetings with titles, in every language the directory covers: src/detect/salutations.ts. */
export { precededByGreeting } from '../detect/salutations.js';

const CHECKS: Record<string, CheckDef> = { ...FOREIGN_DATA_CHECKS, ...RECIPIENT_CHECKS, ...CONTENT_CHECKS };

export function checkNames(): string[] {
  return Object.keys(CHECKS).sort();
}

export function checkParamSpec(name: string): Record<string, ParamType> | undefined {
  return CHECKS[name]?.params;
}

export function buildCheck(name: string, params: CheckParams, settings: PolicySettings): Condition {
  const def = CHECKS[name];
  if (!def) throw new Error(`unknown check ${name}`);
  return def.build(params, settings);
}
