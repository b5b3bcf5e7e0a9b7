/**
 * Detection: every text segment of a parsed message is scanned once for values that are in the customer
 * directory (exact match after normalisation), and every envelope recipient is resolved to customers.
 * Synchronous; plaintext never leaves this module (findings carry masked values only).
 */
import type { Detection, Envelope, Finding, ParsedMessage, UnscannablePart } from '../core/types.js';
import type { DirectoryView } from '../directory/directory.js';
import { foldText, isTokenKind } from '../directory/normalize.js';
import { envelopeSet, withoutEnvelopeRecipients } from './header-recipients.js';
import { resolveRecipients } from './recipients.js';
import { sharedMissesFor, SegmentScanner, type ScanContext } from './recognizers.js';
import { borrowWords, releaseWords } from '../core/tokenize.js';

export interface DetectOptions {
  /** The organisation's own domains (recipients there are internal). */
  internalDomains: readonly string[];
  /** Time budget for scanning the segments (default 10 s); past it the message is unscannable ('timeout'). */
  timeoutMs?: number;
  /** Findings after which scanning stops (default 5,000); the message is then marked unscannable ('size-limit'). */
  maxFindings?: number;
}

export const DEFAULT_DETECT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_FINDINGS = 5_000;

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
    shared: sharedMissesFor(directory),
    firstNames: new Map(),
    tokenHits: new Map(),
    words: borrowWords(),
    deadline: performance.now() + (opts.timeoutMs ?? DEFAULT_DETECT_TIMEOUT_MS),
    maxFindings: opts.maxFindings ?? DEFAULT_MAX_FINDINGS,
    stopped: null,
    senderNames: parsed.from.map((a) => ` ${foldText(a.name)} `).filter((n) => n.trim() !== ''),
  };
  const findings: Finding[] = [];
  try {
    if (kinds.size > 0) {
      const rcpt = envelopeSet(envelope);
      for (const seg of parsed.segments) {
        if (ctx.stopped) break;
        if (seg.text) new SegmentScanner(withoutEnvelopeRecipients(seg, rcpt), ctx, findings).run();
      }
    }
  } finally {
    releaseWords(ctx.words);
  }
  const unscannable: UnscannablePart[] = parsed.unscannable.map((u) => ({ ...u }));
  // Stopping early is never a pass: what was not scanned makes the message unscannable (fail closed).
  if (ctx.stopped === 'timeout')
    unscannable.push({
      source: 'detection',
      reason: 'timeout',
      detail: `detection exceeded ${opts.timeoutMs ?? DEFAULT_DETECT_TIMEOUT_MS} ms`,
    });
  if (ctx.stopped === 'findings')
    unscannable.push({
      source: 'detection',
      reason: 'size-limit',
      detail: `more than ${ctx.maxFindings} findings; the rest was not scanned`,
    });
  return {
    findings,
    recipients: resolveRecipients(parsed, envelope, directory, opts.internalDomains),
    unscannable,
  };
}
