/**
 * URLs → link segments: the percent-decoded path, and each decoded query parameter value (also of a fragment
 * that carries parameters, as single-page apps do). Only web URLs are taken (http, https, ftp): mailto:, tel:,
 * cid: and data: references are not links that carry data to a server.
 */
import type { ExtractContext } from './context.js';

const BARE_URL = /\b(?:https?|ftp):\/\/[^\s<>"'`{}|\\^]+/gi;
const TRAILING = /[.,;:!?'"»”’)\]}>]+$/;
const WEB_SCHEME = /^(?:https?|ftp):\/\//i;

/** Bare URLs in plain text, without trailing punctuation (a closing parenthesis is kept when balanced). */
export function findBareUrls(text: string): string[] {
  const out: string[] = [];
  if (!text.includes('://')) return out;
  BARE_URL.lastIndex = 0;
  for (let m = BARE_URL.exec(text); m; m = BARE_URL.exec(text)) {
    let url = m[0];
    const trail = TRAILING.exec(url);
    if (trail) {
      url = url.slice(0, trail.index);
      // keep ")" that closes a "(" inside the URL, e.g. wiki links
      let rest = trail[0];
      while (rest.startsWith(')') && count(url, '(') > count(url, ')')) {
        url += ')';
        rest = rest.slice(1);
      }
    }
    out.push(url);
  }
  return out;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/** Percent-decoding that never throws: invalid UTF-8 sequences are decoded as Latin-1 bytes. */
export function percentDecode(s: string, plusIsSpace = false): string {
  const t = plusIsSpace ? s.replace(/\+/g, ' ') : s;
  if (!t.includes('%')) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    return t.replace(/(?:%[0-9a-fA-F]{2})+/g, (seq) => {
      const bytes = Buffer.from(seq.replace(/%/g, ''), 'hex');
      const utf = bytes.toString('utf8');
      return utf.includes('\ufffd') ? bytes.toString('latin1') : utf;
    });
  }
}

export interface UrlParts {
  path: string;
  params: { name: string; value: string }[];
}

function parseParams(query: string, into: UrlParts['params']): void {
  for (const pair of query.split(/[&;]/)) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = percentDecode(eq < 0 ? pair : pair.slice(0, eq), true);
    const value = eq < 0 ? '' : percentDecode(pair.slice(eq + 1), true);
    // A bare "?john@example.com" is a value without a name.
    if (eq < 0) into.push({ name: '', value: name });
    else into.push({ name, value });
  }
}

/** Splits a URL into its decoded path and query parameters. Null when it is not a web URL. */
export function splitUrl(url: string): UrlParts | null {
  const s = url.trim();
  if (!WEB_SCHEME.test(s)) return null;
  const afterScheme = s.indexOf('//') + 2;
  const hashAt = s.indexOf('#', afterScheme);
  const noHash = hashAt < 0 ? s : s.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : s.slice(hashAt + 1);
  const qAt = noHash.indexOf('?', afterScheme);
  const beforeQuery = qAt < 0 ? noHash : noHash.slice(0, qAt);
  const query = qAt < 0 ? '' : noHash.slice(qAt + 1);
  const slash = beforeQuery.indexOf('/', afterScheme);
  const parts: UrlParts = { path: slash < 0 ? '' : percentDecode(beforeQuery.slice(slash)), params: [] };
  parseParams(query, parts.params);
  if (fragment) {
    // "#/orders/123?email=…" (SPA route) or "#email=…"
    const fq = fragment.indexOf('?');
    const route = fq < 0 ? fragment : fragment.slice(0, fq);
    if (route.startsWith('/')) {
      const r = percentDecode(route);
      parts.path = parts.path && parts.path !== '/' ? `${parts.path}\n${r}` : r;
    }
    const fparams = fq >= 0 ? fragment.slice(fq + 1) : fragment.includes('=') ? fragment : '';
    if (fparams) parseParams(fparams, parts.params);
  }
  return parts;
}

/**
 * Adds link segments for each URL not seen before in this message. `prefix` is '' for the top-level message or
 * e.g. "attachment:fwd.eml/" inside a nested message.
 */
export function addLinkSegments(ctx: ExtractContext, urls: Iterable<string>, prefix: string): void {
  for (const url of urls) {
    const parts = splitUrl(url);
    if (!parts || !ctx.firstUrl(url.trim())) continue;
    if (parts.path && parts.path !== '/') {
      ctx.addSegment({ location: 'link', source: `${prefix}link:path`, text: parts.path, linkPart: 'path' });
    }
    for (const p of parts.params) {
      // eslint-disable-next-line no-control-regex
      const name = p.name.replace(/[\x00-\x1f\x7f]/g, '').slice(0, 64);
      ctx.addSegment({ location: 'link', source: `${prefix}link:query:${name}`, text: p.value, linkPart: 'query' });
    }
  }
}
