/**
 * smtp-server prefixes error replies with an enhanced status code chosen from the reply code alone (550 → 5.1.1),
 * which is wrong for policy rejects (5.7.1) or upstream failures (4.4.1). Our handlers put the right enhanced
 * code at the start of the text ("5.7.1 Message …"); this adapter makes smtp-server send such text as is instead
 * of adding a second code. Installed once per process.
 */
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;
let installed = false;

export function installEnhancedCodeAdapter(): void {
  if (installed) return;
  installed = true;
  const proto = SMTPConnection.prototype as unknown as { send: (code: number, data: unknown, context?: unknown) => void };
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
