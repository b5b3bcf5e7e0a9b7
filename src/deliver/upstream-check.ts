/**
 * The start-up check of the upstream: one connection through greeting, EHLO, STARTTLS and AUTH (or, for a
 * `dir:` outbox, a probe write), so that a wrong host name, a closed port, a TLS mismatch or wrong credentials are
 * in the log at start, each named for what it is, rather than found out from the first message's 451.
 * It only warns: the relay starts anyway (the upstream may come up later; until then mail gets 451 and is retried
 * by the sender).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { createUpstream, describeUpstream } from './index.js';
import { UpstreamConnection } from './smtp/connection.js';
import { UpstreamError, UpstreamErrorCodes } from './smtp/errors.js';
import { connectionOptions } from './smtp-upstream.js';

/** What went wrong, one name per cause an operator fixes differently. */
export type UpstreamProblem =
  'dns' | 'refused' | 'unreachable' | 'timeout' | 'tls' | 'auth' | 'greeting' | 'protocol' | 'connection' | 'outbox';

export type UpstreamCheck = { ok: true } | { ok: false; problem: UpstreamProblem; errCode: string; reason: string };

type UpstreamConfig = Pick<
  Config,
  | 'upstream'
  | 'upstreamUser'
  | 'upstreamPassword'
  | 'upstreamStartTls'
  | 'upstreamTlsVerify'
  | 'upstreamPool'
  | 'upstreamTimeout'
  | 'upstreamMaxRequeues'
  | 'hostname'
>;

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** The socket error code a CONNECTION failure carries at the start of its message (`ECONNREFUSED: connect …`). */
function socketCode(err: UpstreamError): string | undefined {
  return /^([A-Z][A-Z0-9_]+):/.exec(err.message)?.[1];
}

function classify(err: unknown): Exclude<UpstreamCheck, { ok: true }> {
  if (!(err instanceof UpstreamError))
    return {
      ok: false,
      problem: 'connection',
      errCode: 'ERROR',
      reason: err instanceof Error ? err.message : String(err),
    };
  const reason = err.response ? `${err.message}: ${err.responseCode} ${err.response}` : err.message;
  switch (err.code) {
    case UpstreamErrorCodes.TLS:
      return { ok: false, problem: 'tls', errCode: err.code, reason };
    case UpstreamErrorCodes.AUTH:
      return { ok: false, problem: 'auth', errCode: err.code, reason };
    case UpstreamErrorCodes.TIMEOUT:
      return { ok: false, problem: 'timeout', errCode: err.code, reason };
    case UpstreamErrorCodes.GREETING:
      return { ok: false, problem: 'greeting', errCode: err.code, reason };
    case UpstreamErrorCodes.PROTOCOL:
      return { ok: false, problem: 'protocol', errCode: err.code, reason };
  }
  const code = socketCode(err);
  if (code === 'ECONNREFUSED') return { ok: false, problem: 'refused', errCode: code, reason };
  if (code && DNS_CODES.has(code)) return { ok: false, problem: 'dns', errCode: code, reason };
  if (code && UNREACHABLE_CODES.has(code)) return { ok: false, problem: 'unreachable', errCode: code, reason };
  if (code === 'ETIMEDOUT') return { ok: false, problem: 'timeout', errCode: code, reason };
  return { ok: false, problem: 'connection', errCode: code ?? err.code, reason };
}

/** Checks the configured upstream once. Never throws. */
export async function checkUpstream(config: UpstreamConfig): Promise<UpstreamCheck> {
  if (config.upstream.startsWith('dir:')) {
    const outbox = createUpstream(config);
    try {
      return (await outbox.check())
        ? { ok: true }
        : {
            ok: false,
            problem: 'outbox',
            errCode: 'EOUTBOX',
            reason: 'the outbox folder cannot be created or written',
          };
    } finally {
      await outbox.close();
    }
  }
  const options = connectionOptions({
    url: config.upstream,
    user: config.upstreamUser,
    password: config.upstreamPassword,
    startTls: config.upstreamStartTls,
    tlsVerify: config.upstreamTlsVerify,
    pool: 1,
    timeoutMs: config.upstreamTimeout,
    maxRequeues: 0,
    hostname: config.hostname,
  });
  if (!isIP(options.host)) {
    try {
      await lookup(options.host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
      return {
        ok: false,
        problem: 'dns',
        errCode: code,
        reason: `${code}: the host name ${options.host} does not resolve`,
      };
    }
  }
  try {
    const conn = await UpstreamConnection.open(options);
    conn.quit();
    return { ok: true };
  } catch (err) {
    return classify(err);
  }
}

const ADVICE: Record<UpstreamProblem, string> = {
  dns: 'upstream host name does not resolve (DNS)',
  refused: 'upstream refused the connection (nothing listens on that host and port)',
  unreachable: 'upstream host is unreachable (no route)',
  timeout: 'upstream did not answer in time (upstreamTimeout)',
  tls: 'TLS with the upstream failed (handshake, certificate, or STARTTLS required but not offered)',
  auth: 'upstream refused AUTH (check upstreamUser/upstreamPassword)',
  greeting: 'upstream refused the connection in its greeting or EHLO',
  protocol: 'upstream does not speak SMTP as expected',
  connection: 'upstream connection failed',
  outbox: 'outbox folder is not writable (dir: upstream)',
};

/**
 * Runs the check and logs its outcome: `upstream check passed`, or a warning `upstream check failed: <cause>` with
 * `problem` (dns | refused | unreachable | timeout | tls | auth | greeting | protocol | connection | outbox),
 * `errCode` and `reason`. Credentials never appear (the URL is logged without them).
 */
export async function logUpstreamCheck(config: UpstreamConfig, logger: Logger): Promise<UpstreamCheck> {
  const result = await checkUpstream(config);
  const upstream = describeUpstream(config.upstream);
  if (result.ok) logger.info({ upstream }, 'upstream check passed');
  else {
    logger.warn(
      { upstream, problem: result.problem, errCode: result.errCode, reason: result.reason },
      `upstream check failed: ${ADVICE[result.problem]}; the relay runs anyway and answers 451 to mail it cannot deliver`,
    );
  }
  return result;
}
