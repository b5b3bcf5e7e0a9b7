/**
 * What `postguard scan` does, and the scan behind `postguard policy test`: loaded when one of them runs (the
 * inspector pulls in the MIME parser, the extractors' front ends and the detectors).
 */
import { readFile } from 'node:fs/promises';
import { canonicalAddress } from '../../core/address.js';
import type { Detection, Envelope, ParsedMessage } from '../../core/types.js';
import { loadPolicies } from '../../decide/index.js';
import type { DomainSource } from '../../decide/types.js';
import { decideScan, scanMessage } from '../../inspect/inspector.js';
import type { CommandContext } from '../context.js';

const EXIT = { deliver: 0, tag: 0, quarantine: 3, reject: 4 } as const;

/** Envelope from --from/--to, else from the message's own From and To/Cc/Bcc. */
export function envelopeFor(parsed: ParsedMessage, from?: string, to?: string[]): Envelope {
  const rcpt = to?.length ? to : [...parsed.to, ...parsed.cc, ...parsed.bcc].map((a) => a.address).filter(Boolean);
  const mailFrom = from ?? parsed.from[0]?.address ?? '';
  return { mailFrom, rcptTo: [...new Set(rcpt.map((a) => canonicalAddress(a) ?? a))] };
}

/** `scan FILE…`: one JSON line per file; sets the exit code (worst over all files). */
export async function scanFiles(
  ctx: CommandContext,
  files: string[],
  o: { from?: string; to?: string[]; verdict: boolean },
): Promise<void> {
  const config = ctx.config();
  const directory = await ctx.directory();
  const policy = o.verdict ? await loadPolicies(ctx.policiesDir()) : undefined;
  let exit = 0;
  for (const file of files) {
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (err) {
      console.log(
        JSON.stringify({ file, error: `cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})` }),
      );
      exit = Math.max(exit, 2);
      continue;
    }
    const deps = { directory, internalDomains: config.internalDomains, policy: () => policy!, monitor: config.monitor };
    const scan = await scanMessage(raw, (parsed) => envelopeFor(parsed, o.from, o.to), deps);
    const verdict = policy ? await decideScan(scan, scan.envelope, deps) : undefined;
    const d = scan.detection;
    console.log(
      JSON.stringify({
        file,
        recipients: d.recipients.map((r) => ({
          address: r.address,
          customers: r.customers,
          internal: r.internal,
          visibleIn: r.visibleIn,
        })),
        findings: d.findings.map((f) => ({
          kind: f.kind,
          customers: f.customers,
          strength: f.strength,
          location: f.location,
          source: f.source,
          masked: f.masked,
        })),
        unscannable: d.unscannable,
        ...(verdict
          ? {
              verdict: {
                action: verdict.action,
                rules: verdict.rules,
                reason: verdict.reason,
                ...(verdict.reply ? { reply: verdict.reply } : {}),
              },
            }
          : {}),
      }),
    );
    if (d.unscannable.length) exit = Math.max(exit, 2);
    if (verdict && exit !== 2) exit = Math.max(exit, EXIT[verdict.action]);
  }
  process.exitCode = exit;
}

/** One message scanned for `policy test` (envelope from its headers), with the directory as the domain source. */
export async function scanForPolicyTest(
  ctx: CommandContext,
  file: string,
): Promise<{ parsed: ParsedMessage; detection: Detection; envelope: Envelope; domains: DomainSource }> {
  const raw = await readFile(file);
  const config = ctx.config();
  const directory = await ctx.directory();
  const deps = { directory, internalDomains: config.internalDomains };
  const scan = await scanMessage(raw, (parsed) => envelopeFor(parsed), deps);
  return { ...scan, domains: directory };
}
