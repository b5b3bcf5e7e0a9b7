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

export async function renderBodyDocument(raw: Buffer): Promise<string> {
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
