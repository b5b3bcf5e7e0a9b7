/**
 * The process logger (pino, JSON lines). Redaction is a second line of defence: modules already log only ids,
 * domains, counts and masked values; any field that could hold message content or credentials is censored.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'password',
  '*.password',
  'pass',
  '*.pass',
  'secret',
  '*.secret',
  'key',
  '*.key',
  'subject',
  '*.subject',
  'body',
  '*.body',
  'text',
  '*.text',
  'raw',
  '*.raw',
  'rcptTo',
  '*.rcptTo',
  'mailFrom',
  '*.mailFrom',
  'value',
  '*.value',
];

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { svc: 'postguard' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' });
