/**
 * `postguard scan FILE.eml [FILE.eml …]`: the relay's verdict, offline. One JSON object per file per line:
 * file, recipients (address, customers, internal), findings (kind, customers, strength, location, source, masked),
 * unscannable parts, verdict (action, rules, reason, reply). Values appear only masked.
 *
 * Exit code (worst over all files): 0 deliver or tag, 3 quarantine, 4 reject, 2 a file could not be read or had
 * parts that could not be scanned.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { canonicalAddress } from '../../core/address.js';
import type { Envelope, ParsedMessage } from '../../core/types.js';
import { loadPolicies } from '../../decide/index.js';
import { decideScan, scanMessage } from '../../inspect/inspector.js';
import { addStoreOptions } from '../config-options.js';
import type { CommandContext } from '../context.js';

const EXIT = { deliver: 0, tag: 0, quarantine: 3, reject: 4 } as const;

/** Envelope from --from/--to, else from the message's own From and To/Cc/Bcc. */
export function envelopeFor(parsed: ParsedMessage, from?: string, to?: string[]): Envelope {
  const rcpt = to?.length ? to : [...parsed.to, ...parsed.cc, ...parsed.bcc].map((a) => a.address).filter(Boolean);
  const mailFrom = from ?? parsed.from[0]?.address ?? '';
  return { mailFrom, rcptTo: [...new Set(rcpt.map((a) => canonicalAddress(a) ?? a))] };
}

export function registerScanCommand(program: Command, ctx: CommandContext): void {
  addStoreOptions(
    program
      .command('scan')
      .argument('<files...>', 'messages (.eml) to scan')
      .option('--from <address>', 'envelope sender (default: the From header)')
      .option('--to <address>', 'envelope recipient (repeatable; default: To, Cc and Bcc headers)', (v: string, p: string[] = []) => [...p, v])
      .option('--no-verdict', 'print findings only, do not apply the policies')
      .description('Scan messages offline and print findings and the verdict as JSON lines'),
  ).action(async (files: string[], o: { from?: string; to?: string[]; verdict: boolean }) => {
    const config = ctx.config();
    const directory = await ctx.directory();
    const policy = o.verdict ? await loadPolicies(ctx.policiesDir()) : undefined;
    let exit = 0;
    for (const file of files) {
      let raw: Buffer;
      try {
        raw = await readFile(file);
      } catch (err) {
        console.log(JSON.stringify({ file, error: `cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})` }));
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
          recipients: d.recipients.map((r) => ({ address: r.address, customers: r.customers, internal: r.internal, visibleIn: r.visibleIn })),
          findings: d.findings.map((f) => ({ kind: f.kind, customers: f.customers, strength: f.strength, location: f.location, source: f.source, masked: f.masked })),
          unscannable: d.unscannable,
          ...(verdict ? { verdict: { action: verdict.action, rules: verdict.rules, reason: verdict.reason, ...(verdict.reply ? { reply: verdict.reply } : {}) } } : {}),
        }),
      );
      if (d.unscannable.length) exit = Math.max(exit, 2);
      if (verdict && exit !== 2) exit = Math.max(exit, EXIT[verdict.action]);
    }
    process.exitCode = exit;
  });
}
