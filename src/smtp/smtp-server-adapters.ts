/**
 * Adapters over smtp-server internals (smtp-server is pinned to an exact version; test/smtp/smtp-server-internals
 * .test.ts fails loudly when the internals patched here change), installed once per process. Everything that
 * smtp-server's public options can do is done there instead (connection counting: onConnect/onClose; AUTH only
 * after STARTTLS: session.disabledCommands; bare LF: in the DATA stream).
 *
 * 1. Enhanced codes. smtp-server prefixes error replies with an enhanced status code chosen from the reply code alone (550 → 5.1.1),
 * which is wrong for policy rejects (5.7.1) or upstream failures (4.4.1). Our handlers put the right enhanced
 * code at the start of the text ("5.7.1 Message …"); this adapter makes smtp-server send such text as is instead
 * of adding a second code.
 *
 *    The same wrapper answers AUTH on a session that withholds it until STARTTLS (session.disabledCommands holds
 *    AUTH, see InboundServer.onConnect) with `538 5.7.11` (RFC 4954 §6) instead of smtp-server's
 *    `500 command not recognized`. smtp-server sends that reply before it reads any credential.
 *
 * 2. Greeting delay. smtp-server holds every greeting for a fixed 100 ms to catch "early talkers" (a spam-bot
 *    heuristic for public MX hosts). postguard serves known helpdesk tools, many of which open one connection per
 *    message, so the delay capped throughput at ~10 messages/s per session. The delay is configurable here
 *    (`limits.greetingDelay`, default 0 ms); with a delay, early talkers are still refused by smtp-server.
 *
 * 3. Routed recipients. smtp-server drops a source route (`RCPT TO:<@a.example:user@c.example>`, RFC 5321 App. C)
 *    before onRcptTo sees the address, and answers a quoted local part holding `@` (`"a@b.example"@c.example`)
 *    with a bare 501 syntax error. postguard refuses every recipient that routes elsewhere with one clear reply
 *    (553 5.1.3, see InboundServer.onRcptTo), so this adapter marks such RCPT addresses (`routesElsewhere: true`)
 *    and hands them to onRcptTo instead of rewriting or refusing them itself.
 */
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { routesElsewhere } from '../core/address.js';

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;
let installed = false;
/** limits.greetingDelay of each server (an SMTPServer instance), so two relays in one process keep their own. */
const greetingDelays = new WeakMap<object, number>();

/** The internals the adapters use; test/smtp/smtp-server-internals.test.ts checks them against the installed version. */
export interface ConnectionInternals {
  send: (code: number, data: unknown, context?: unknown) => void;
  init: () => void;
  /** The SMTPServer that accepted the connection (set by SMTPConnection's constructor). */
  _server: object;
  connectionReady: () => void;
  _setListeners: (cb: () => void) => void;
  _parseAddressCommand: (name: string, command: string) => ParsedAddressCommand | false;
  session: { disabledCommands?: string[] };
}

/** The reply to AUTH on a session that offers it only after STARTTLS. */
export const AUTH_NEEDS_TLS = { code: 538, text: '5.7.11 Encryption required for requested authentication mechanism' };

interface ParsedAddressCommand {
  address: string;
  args: Record<string, unknown> | false;
  routesElsewhere?: boolean;
}

// eslint-disable-next-line no-control-regex -- control characters stay smtp-server's to refuse
const CONTROL = /[\x00-\x1f\x7f]/;

/** The address between the angle brackets of a MAIL/RCPT command line, as sent ('' when there is none). */
function bracketedAddress(command: string): string {
  const colon = command.indexOf(':');
  if (colon < 0) return '';
  const arg =
    command
      .slice(colon + 1)
      .trim()
      .split(/\s+/)[0] ?? '';
  return /^<[^<>]*>$/.test(arg) ? arg.slice(1, -1) : '';
}

/** Sets the delay before the 220 greeting for connections accepted by `server` (an SMTPServer instance). */
export function setGreetingDelay(server: object, ms: number): void {
  greetingDelays.set(server, ms);
}

export function installSmtpServerAdapters(): void {
  if (installed) return;
  installed = true;
  const proto = SMTPConnection.prototype as unknown as ConnectionInternals;
  // smtp-server's init() is _setListeners + the maxClients check (unused here: no maxClients) + a fixed 100 ms timer.
  proto.init = function init(this: ConnectionInternals) {
    const delayMs = greetingDelays.get(this._server) ?? 0;
    this._setListeners(() => {
      if (delayMs <= 0) return this.connectionReady();
      setTimeout(() => this.connectionReady(), delayMs).unref();
    });
  };
  const parseAddressCommand = proto._parseAddressCommand;
  proto._parseAddressCommand = function parse(this: unknown, name: string, command: string) {
    const parsed = parseAddressCommand.call(this, name, command);
    if (String(name).trim().toUpperCase() !== 'RCPT TO') return parsed;
    const raw = bracketedAddress(String(command ?? ''));
    if (!raw || CONTROL.test(raw) || !routesElsewhere(raw)) return parsed;
    if (parsed) {
      parsed.routesElsewhere = true;
      return parsed;
    }
    // smtp-server found the address malformed (an '@' in a quoted local part): onRcptTo refuses it with 553.
    return { address: raw, args: false, routesElsewhere: true };
  };
  const original = proto.send;
  proto.send = function send(this: ConnectionInternals, code: number, data: unknown, context?: unknown) {
    if (code === 500 && context === 'AUTH' && this.session?.disabledCommands?.includes('AUTH')) {
      return original.call(this, AUTH_NEEDS_TLS.code, AUTH_NEEDS_TLS.text, false);
    }
    if (context === undefined && typeof data === 'string' && ENHANCED.test(data)) {
      return original.call(this, code, data, false);
    }
    return original.call(this, code, data, context);
  };
}

/** An error object smtp-server turns into the reply `code enhanced text`. */
export function smtpError(code: number, enhanced: string, text: string): Error & { responseCode: number } {
  const err = new Error(`${enhanced} ${text}`) as Error & { responseCode: number };
  err.responseCode = code;
  return err;
}
