/**
 * The parameters of built-in checks: their types (validated by the policy schema, read by the compiler), the
 * values a compiled check receives, and the readers the checks use.
 */
import type { SegmentLocation, Strength, UnscannableReason } from '../core/types.js';
import type { FindingFilter } from './context.js';
import type { Condition, PolicySettings } from './types.js';

export type ParamType = 'int' | 'bool' | 'strength' | 'strings' | 'locations' | 'reasons' | 'domains';

export const LOCATIONS: readonly SegmentLocation[] = ['subject', 'header', 'body', 'link', 'attachment'];
export const UNSCANNABLE_REASONS: readonly UnscannableReason[] = [
  'parse-error',
  'depth-limit',
  'size-limit',
  'page-limit',
  'part-limit',
  'timeout',
  'encrypted',
  'unsupported',
  'extract-error',
  'busy',
];

export interface CheckParams {
  int: Map<string, number>;
  bool: Map<string, boolean>;
  strength: Map<string, Strength>;
  strings: Map<string, string[]>;
}

/** An integer parameter, or `fallback` when the rule does not set it. */
export function intParam(params: CheckParams, name: string, fallback: number): number {
  return params.int.get(name) ?? fallback;
}

/** A true/false parameter, or `fallback`. */
export function boolParam(params: CheckParams, name: string, fallback: boolean): boolean {
  return params.bool.get(name) ?? fallback;
}

/** A list parameter as a set; undefined when the rule does not set it. */
export function stringSetParam(params: CheckParams, name: string): Set<string> | undefined {
  const values = params.strings.get(name);
  return values ? new Set(values) : undefined;
}

/** The finding filter of a check: its min_strength, kinds, exclude_kinds and locations over the check's defaults. */
export function findingFilterFrom(
  params: CheckParams,
  defaults: Partial<FindingFilter> & { minStrength: Strength },
): FindingFilter {
  const filter: FindingFilter = { minStrength: params.strength.get('min_strength') ?? defaults.minStrength };
  const kinds = stringSetParam(params, 'kinds') ?? defaults.kinds;
  if (kinds) filter.kinds = kinds;
  const excluded = stringSetParam(params, 'exclude_kinds') ?? defaults.excludeKinds;
  if (excluded) filter.excludeKinds = excluded;
  const locations = (stringSetParam(params, 'locations') as Set<SegmentLocation> | undefined) ?? defaults.locations;
  if (locations) filter.locations = locations;
  return filter;
}

/** A built-in check: its parameters (name → type, for the schema and the compiler) and how it compiles. */
export interface CheckDef {
  params: Record<string, ParamType>;
  build(params: CheckParams, settings: PolicySettings): Condition;
}

/** The finding-filter parameters several checks share. */
export const FINDING_PARAMS: Record<string, ParamType> = {
  min_strength: 'strength',
  kinds: 'strings',
  exclude_kinds: 'strings',
  locations: 'locations',
};
