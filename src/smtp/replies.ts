/**
 * Every reply the relay gives at the end of DATA, in one place. Texts carry the transaction reference and never
 * internal detail (upstream host names, exception text) or customer data.
 */
import type { SmtpReply } from '../core/types.js';

export const replies = {
  delivered: (id: string): SmtpReply => ({ code: 250, enhanced: '2.0.0', text: `OK queued as ${id}` }),
  held: (id: string): SmtpReply => ({ code: 250, enhanced: '2.6.0', text: `Accepted and held for review, ref ${id}` }),
  oversize: (id: string, max: number): SmtpReply => ({
    code: 552,
    enhanced: '5.3.4',
    text: `Message exceeds the size limit of ${max} bytes, ref ${id}`,
  }),
  bareLineEnding: (id: string): SmtpReply => ({
    code: 550,
    enhanced: '5.6.0',
    text: `Bare CR or LF line ending in message data (SMTP smuggling protection), ref ${id}`,
  }),
  scanFailed: (id: string): SmtpReply => ({
    code: 451,
    enhanced: '4.3.0',
    text: `Message could not be scanned, try again later, ref ${id}`,
  }),
  scanBusy: (id: string): SmtpReply => ({
    code: 451,
    enhanced: '4.3.2',
    text: `Scanner busy with other messages, try again later, ref ${id}`,
  }),
  holdFailed: (id: string): SmtpReply => ({
    code: 451,
    enhanced: '4.3.0',
    text: `Message could not be stored for review, try again later, ref ${id}`,
  }),
  journalFailed: (id: string): SmtpReply => ({
    code: 451,
    enhanced: '4.3.0',
    text: `Message could not be recorded, try again later, ref ${id}`,
  }),
  upstreamTemporary: (id: string): SmtpReply => ({
    code: 451,
    enhanced: '4.4.1',
    text: `Upstream mail server unavailable, try again later, ref ${id}`,
  }),
  upstreamPermanent: (id: string, code: number, enhanced: string | undefined): SmtpReply => ({
    code: code >= 500 && code < 600 ? code : 554,
    enhanced: enhanced && enhanced.startsWith('5.') ? enhanced : '5.0.0',
    text: `Upstream mail server refused the message, ref ${id}`,
  }),
  dataTimeout: (): SmtpReply => ({ code: 421, enhanced: '4.4.2', text: 'DATA timeout, closing connection' }),
  shuttingDown: (): SmtpReply => ({ code: 421, enhanced: '4.3.2', text: 'Service shutting down, try again later' }),
};

/** Appends the reference to a policy reject text unless it is there. */
export function withReference(reply: SmtpReply, id: string): SmtpReply {
  return reply.text.includes(id) ? reply : { ...reply, text: `${reply.text}, ref ${id}` };
}

/** Enhanced status code at the start of an upstream reply line, if any ("550 5.1.1 …" → "5.1.1"). */
export function enhancedOf(response: string): string | undefined {
  return /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1];
}
