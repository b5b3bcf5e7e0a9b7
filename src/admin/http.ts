/**
 * Small HTTP helpers for the admin server (node:http, no framework): escaping, security headers, bodies, cookies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, PostguardError } from '../core/errors.js';

export const MAX_BODY = 64 * 1024;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Console pages: no scripts at all, styles from our own stylesheet, frames only from ourselves. */
export const CONSOLE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'";
/** The message body: nothing may load or run; sandboxed even when opened directly. */
export const BODY_CSP = "default-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox";

export function securityHeaders(res: ServerResponse, csp = CONSOLE_CSP, frame: 'DENY' | 'SAMEORIGIN' = 'DENY'): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Frame-Options', frame);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on POSTs, defeating the Origin check.
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

export function send(res: ServerResponse, status: number, body: string | Buffer, contentType: string, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  send(res, status, html, 'text/html; charset=utf-8');
}

export function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.end();
}

export async function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PostguardError(ErrorCodes.USAGE, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Form (urlencoded) or JSON body as a flat string map; repeated form fields are joined with ','. */
export async function readFields(req: IncomingMessage): Promise<Record<string, string | string[]>> {
  const body = (await readBody(req)).toString('utf8');
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body || '{}');
    } catch {
      throw new PostguardError(ErrorCodes.USAGE, 'invalid JSON body');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new PostguardError(ErrorCodes.USAGE, 'JSON body must be an object');
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v === 'string') out[k] = v;
      else if (Array.isArray(v)) out[k] = v.map(String);
    }
    return out;
  }
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function field(fields: Record<string, string | string[]>, name: string): string {
  const v = fields[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

export function fieldList(fields: Record<string, string | string[]>, name: string): string[] {
  const v = fields[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.flatMap((s) => s.split(/[\s,;]+/)).filter(Boolean);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}
