/**
 * The `inspect` step with scanning on: parse → detect → decide. One parse of the raw bytes feeds detection and
 * the policy; the verdict goes back to the transaction, which delivers exactly the bytes that were scanned.
 */
import { ErrorCodes, PostguardError } from '../core/errors.js';
import type { Detection, Envelope, InboundMessage, Inspector, ParsedMessage, Verdict } from '../core/types.js';
import { decide, firstTimeLookup, type PolicySet, type RecipientMemory } from '../decide/index.js';
import { detect } from '../detect/index.js';
import type { DirectoryView } from '../directory/index.js';
import { parseMessage, type ParseLimits } from '../parse/index.js';

export interface ScanDeps {
  directory: DirectoryView;
  internalDomains: readonly string[];
  parseLimits?: Partial<ParseLimits>;
  /** The whole scan's budget (limits.scanTimeout): parse gets 60 % of it, detection what is left of 90 %. */
  scanTimeoutMs?: number;
  /** Findings after which detection stops and the message is unscannable (default DEFAULT_MAX_FINDINGS). */
  maxFindings?: number;
}

export interface Scan {
  parsed: ParsedMessage;
  detection: Detection;
  /** The envelope detection resolved recipients against. */
  envelope: Envelope;
}

/**
 * Parses and detects: what `postguard scan` prints and what the policy decides on. The envelope may be derived
 * from the parsed message (offline scans take recipients from the headers) without parsing twice.
 */
export async function scanMessage(
  raw: Buffer,
  envelopeOf: Envelope | ((parsed: ParsedMessage) => Envelope),
  deps: ScanDeps,
): Promise<Scan> {
  const budget = deps.scanTimeoutMs ?? 20_000;
  const started = performance.now();
  const parsed = await parseMessage(raw, { timeoutMs: Math.round(budget * 0.6), ...deps.parseLimits });
  const envelope = typeof envelopeOf === 'function' ? envelopeOf(parsed) : envelopeOf;
  const left = budget * 0.9 - (performance.now() - started);
  // Detection is synchronous: its own deadline keeps one message from holding the event loop past the budget.
  const detection = detect(parsed, envelope, deps.directory, {
    internalDomains: [...deps.internalDomains],
    timeoutMs: Math.max(50, left),
    ...(deps.maxFindings !== undefined ? { maxFindings: deps.maxFindings } : {}),
  });
  return { parsed, detection, envelope };
}

export interface InspectorDeps extends ScanDeps {
  /** The current policy (hot-reloaded by the watcher). */
  policy: () => PolicySet;
  monitor: boolean;
  /** First-time-recipient memory; without it that check never fires. */
  memory?: RecipientMemory;
}

export async function decideScan(
  scan: Scan,
  envelope: Envelope,
  deps: InspectorDeps,
  client?: import('../core/types.js').ClientInfo,
): Promise<Verdict> {
  const external = scan.detection.recipients.filter((r) => !r.internal).map((r) => r.address);
  const firstTime = deps.memory && external.length ? await firstTimeLookup(deps.memory, external) : undefined;
  return decide(
    { envelope, client, parsed: scan.parsed, detection: scan.detection, domains: deps.directory, firstTime },
    deps.policy(),
    { monitor: deps.monitor },
  );
}

/**
 * `onVerdict` sees each message's scan and verdict (e.g. to keep the subject of a held message).
 *
 * A part that could not be read because every extraction worker was busy with other messages ('busy') makes the
 * scan fail with EPG_SCAN_BUSY instead of reaching the policy: the relay answers 451 and the client sends the
 * message again later, when the burst is over, rather than it being held for someone to release by hand.
 */
export function createInspector(
  deps: InspectorDeps,
  onVerdict?: (message: InboundMessage, scan: Scan, verdict: Verdict) => void,
): Inspector {
  return async (message) => {
    const scan = await scanMessage(message.raw, message.envelope, deps);
    if (scan.parsed.unscannable.some((u) => u.reason === 'busy')) {
      throw new PostguardError(ErrorCodes.SCAN_BUSY, 'extraction workers busy with other messages');
    }
    const verdict = await decideScan(scan, message.envelope, deps, message.client);
    onVerdict?.(message, scan, verdict);
    return verdict;
  };
}
