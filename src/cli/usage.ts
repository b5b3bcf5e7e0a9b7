/**
 * Usage mistakes (a missing argument, an unknown option, `--limit abc`): one line on stderr naming the mistake
 * and the command's help, exit code 2. Option values that must be numbers or durations are checked while the
 * command line is parsed, by the argument parsers here.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration } from '../config/load.js';
import { ErrorCodes, isPostguardError } from '../core/errors.js';

let running: Command | undefined;

/** Remembered in main's preAction hook, so that an action's usage error can name the command's --help. */
export function noteRunningCommand(cmd: Command): void {
  running = cmd;
}

export function runningCommand(): Command | undefined {
  return running;
}

/** A mistake in how the command was called (exit 2 with a pointer to --help), rather than a failure to do it. */
export function isUsageMistake(err: unknown): boolean {
  if (isPostguardError(err, ErrorCodes.USAGE)) return true;
  const origin = isPostguardError(err, ErrorCodes.CONFIG_INVALID)
    ? (err.details?.origin as { kind?: string } | undefined)
    : undefined;
  return origin?.kind === 'flag';
}

/**
 * Runs an action of the commands that report their own failures (quarantine, admin, report): errors become one
 * line on stderr and exit code 1 (2, with the pointer to --help, for a usage mistake).
 */
export async function runCommand(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const usage = isPostguardError(err, ErrorCodes.USAGE);
    console.error(usage ? usageLine(message, runningCommand() ?? 'postguard') : `postguard: ${message}`);
    process.exitCode = usage ? 2 : 1;
  }
}

/** `postguard quarantine list` for the command object of `list`. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The sub-command that argv names (options skipped), for a parse error raised before any action ran. */
export function commandFromArgv(program: Command, args: readonly string[]): Command {
  let cmd = program;
  for (const a of args) {
    if (a.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) break;
    cmd = sub;
  }
  return cmd;
}

/** The one line printed for a usage mistake. */
export function usageLine(message: string, cmd: Command | string): string {
  const path = typeof cmd === 'string' ? cmd : commandPath(cmd);
  return `postguard: ${message.replace(/^error: /, '').trim()} (see '${path} --help')`;
}

/** Argument parser: a whole number within [min, max]. */
export function intArg(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const s = value.trim();
    if (!/^-?\d+$/.test(s)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
    const n = Number(s);
    if (n < min) throw new InvalidArgumentError(`must be at least ${min}`);
    if (n > max) throw new InvalidArgumentError(`must be at most ${max}`);
    return n;
  };
}

/** Argument parser: a duration (`500ms`, `30s`, `5m`, `2h`, `400d`; a bare number is seconds) → milliseconds. */
export function durationArg(minMs = 0): (value: string) => number {
  return (value) => {
    const ms = parseDuration(value);
    if (ms === null || !Number.isFinite(ms))
      throw new InvalidArgumentError(`expected a duration such as 30s, 5m, 2h or 400d, got "${value}"`);
    if (ms < minMs) throw new InvalidArgumentError(`must be at least ${minMs} ms`);
    return ms;
  };
}

/**
 * Argument parser for a point in time: an ISO date/time (`2026-05-01`, `2026-05-01T10:00Z`) or a duration meaning
 * that long ago (`2h`, `400d`).
 */
export function sinceArg(now: () => number = Date.now): (value: string) => Date {
  return (value) => {
    const ms = parseDuration(value);
    if (ms !== null && /[a-z]$/i.test(value.trim())) return new Date(now() - ms);
    if (/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
      const d = new Date(value);
      if (!Number.isNaN(d.getTime())) return d;
    }
    throw new InvalidArgumentError(`expected an ISO date (2026-05-01) or a duration ago (2h, 30d), got "${value}"`);
  };
}
