/**
 * Adds config keys as command-line flags (derived from config/keys.ts) and turns parsed flags into a Config.
 * Every command that touches the stores or the upstream takes the same flags as `serve`.
 */
import { Option, type Command } from 'commander';
import { CONFIG_KEYS, flagName, type KeySpec } from '../config/keys.js';
import { formatDuration, loadConfig, type Config } from '../config/load.js';

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds `--config` and a flag for each key (all keys, or those whose name passes `filter`). */
export function addConfigOptions(cmd: Command, filter: (spec: KeySpec) => boolean = () => true): Command {
  cmd.option('--config <file>', 'YAML config file (also POSTGUARD_CONFIG)');
  for (const spec of CONFIG_KEYS) {
    if (!filter(spec)) continue;
    const flag = flagName(spec);
    const def = Array.isArray(spec.default)
      ? spec.default.length
        ? spec.default.join(',')
        : 'none'
      : spec.type === 'duration'
        ? formatDuration(spec.default as number)
        : String(spec.default === '' ? 'none' : spec.default);
    // Durations are shown in the unit they are read in: a bare number is seconds (config/load.ts).
    const unit = spec.type === 'duration' ? ' Duration: 500ms, 30s, 5m, 2h, 1d; a bare number is seconds.' : '';
    const help = `${spec.description}${unit} [${spec.secret ? 'secret' : 'default: ' + def}]`;
    if (spec.type === 'bool') {
      cmd.addOption(new Option(`--${flag} [bool]`, help));
    } else if (spec.type === 'list') {
      cmd.addOption(new Option(`--${flag} <value>`, help + ' (repeatable)').argParser(collect));
    } else {
      cmd.addOption(new Option(`--${flag} <value>`, help));
    }
  }
  return cmd;
}

/** Store/upstream keys shared by the offline commands (scan, directory, quarantine, policy). */
export const STORE_KEYS = new Set([
  'dataDir',
  'redis',
  'redisPrefix',
  'directorySecret',
  'quarantineKey',
  'directory',
  'directoryColumns',
  'internalDomains',
  'policies',
  'upstream',
  'upstreamUser',
  'upstreamPassword',
  'upstreamStartTls',
  'upstreamTlsVerify',
  'upstreamTimeout',
  'hostname',
  'logLevel',
  'retentionDays',
  'quarantine.releasingTimeout',
  'publicUrl',
  'notify.from',
  'monitor',
  'adminListen',
  'journal.postgres',
  'journal.retention',
]);

export function addStoreOptions(cmd: Command): Command {
  return addConfigOptions(cmd, (s) => STORE_KEYS.has(s.key));
}

/** Builds the Config from a command's parsed options (flags > env > file > defaults). */
export function configFromCommand(cmd: Command): Config {
  const opts = cmd.optsWithGlobals<Record<string, unknown>>();
  const flags: Record<string, unknown> = {};
  for (const spec of CONFIG_KEYS) {
    const v = opts[camel(flagName(spec))];
    if (v === undefined) continue;
    flags[spec.key] = spec.type === 'bool' && v === true ? 'true' : v;
  }
  return loadConfig({ file: opts.config as string | undefined, flags });
}
