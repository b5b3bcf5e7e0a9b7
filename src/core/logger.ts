/**
 * The process logger (pino, JSON lines). Redaction is a second line of defence: modules already log only ids,
 * domains, counts and masked values; any field that could hold message content or credentials is censored.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Field names that are censored wherever they appear at the top of a log line or one level down (in an object
 * or in an array of objects): what pino's `redact` paths `name` and `*.name` would cover. It applies to the
 * fields of each log call; child-logger bindings are written as bound (the code binds only worker ids). Our own pass rather
 * than pino's `redact`: that one cloned every line (45 KB of allocation and ~50 µs per relayed message, measured
 * with the heap sampler under the relay benchmark); this one reads the keys and copies only a line it changes.
 */
export const REDACTED_FIELDS: ReadonlySet<string> = new Set([
  'password',
  'pass',
  'secret',
  'key',
  'subject',
  'body',
  'text',
  'raw',
  'rcptTo',
  'mailFrom',
  'value',
]);
export const CENSOR = '[redacted]';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Error) && !Buffer.isBuffer(v);

/** `obj` with every sensitive field censored at depth 0 and 1; the same object when there is none. */
export function redactFields(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    const v = obj[k];
    if (REDACTED_FIELDS.has(k)) {
      (out ??= { ...obj })[k] = CENSOR;
    } else if (isPlainObject(v)) {
      const inner = censorOwn(v);
      if (inner !== v) (out ??= { ...obj })[k] = inner;
    } else if (Array.isArray(v) && v.some(isPlainObject)) {
      const items = v.map((item: unknown) => (isPlainObject(item) ? censorOwn(item) : item));
      if (items.some((item, i) => item !== v[i])) (out ??= { ...obj })[k] = items;
    }
  }
  return out ?? obj;
}

function censorOwn(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const k in obj) if (Object.hasOwn(obj, k) && REDACTED_FIELDS.has(k)) (out ??= { ...obj })[k] = CENSOR;
  return out ?? obj;
}

/**
 * Without a destination the logger writes to stdout synchronously: each line is in the kernel before the reply it
 * reports goes out, so a crash loses no line. pino's own default (sonic-boom, asynchronous) hands every line to
 * libuv's thread pool and wakes the event loop again when it is written: two thread hand-offs per relayed message.
 */
export function createLogger(
  level = 'info',
  destination: DestinationStream = pino.destination({ dest: 1, sync: true }),
): Logger {
  return pino(
    {
      level,
      base: { svc: 'postguard' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: redactFields },
    },
    destination,
  );
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' });
