/**
 * Two adapters over smtp-server internals, installed once per process:
 *
 * 1. Enhanced codes. smtp-server prefixes error replies with an enhanced status code chosen from the reply code alone (550 → 5.1.1),
 * which is wrong for policy rejects (5.7.1) or upstream failures (4.4.1). Our handlers put the right enhanced
 * code at the start of the text ("5.7.1 Message …"); this adapter makes smtp-server send such text as is instead
 * of adding a second code.
 *
 * 2. Greeting delay. smtp-server holds every greeting for a fixed 100 ms to catch "early talkers" (a spam-bot
 *    heuristic for public MX hosts). postguard serves known helpdesk tools, many of which open one connection per
 *    message, so the delay capped throughput at ~10 messages/s per session. The delay is configurable here
 *    (`limits.greetingDelay`, default 0 ms); with a delay, early talkers are still refused by smtp-server.
 */
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;
let installed = false;
let greetingDelayMs = 0;

interface ConnectionInternals {
  send: (code: number, data: unknown, context?: unknown) => void;
  init: () => void;
  connectionReady: () => void;
  _setListeners: (cb: () => void) => void;
  _server: { options: { maxClients?: number }; connections: Set<unknown> };
  name: string;
}

export function setGreetingDelay(ms: number): void {
  greetingDelayMs = ms;
}

export function installSmtpServerAdapters(): void {
  if (installed) return;
  installed = true;
  const proto = SMTPConnection.prototype as unknown as ConnectionInternals;
  proto.init = function init(this: ConnectionInternals) {
    this._setListeners(() => {
      if (this._server.options.maxClients && this._server.connections.size > this._server.options.maxClients) {
        return this.send(421, this.name + ' Too many connected clients, try again in a moment', false);
      }
      if (greetingDelayMs <= 0) return this.connectionReady();
      setTimeout(() => this.connectionReady(), greetingDelayMs).unref();
    });
  };
  const original = proto.send;
  proto.send = function send(this: unknown, code: number, data: unknown, context?: unknown) {
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
