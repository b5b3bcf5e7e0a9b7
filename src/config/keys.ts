/**
 * Every configuration key, in one table. The YAML file, the `serve` flags, the POSTGUARD_* environment variables
 * and the README's key reference are all derived from it, so they cannot drift apart.
 *
 * Key `limits.maxSize` → YAML `limits: { maxSize: … }`, flag `--limits-max-size`, env `POSTGUARD_LIMITS_MAX_SIZE`.
 * Precedence: flag > environment > file > default.
 */

export type KeyType = 'string' | 'int' | 'bool' | 'bytes' | 'duration' | 'hostport' | 'list' | 'url' | 'upstream';

export interface KeySpec {
  key: string;
  type: KeyType;
  default: unknown;
  description: string;
  /** Short flag name when it differs from the derived one (the names the README documents). */
  flag?: string;
  /** Secret values are never printed (config dumps, errors). */
  secret?: boolean;
  /** Lower/upper bound for numbers, bytes and durations (ms). */
  min?: number;
  max?: number;
}

export const CONFIG_KEYS: readonly KeySpec[] = [
  // --- inbound SMTP -----------------------------------------------------------------------------------
  { key: 'listen', type: 'hostport', default: '127.0.0.1:2525', description: 'SMTP listen address (HOST:PORT).' },
  {
    key: 'hostname',
    type: 'string',
    default: '',
    description: 'Name in the greeting and EHLO reply; empty = system host name.',
  },
  { key: 'tls.cert', type: 'string', default: '', description: 'PEM certificate file; with tls.key enables STARTTLS.' },
  { key: 'tls.key', type: 'string', default: '', description: 'PEM private key file for STARTTLS.', secret: false },
  {
    key: 'trustedNetworks',
    type: 'list',
    default: ['127.0.0.0/8', '::1/128'],
    description: 'Client networks (CIDR) that may relay without AUTH. Everyone else must authenticate.',
  },
  {
    key: 'usersFile',
    type: 'string',
    default: '',
    description: 'SMTP AUTH users (scrypt hashes), managed with `postguard user`; empty = DATA_DIR/users.json.',
  },
  {
    key: 'authRequireTls',
    type: 'bool',
    default: true,
    description:
      'Offer AUTH to clients outside trustedNetworks only after STARTTLS (Postfix smtpd_tls_auth_only): before it their EHLO lists no AUTH and AUTH gets 538 5.7.11 before any credential is read. Without tls.cert such clients cannot authenticate. false = AUTH in cleartext too.',
  },
  {
    key: 'limits.maxSize',
    type: 'bytes',
    default: 25 * 1024 * 1024,
    min: 1024,
    description: 'Largest message accepted (SIZE); enforced while streaming, 552 at end of DATA.',
  },
  {
    key: 'limits.maxRecipients',
    type: 'int',
    default: 100,
    min: 1,
    description: 'Recipients per message; more get 452 4.5.3.',
  },
  {
    key: 'limits.maxConnections',
    type: 'int',
    default: 200,
    min: 1,
    description:
      'Concurrent SMTP connections in total; more get 421 4.7.0 (limits.reservedConnections of them only for trustedNetworks).',
  },
  {
    key: 'limits.maxConnectionsPerClient',
    type: 'int',
    default: 20,
    min: 1,
    description:
      'Concurrent connections per client address outside trustedNetworks (until it authenticates); more get 421 4.7.0. Trusted clients are not limited per address.',
  },
  {
    key: 'limits.commandTimeout',
    type: 'duration',
    default: 60_000,
    min: 100,
    description: 'Idle time allowed between commands (and inside DATA) before 421.',
  },
  {
    key: 'limits.dataTimeout',
    type: 'duration',
    default: 300_000,
    min: 100,
    description: 'Total time allowed for one DATA transfer before 421.',
  },
  {
    key: 'limits.scanTimeout',
    type: 'duration',
    default: 20_000,
    min: 100,
    description:
      'Time allowed for parsing, detection and policy per message; over it the message is not delivered (451).',
  },
  {
    key: 'limits.greetingDelay',
    type: 'duration',
    default: 0,
    min: 0,
    max: 30_000,
    description:
      'Delay before the 220 greeting; clients that talk before it are refused (early-talker check). 0 = greet at once.',
  },
  {
    key: 'limits.maxAuthFailures',
    type: 'int',
    default: 5,
    min: 1,
    description: 'Failed AUTH attempts per connection before it is closed.',
  },
  {
    key: 'limits.maxAuthFailuresPerClient',
    type: 'int',
    default: 20,
    min: 1,
    description:
      'Failed AUTH attempts per client address, and per user name, within 15 minutes (attempts in progress count); after that AUTH from the address, or for the user, is refused (454) until the window ends.',
  },
  // inbound SMTP edge: line endings, connection admission (Postfix smtpd_forbid_bare_newline, anvil, stress)
  {
    key: 'smtp.bareNewline',
    type: 'string',
    default: 'normalize',
    description:
      'A line ending in a bare LF inside DATA: normalize = accept it as a line ending and hand the message on with CRLF only (Postfix smtpd_forbid_bare_newline = normalize); reject = refuse the message (550 5.6.0). DATA ends only at CRLF.CRLF either way, and a bare CR is always refused.',
  },
  {
    key: 'limits.reservedConnections',
    type: 'int',
    default: 20,
    min: 0,
    description:
      "Connections of limits.maxConnections that clients outside trustedNetworks can never take: strangers share maxConnections minus this, so trusted clients still get in while strangers hold every slot they may. A client that authenticates leaves the strangers' share.",
  },
  {
    key: 'limits.connectionRatePerClient',
    type: 'int',
    default: 60,
    min: 0,
    description:
      'New connections per minute from one address outside trustedNetworks; more get 421 4.7.0 (Postfix smtpd_client_connection_rate_limit). 0 = no limit.',
  },
  {
    key: 'limits.stressThreshold',
    type: 'int',
    default: 75,
    min: 1,
    max: 100,
    description:
      'Percent of limits.maxConnections in use from which the relay is under stress: unauthenticated clients outside trustedNetworks then get limits.stressCommandTimeout instead of limits.commandTimeout (Postfix stress mode).',
  },
  {
    key: 'limits.stressCommandTimeout',
    type: 'duration',
    default: 10_000,
    min: 100,
    description:
      'Idle time allowed to an unauthenticated client outside trustedNetworks while the relay is under stress, before 421.',
  },
  {
    key: 'limits.minProgressRate',
    type: 'int',
    default: 10,
    min: 0,
    description:
      'Bytes per second an unauthenticated client outside trustedNetworks must send on average over each limits.progressWindow, or it is dropped with 421 4.4.2 (a client trickling a byte now and then keeps no slot). 0 = no check.',
  },
  {
    key: 'limits.progressWindow',
    type: 'duration',
    default: 30_000,
    min: 1000,
    description: 'Window over which limits.minProgressRate is measured.',
  },

  // --- upstream -----------------------------------------------------------------------------------------
  {
    key: 'upstream',
    type: 'upstream',
    default: 'dir:./outbox',
    description:
      'Where accepted mail goes: smtp://HOST:PORT, smtps://HOST:PORT, or dir:PATH (one .eml file per message).',
  },
  { key: 'upstreamUser', type: 'string', default: '', description: 'Upstream AUTH user (or put it in the URL).' },
  { key: 'upstreamPassword', type: 'string', default: '', secret: true, description: 'Upstream AUTH password.' },
  {
    key: 'upstreamStartTls',
    type: 'string',
    default: 'opportunistic',
    description: 'STARTTLS to an smtp:// upstream: opportunistic | required | never.',
  },
  { key: 'upstreamTlsVerify', type: 'bool', default: true, description: 'Verify the upstream TLS certificate.' },
  {
    key: 'upstreamPool',
    type: 'int',
    default: 5,
    min: 1,
    max: 100,
    description: 'Pooled connections to the upstream.',
  },
  {
    key: 'upstreamTimeout',
    type: 'duration',
    default: 30_000,
    min: 100,
    description:
      'Connect, greeting and reply timeout towards the upstream; idle pooled connections close after it too.',
  },
  {
    key: 'upstreamEarlyTransaction',
    type: 'bool',
    default: true,
    description:
      "Send MAIL, RCPT and DATA to the upstream while the client is still sending the message, so that after the scan only the body's round trip is left (as Postfix does towards a before-queue filter). A held or refused message then costs that upstream connection (closing it is the only way to cancel DATA). false = open the transaction after the verdict.",
  },
  {
    key: 'upstreamMaxRequeues',
    type: 'int',
    default: 1,
    min: 0,
    max: 10,
    description:
      'Times a message is retried on a fresh connection when its reused pooled connection turns out closed before any reply (nothing was delivered).',
  },

  // --- stores -------------------------------------------------------------------------------------------
  {
    key: 'dataDir',
    type: 'string',
    default: './data',
    description: 'Embedded store: directory index, quarantine, secrets, users.',
  },
  {
    key: 'redis',
    type: 'url',
    default: '',
    description: 'Redis URL for the shared store (several relays); empty = embedded store.',
  },
  { key: 'redisPrefix', type: 'string', default: 'postguard:', description: 'Key prefix in Redis.' },
  {
    key: 'directorySecret',
    type: 'string',
    default: '',
    secret: true,
    description: 'HMAC key for directory hashes (required with redis); empty = generated into DATA_DIR/directory.key.',
  },
  {
    key: 'quarantineKey',
    type: 'string',
    default: '',
    secret: true,
    description: 'AES-256-GCM key (64 hex chars) for quarantined mail; empty = generated into DATA_DIR/quarantine.key.',
  },
  {
    key: 'directory',
    type: 'list',
    default: [],
    description: 'Directory files (CSV or JSON Lines) imported at start (repeatable flag).',
  },
  {
    key: 'directoryColumns',
    type: 'list',
    default: [],
    description: 'Extra column mappings HEADER=KIND[:strong|weak], e.g. ticket=ticket_id:strong (repeatable).',
  },

  // --- directory sync from a CRM database (src/directory/sync/) -----------------------------------------
  {
    key: 'directorySync.postgres',
    type: 'url',
    default: '',
    secret: true,
    description:
      'PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DB) of the CRM database `serve` syncs the directory from; empty = no sync. Secret: never printed or logged.',
  },
  {
    key: 'directorySync.query',
    type: 'string',
    default: '',
    description:
      'SQL query returning one row per customer (or several); columns mapped by name as for CSV. With an updated_at column later syncs are incremental.',
  },
  {
    key: 'directorySync.every',
    type: 'duration',
    default: 300_000,
    min: 1000,
    description: 'How often `serve` syncs the directory from directorySync.postgres (first run at start).',
  },
  {
    key: 'directorySync.fullEvery',
    type: 'duration',
    default: 21_600_000,
    min: 0,
    description:
      'A full sync (which removes customers the query no longer returns) at least this often; in between, syncs read only rows with a newer updated_at. 0 = always full.',
  },

  // --- detection and policy -----------------------------------------------------------------------------
  {
    key: 'internalDomains',
    type: 'list',
    default: [],
    flag: 'internal-domain',
    description: "The organisation's own domains; recipients there may receive customer data (repeatable flag).",
  },
  { key: 'policies', type: 'string', default: './policies', description: 'Folder of policy YAML files.' },
  {
    key: 'scanning',
    type: 'bool',
    default: true,
    description:
      'Scan messages (parse, detect, decide). Off = forward unscanned: for benchmarks and emergencies only, never fail-closed.',
  },
  {
    key: 'monitor',
    type: 'bool',
    default: false,
    description: 'Monitor mode for the whole relay: record what would be held, deliver anyway.',
  },

  // --- quarantine, notices, admin ------------------------------------------------------------------------
  {
    key: 'adminListen',
    type: 'hostport',
    default: '127.0.0.1:8025',
    description: 'Admin API and console listen address; empty string disables it.',
  },
  {
    key: 'publicUrl',
    type: 'string',
    default: '',
    description: 'Base URL of the console as agents reach it (release-request links); empty = http://ADMIN_LISTEN.',
  },
  {
    key: 'admin.trustedProxies',
    type: 'list',
    default: [],
    description:
      'Reverse proxies (IP addresses or CIDRs) in front of the console whose X-Forwarded-For is believed; the client address (login limits, audit) is then the last hop before them. Empty = the TCP peer is the client.',
  },
  {
    key: 'retentionDays',
    type: 'int',
    default: 30,
    min: 1,
    description: 'Days a quarantined message is kept before it expires.',
  },

  // --- notifications and verdict journal ----------------------------------------------------------------
  {
    key: 'notify.admins',
    type: 'list',
    default: [],
    description:
      'Admin addresses that get a digest of release requests, rejects and holds by rules with notify.admins (repeatable flag); empty = no digests.',
  },
  {
    key: 'notify.digestEvery',
    type: 'duration',
    default: 15 * 60_000,
    min: 100,
    description:
      'The first event opens a digest window of this length; at its end one digest goes to notify.admins (so at most one digest per window).',
  },
  {
    key: 'notify.from',
    type: 'string',
    default: '',
    description: 'Sender address (header From) of hold notices and admin digests; empty = postguard@HOSTNAME.',
  },
  {
    key: 'notify.senderBatch',
    type: 'duration',
    default: 60_000,
    min: 0,
    max: 3_600_000,
    description: 'Holds for one sender within this time go out as one hold notice; 0 = one notice per hold.',
  },
  {
    key: 'notify.webhook',
    type: 'url',
    default: '',
    description:
      'URL that gets every verdict other than deliver and every quarantine action as signed JSON (SIEM); empty = off.',
  },
  {
    key: 'notify.webhookSecret',
    type: 'string',
    default: '',
    secret: true,
    description: 'HMAC-SHA256 key for the X-Postguard-Signature header; required with notify.webhook.',
  },
  {
    key: 'notify.webhookQueue',
    type: 'int',
    default: 1000,
    min: 1,
    max: 1_000_000,
    description:
      'Webhook events waiting for delivery; beyond it new events are dropped (logged, counted in postguard_webhook_events_total{result="dropped"}).',
  },
  {
    key: 'journal.retention',
    type: 'duration',
    default: 400 * 86_400_000,
    min: 86_400_000,
    description: 'How long verdict journal entries are kept (e.g. 400d); older ones are pruned daily.',
  },
  {
    key: 'journal.postgres',
    type: 'url',
    default: '',
    secret: true,
    description:
      'PostgreSQL URL for the verdict journal (several relays, long retention); empty = JSON Lines files in DATA_DIR/journal.',
  },
  {
    key: 'quarantine.releasingTimeout',
    type: 'duration',
    default: 300_000,
    min: 1_000,
    description:
      'A release still in `releasing` after this long was interrupted (crash, kill): it is put back to held at start and by `postguard quarantine recover`, and expires like a held message. Keep it well above a delivery attempt (upstreamTimeout × a few replies).',
  },

  // --- operations ---------------------------------------------------------------------------------------
  { key: 'logLevel', type: 'string', default: 'info', description: 'trace | debug | info | warn | error | fatal.' },
  {
    key: 'workers',
    type: 'int',
    default: 1,
    min: 0,
    max: 64,
    description:
      'Relay processes sharing the SMTP port (node cluster; the admin console runs in the primary). 0 = one per CPU core.',
  },
] as const;

export function findKey(key: string): KeySpec | undefined {
  return CONFIG_KEYS.find((k) => k.key === key);
}

/** `limits.maxSize` → `limits-max-size`. */
export function flagName(spec: KeySpec): string {
  if (spec.flag) return spec.flag;
  return spec.key
    .split('.')
    .map((p) => p.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()))
    .join('-');
}

/** `limits.maxSize` → `POSTGUARD_LIMITS_MAX_SIZE`. */
export function envName(spec: KeySpec): string {
  return (
    'POSTGUARD_' +
    spec.key
      .split('.')
      .map((p) => p.replace(/[A-Z]/g, (c) => '_' + c))
      .join('_')
      .toUpperCase()
  );
}
