/**
 * The held message as a static, inert HTML document for the console's sandboxed iframe: headers and text are
 * escaped (templates.ts), HTML parts are shown as extracted text (never as markup), attachments by name only.
 * Served with CSP "default-src 'none'; sandbox": nothing loads, nothing runs.
 */
import { convert } from 'html-to-text';
import { simpleParser, type AddressObject } from 'mailparser';
import { render } from './templates.js';

const MAX_TEXT = 512 * 1024;

function addresses(a: AddressObject | AddressObject[] | undefined): string {
  if (!a) return '';
  return (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
}

/** Masks addresses (first letter and domain stay) and digit runs (last two digits stay) for viewers. */
export function maskText(text: string): string {
  return text
    .replace(/([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g, '$1•••@$2')
    .replace(/\d(?:[\d ./-]*\d){3,}/g, (run) => run.slice(0, -2).replace(/\d/g, '•') + run.slice(-2));
}

export async function renderBodyDocument(raw: Buffer, opts: { masked?: boolean } = {}): Promise<string> {
  let head: [string, string][] = [];
  let text = '';
  let attachments: { filename: string; contentType: string; size: number }[] = [];
  try {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
    head = [
      ['From', addresses(parsed.from)],
      ['To', addresses(parsed.to)],
      ['Cc', addresses(parsed.cc)],
      ['Subject', parsed.subject ?? ''],
      ['Date', parsed.date?.toISOString() ?? ''],
    ];
    text = parsed.text ?? '';
    if (!text.trim() && typeof parsed.html === 'string') {
      text = convert(parsed.html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', options: { ignoreHref: true } }] });
    }
    attachments = parsed.attachments.map((a) => ({ filename: a.filename ?? '(no name)', contentType: a.contentType, size: a.size }));
  } catch {
    text = raw.toString('utf8');
  }
  if (text.length > MAX_TEXT) text = text.slice(0, MAX_TEXT) + '\n[… truncated]';
  if (opts.masked) {
    head = head.map(([k, v]) => [k, k === 'Date' ? v : maskText(v)]);
    text = maskText(text);
  }
  return render('body', { head: head.filter(([, v]) => v), text, attachments });
}

/** Attachment names of a message (escaped by the caller). */
export async function attachmentNames(raw: Buffer): Promise<string[]> {
  try {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true, skipHtmlToText: true });
    return parsed.attachments.map((a) => a.filename ?? '(no name)');
  } catch {
    return [];
  }
}
