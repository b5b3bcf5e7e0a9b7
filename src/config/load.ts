/**
 * Loads the configuration: defaults ← YAML file ← POSTGUARD_* environment ← command-line flags.
 * Every value is validated against the key table (config/keys.ts); an error names the key, where it came from
 * and, for the file, the line.
 */
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { ErrorCodes, PostguardError } from '../core/errors.js';
import { readYamlTree, type LNode, type YamlIssue } from '../core/yaml-tree.js';
import { CONFIG_KEYS, envName, findKey, flagName, type KeySpec } from './keys.js';

export interface Config {
  listen: string;
  hostname: string;
  tls: { cert: string; key: string };
  trustedNetworks: string[];
  usersFile: string;
  authRequireTls: boolean;
  limits: {
    maxSize: number;
    maxRecipients: number;
    maxConnections: number;
    maxConnectionsPerClient: number;
    commandTimeout: number;
    dataTimeout: number;
    scanTimeout: number;
    maxAuthFailures: number;
    maxAuthFailuresPerClient: number;
    greetingDelay: number;
    reservedConnections: number;
    connectionRatePerClient: number;
    stressThreshold: number;
    stressCommandTimeout: number;
    minProgressRate: number;
    progressWindow: number;
  };
  smtp: { bareNewline: 'normalize' | 'reject' };
  upstream: string;
  upstreamUser: string;
  upstreamPassword: string;
  upstreamStartTls: 'opportunistic' | 'required' | 'never';
  upstreamTlsVerify: boolean;
  upstreamPool: number;
  upstreamTimeout: number;
  upstreamEarlyTransaction: boolean;
  upstreamMaxRequeues: number;
  dataDir: string;
  redis: string;
  redisPrefix: string;
  directorySecret: string;
  quarantineKey: string;
  directory: string[];
  directoryColumns: string[];
  directorySync: { postgres: string; query: string; every: number; fullEvery: number };
  internalDomains: string[];
  policies: string;
  monitor: boolean;
  scanning: boolean;
  adminListen: string;
  publicUrl: string;
  admin: { trustedProxies: string[] };
  retentionDays: number;
  notify: {
    admins: string[];
    digestEvery: number;
    from: string;
    senderBatch: number;
    webhook: string;
    webhookSecret: string;
    webhookQueue: number;
  };
  journal: { retention: number; postgres: string };
  quarantine: { releasingTimeout: number };
  logLevel: string;
  workers: number;
}

/** Where a value came from, for error messages. */
export type Origin =
  | { kind: 'default' }
  | { kind: 'file'; file: string; line: number }
  | { kind: 'env'; name: string }
  | { kind: 'flag'; name: string };

function describe(origin: Origin): string {
  switch (origin.kind) {
    case 'file':
      return `${origin.file}:${origin.line}`;
    case 'env':
      return `environment ${origin.name}`;
    case 'flag':
      return `flag --${origin.name}`;
    default:
      return '';
  }
}

export function configError(spec: KeySpec | string, origin: Origin, problem: string): PostguardError {
  const key = typeof spec === 'string' ? spec : spec.key;
  const where = describe(origin);
  return new PostguardError(ErrorCodes.CONFIG_INVALID, `config key "${key}"${where ? ` (${where})` : ''}: ${problem}`, {
    details: { key, origin },
  });
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};
const TIME_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  '': 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

function parseWithUnit(raw: string, units: Record<string, number>): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw);
  if (!m) return null;
  const unit = units[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  return Math.round(Number(m[1]) * unit);
}

/**
 * A duration in milliseconds: `500ms`, `30s`, `5m`, `2h`, `400d`; a bare number is seconds. null when malformed
 * (negative numbers and unknown units included).
 */
export function parseDuration(raw: string): number | null {
  return parseWithUnit(raw, TIME_UNITS);
}

/** Milliseconds as written in help and docs: whole seconds as `30s`, the rest as `500ms`, zero as `0`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function checkHostPort(v: string): boolean {
  if (v === '') return true;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(v);
  return !!m && Number(m[2]) <= 65535;
}

/** Converts one raw value (string from env/flag, or YAML scalar/sequence) to the key's type. */
export function coerce(spec: KeySpec, raw: unknown, origin: Origin): unknown {
  const fail = (problem: string): never => {
    throw configError(spec, origin, problem);
  };
  const str = (): string => {
    if (typeof raw === 'string') return raw;
    if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
    if (raw === null || raw === undefined) return '';
    return fail('expected a single value');
  };
  const bounded = (n: number, unit = ''): number => {
    if (spec.min !== undefined && n < spec.min) fail(`must be at least ${spec.min}${unit}`);
    if (spec.max !== undefined && n > spec.max) fail(`must be at most ${spec.max}${unit}`);
    return n;
  };
  switch (spec.type) {
    case 'string':
      return str();
    case 'int': {
      const s = str().trim();
      if (!/^-?\d+$/.test(s)) fail(`expected a whole number, got "${s}"`);
      return bounded(Number(s));
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = str().trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(s)) return true;
      if (['false', '0', 'no', 'off', ''].includes(s)) return false;
      return fail(`expected true or false, got "${s}"`);
    }
    case 'bytes': {
      const n = typeof raw === 'number' ? raw : parseWithUnit(str(), SIZE_UNITS);
      if (n === null || !Number.isFinite(n)) return fail(`expected a size such as 25MB, got "${str()}"`);
      return bounded(n, ' bytes');
    }
    case 'duration': {
      const n = typeof raw === 'number' ? raw * 1000 : parseWithUnit(str(), TIME_UNITS);
      if (n === null || !Number.isFinite(n))
        return fail(`expected a duration such as 500ms, 30s, 5m or 2h (a bare number is seconds), got "${str()}"`);
      return bounded(n, ' ms');
    }
    case 'hostport': {
      const s = str().trim();
      if (!checkHostPort(s)) fail(`expected HOST:PORT, got "${s}"`);
      return s;
    }
    case 'url': {
      const s = str().trim();
      if (s === '') return s;
      try {
        new URL(s);
      } catch {
        fail('expected a URL');
      }
      return s;
    }
    case 'upstream': {
      const s = str().trim();
      if (s.startsWith('dir:')) {
        if (s.length <= 4) fail('dir: needs a path, e.g. dir:./outbox');
        return s;
      }
      let u: URL | undefined;
      try {
        u = new URL(s);
      } catch {
        fail('expected smtp://HOST:PORT, smtps://HOST:PORT or dir:PATH');
      }
      if (!u || !['smtp:', 'smtps:'].includes(u.protocol))
        fail('expected smtp://HOST:PORT, smtps://HOST:PORT or dir:PATH');
      if (!u!.hostname) fail('the upstream URL needs a host');
      return s;
    }
    case 'list': {
      if (Array.isArray(raw)) return raw.map((v) => String(v));
      const s = str().trim();
      return s === ''
        ? []
        : s
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean);
    }
  }
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let obj = target;
  for (const p of parts.slice(0, -1)) {
    obj[p] ??= {};
    obj = obj[p] as Record<string, unknown>;
  }
  obj[parts[parts.length - 1]!] = value;
}

function defaults(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of CONFIG_KEYS) setPath(out, spec.key, structuredClone(spec.default));
  return out;
}

/** Reads the YAML file into (key → {value, line}); unknown keys and wrong shapes are errors with line numbers. */
export function readConfigFile(file: string): Map<string, { value: unknown; line: number }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PostguardError(
      ErrorCodes.CONFIG_FILE,
      `cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: err },
    );
  }
  const issues: YamlIssue[] = [];
  const tree = readYamlTree(file, text, issues);
  const first = issues[0];
  if (first) {
    const code = tree ? ErrorCodes.CONFIG_INVALID : ErrorCodes.CONFIG_FILE; // no tree: a syntax error
    throw new PostguardError(code, `${file}:${first.line}: ${first.message}`, { details: { file, line: first.line } });
  }
  const out = new Map<string, { value: unknown; line: number }>();
  const walk = (node: LNode, prefix: string): void => {
    if (node.kind === 'scalar' && node.value === null) return;
    if (node.kind !== 'map') {
      throw new PostguardError(ErrorCodes.CONFIG_INVALID, `${file}:${node.line}: expected a mapping of config keys`, {
        details: { file },
      });
    }
    for (const [name, entry] of node.entries) {
      const full = prefix ? `${prefix}.${name}` : name;
      const line = entry.keyLine;
      const spec = findKey(full);
      const v = entry.value;
      if (spec) {
        let value: unknown;
        if (v.kind === 'scalar') value = v.value;
        else if (v.kind === 'seq') value = v.items.map((i) => (i.kind === 'scalar' ? i.value : undefined));
        else throw configError(spec, { kind: 'file', file, line }, 'expected a value, not a mapping');
        out.set(full, { value, line });
      } else if (CONFIG_KEYS.some((k) => k.key.startsWith(full + '.'))) {
        walk(v, full);
      } else {
        throw new PostguardError(ErrorCodes.CONFIG_INVALID, `${file}:${line}: unknown config key "${full}"`, {
          details: { key: full, file, line },
        });
      }
    }
  };
  if (tree) walk(tree, '');
  return out;
}

export interface LoadOptions {
  /** Config file path (from --config or POSTGUARD_CONFIG); missing = none. */
  file?: string;
  /** Raw flag values by key (as commander parsed them). */
  flags?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

/** Builds the effective configuration. Throws PostguardError(CONFIG_INVALID | CONFIG_FILE). */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cfg = defaults();
  const file = opts.file ?? env.POSTGUARD_CONFIG;
  if (file) {
    for (const [key, { value, line }] of readConfigFile(file)) {
      const spec = findKey(key)!;
      setPath(cfg, key, coerce(spec, value, { kind: 'file', file, line }));
    }
  }
  for (const spec of CONFIG_KEYS) {
    const name = envName(spec);
    const raw = env[name];
    if (raw !== undefined) setPath(cfg, spec.key, coerce(spec, raw, { kind: 'env', name }));
  }
  for (const [key, raw] of Object.entries(opts.flags ?? {})) {
    if (raw === undefined) continue;
    const spec = findKey(key);
    if (!spec) continue;
    const origin: Origin = { kind: 'flag', name: flagName(spec) }; // as typed: --upstream-timeout, not the key
    const value =
      Array.isArray(raw) && spec.type === 'list'
        ? raw.flatMap((r) => coerce(spec, r, origin) as string[])
        : coerce(spec, raw, origin);
    setPath(cfg, spec.key, value);
  }
  const config = cfg as unknown as Config;
  validateCrossKeys(config);
  return config;
}

function validateCrossKeys(c: Config): void {
  const d: Origin = { kind: 'default' };
  if (!['opportunistic', 'required', 'never'].includes(c.upstreamStartTls)) {
    throw configError('upstreamStartTls', d, 'must be opportunistic, required or never');
  }
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(c.logLevel)) {
    throw configError('logLevel', d, 'must be one of trace, debug, info, warn, error, fatal, silent');
  }
  if (Boolean(c.tls.cert) !== Boolean(c.tls.key)) {
    throw configError(c.tls.cert ? 'tls.key' : 'tls.cert', d, 'tls.cert and tls.key must be given together');
  }
  if (c.quarantineKey && !/^[0-9a-fA-F]{64}$/.test(c.quarantineKey)) {
    throw configError('quarantineKey', d, 'must be 64 hexadecimal characters (32 bytes)');
  }
  if (c.redis && !c.directorySecret) {
    throw configError(
      'directorySecret',
      d,
      'a shared Redis store needs a configured directorySecret (the same on every relay)',
    );
  }
  if (c.redis && !c.quarantineKey) {
    throw configError(
      'quarantineKey',
      d,
      'a shared Redis store needs a configured quarantineKey (the same on every relay)',
    );
  }
  for (const dom of c.internalDomains) {
    if (!/^[a-z0-9.-]+\.[a-z0-9-]+$/i.test(dom))
      throw configError('internalDomains', d, `"${dom}" is not a domain name`);
  }
  c.internalDomains = c.internalDomains.map((x) => x.toLowerCase());
  if (!['normalize', 'reject'].includes(c.smtp.bareNewline))
    throw configError('smtp.bareNewline', d, 'must be normalize or reject');
  if (c.limits.reservedConnections >= c.limits.maxConnections) {
    throw configError(
      'limits.reservedConnections',
      d,
      `${c.limits.reservedConnections} leaves no connection of limits.maxConnections (${c.limits.maxConnections}) for clients outside trustedNetworks`,
    );
  }
  if (c.notify.webhook && !/^https?:\/\//i.test(c.notify.webhook))
    throw configError('notify.webhook', d, 'must be an http:// or https:// URL');
  if (c.notify.webhook && !c.notify.webhookSecret)
    throw configError('notify.webhookSecret', d, 'notify.webhook needs a notify.webhookSecret to sign its requests');
  if (c.journal.postgres && !/^postgres(ql)?:\/\//i.test(c.journal.postgres))
    throw configError('journal.postgres', d, 'must be a postgres:// URL');
  for (const a of c.notify.admins)
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a)) throw configError('notify.admins', d, 'expected email addresses');
  for (const cidr of c.admin.trustedProxies) {
    const [ip = '', bits, extra] = cidr.split('/');
    const family = isIP(ip);
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) {
      throw configError('admin.trustedProxies', d, `"${cidr}" is not an IP address or CIDR network`);
    }
  }
  if (c.limits.maxConnectionsPerClient > c.limits.maxConnections) {
    throw configError(
      'limits.maxConnectionsPerClient',
      d,
      `${c.limits.maxConnectionsPerClient} exceeds limits.maxConnections (${c.limits.maxConnections})`,
    );
  }
}

/** A copy safe to print: secrets replaced. */
export function redactConfig(c: Config): Record<string, unknown> {
  const copy = structuredClone(c) as unknown as Record<string, unknown>;
  for (const spec of CONFIG_KEYS) {
    if (!spec.secret) continue;
    const parts = spec.key.split('.');
    let obj: Record<string, unknown> = copy;
    for (const p of parts.slice(0, -1)) obj = obj[p] as Record<string, unknown>;
    const last = parts[parts.length - 1]!;
    if (obj[last]) obj[last] = '(set)';
  }
  if (typeof copy.redis === 'string' && copy.redis) copy.redis = copy.redis.replace(/\/\/[^@/]*@/, '//(credentials)@');
  if (typeof copy.upstream === 'string') copy.upstream = copy.upstream.replace(/\/\/[^@/]*@/, '//(credentials)@');
  return copy;
}
