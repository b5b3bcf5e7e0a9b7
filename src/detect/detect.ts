/**
 * Detection: every text segment of a parsed message is scanned once for values that are in the customer
 * directory (exact match after normalisation), and every envelope recipient is resolved to customers.
 * Synchronous; plaintext never leaves this module (findings carry masked values only).
 */
import type { Detection, Envelope, Finding, ParsedMessage } from '../core/types.js';
import type { DirectoryView } from '../directory/directory.js';
import { isTokenKind } from '../directory/normalize.js';
import { resolveRecipients } from './recipients.js';
import { SegmentScanner, type ScanContext } from './recognizers.js';

export interface DetectOptions {
  /** The organisation's own domains (recipients there are internal). */
  internalDomains: readonly string[];
}

/** Regions tried for phone numbers written in national format: the directory's, then the default. */
function phoneRegions(directory: DirectoryView): string[] {
  const regions = [...directory.regions()];
  const def = directory.defaultRegion();
  if (def && !regions.includes(def)) regions.push(def);
  return regions;
}

export function detect(
  parsed: ParsedMessage,
  envelope: Envelope,
  directory: DirectoryView,
  opts: DetectOptions,
): Detection {
  const kinds = directory.kinds();
  const tokenKinds = [...kinds].filter(isTokenKind);
  const ctx: ScanContext = {
    directory,
    kinds,
    regions: phoneRegions(directory),
    tokenKinds,
    digitlessTokenKinds: tokenKinds.filter((k) => !directory.requiresDigit(k)),
    memo: new Map(),
    phoneMemo: new Map(),
  };
  const findings: Finding[] = [];
  if (kinds.size > 0) {
    for (const seg of parsed.segments) {
      if (seg.text) new SegmentScanner(seg, ctx, findings).run();
    }
  }
  return {
    findings,
    recipients: resolveRecipients(parsed, envelope, directory, opts.internalDomains),
    unscannable: parsed.unscannable.map((u) => ({ ...u })),
  };
}
