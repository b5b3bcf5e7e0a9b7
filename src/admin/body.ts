/**
 * The held message as a static, inert HTML document for the console's sandboxed iframe: headers and text are
 * escaped (templates.ts), HTML parts are shown as extracted text (never as markup), attachments by name only.
 * Served with CSP "default-src 'none'; sandbox": nothing loads, nothing runs.
 */
import { simpleParser, type AddressObject } from 'mailparser';
import type { TextSegment } from '../core/types.js';
import { parseMessage } from '../parse/index.js';
import type { FindingSpan } from '../quarantine/index.js';
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

/** A run of text; `kind` set when it is a finding's value (rendered as <mark class="finding">). */
export interface Piece {
  t: string;
  kind?: string;
}

export interface BodySection {
  title: string;
  pieces: Piece[];
}

/**
 * Splits a segment's text at the stored spans that belong to it. A span is placed only when its segment index and
 * source match and it lies inside the text; overlapping spans after the first are dropped — never misplaced.
 * Masked: unmarked text goes through maskText, a marked value is replaced by the span's stored masked value.
 */
export function markSegment(
  seg: Pick<TextSegment, 'index' | 'source' | 'text'>,
  spans: readonly FindingSpan[],
  masked: boolean,
): Piece[] {
  const own = spans
    .filter(
      (s) =>
        s.segment === seg.index &&
        s.source === seg.source &&
        Number.isInteger(s.offset) &&
        Number.isInteger(s.length) &&
        s.offset >= 0 &&
        s.length > 0 &&
        s.offset + s.length <= seg.text.length,
    )
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  const out: Piece[] = [];
  const plain = (t: string): void => {
    if (t) out.push({ t: masked ? maskText(t) : t });
  };
  let at = 0;
  for (const s of own) {
    if (s.offset < at) continue;
    plain(seg.text.slice(at, s.offset));
    out.push({ t: masked ? s.masked : seg.text.slice(s.offset, s.offset + s.length), kind: s.kind });
    at = s.offset + s.length;
  }
  plain(seg.text.slice(at));
  return out;
}

function hasSpan(seg: TextSegment, spans: readonly FindingSpan[]): boolean {
  return spans.some((s) => s.segment === seg.index && s.source === seg.source);
}

/** Which text segments the document shows: bodies and attachment text always, anything else where a finding is. */
function shownSegments(segments: readonly TextSegment[], spans: readonly FindingSpan[]): TextSegment[] {
  const plainBody = segments.some((s) => s.source === 'body:text' && s.text.trim());
  return segments.filter((s) => {
    if (s.source === 'subject') return false; // shown in the header table
    if (hasSpan(s, spans)) return true;
    if (s.source === 'body:text') return true;
    if (s.source === 'body:html') return !plainBody;
    return (
      s.location === 'attachment' &&
      !s.source.endsWith(':filename') &&
      !/(^|\/)header:/.test(s.source) &&
      !s.source.includes('link:')
    );
  });
}

/** Cuts the sections to MAX_TEXT characters in all. */
function capSections(sections: BodySection[]): BodySection[] {
  let left = MAX_TEXT;
  const out: BodySection[] = [];
  for (const sec of sections) {
    if (left <= 0) break;
    const pieces: Piece[] = [];
    for (const p of sec.pieces) {
      if (left <= 0) break;
      if (p.t.length <= left) pieces.push(p);
      else pieces.push({ t: p.kind ? '' : p.t.slice(0, left) }, { t: '\n[… truncated]' });
      left -= p.t.length;
    }
    out.push({ title: sec.title, pieces: pieces.filter((p) => p.t) });
  }
  return out;
}

/**
 * The body document. Text comes from the product's own parser (parse/, the same segments detection saw), so the
 * stored finding spans can be marked in place; header lines and the attachment list come from mailparser.
 */
export async function renderBodyDocument(
  raw: Buffer,
  opts: { masked?: boolean; spans?: readonly FindingSpan[] } = {},
): Promise<string> {
  const masked = opts.masked === true;
  const spans = opts.spans ?? [];
  let head: [string, Piece[]][] = [];
  let attachments: { filename: string; contentType: string; size: number }[] = [];
  let sections: BodySection[] = [];
  try {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true, skipHtmlToText: true });
    const line = (k: string, v: string): [string, Piece[]] => [
      k,
      v ? [{ t: masked && k !== 'Date' ? maskText(v) : v }] : [],
    ];
    head = [line('From', addresses(parsed.from)), line('To', addresses(parsed.to)), line('Cc', addresses(parsed.cc))];
    const message = await parseMessage(raw);
    const subject = message.segments.find((s) => s.source === 'subject');
    head.push(
      ['Subject', subject ? markSegment(subject, spans, masked) : []],
      line('Date', parsed.date?.toISOString() ?? ''),
    );
    sections = shownSegments(message.segments, spans).map((seg) => ({
      title: seg.source,
      pieces: markSegment(seg, spans, masked),
    }));
    attachments = parsed.attachments.map((a) => ({
      filename: a.filename ?? '(no name)',
      contentType: a.contentType,
      size: a.size,
    }));
  } catch {
    const text = raw.toString('utf8');
    sections = [{ title: 'raw', pieces: [{ t: masked ? maskText(text) : text }] }];
  }
  return render('body', { head: head.filter(([, v]) => v.length), sections: capSections(sections), attachments });
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
