/**
 * HTML → plain text and the URLs it references, in one linear pass with no DOM and no recursion, so deeply
 * nested or malformed HTML costs no more than its length. All character data is kept (hidden elements, comment
 * contents such as Outlook conditional blocks, alt/title attributes): for a data-loss scanner, text a browser
 * might not show is still text that is sent. Only <script> and <style> contents are dropped.
 */
import { decodeHTML } from 'entities';

export interface HtmlExtract {
  text: string;
  /** href/src/… attribute values, entity-decoded, in document order (not deduplicated). */
  urls: string[];
}

const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'caption',
  'center',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'html',
  'body',
  'li',
  'main',
  'nav',
  'ol',
  'option',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'title',
  'tr',
  'ul',
  'textarea',
  'select',
  'button',
]);
const CELL = new Set(['td', 'th']);
const RAW_TEXT = new Set(['script', 'style']);
const URL_ATTRS = new Set(['href', 'src', 'action', 'background', 'poster', 'formaction', 'cite', 'data']);
const TEXT_ATTRS = new Set(['alt', 'title']);

const COND_COMMENT = /\[if [^\]<>]{0,100}\]>(?:<!-->)?|>/y;
const TAG_NAME = /[a-zA-Z][^\s/>]*/y;
const ATTR = /[\s/]*([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?/y;
// Zero-width and soft-hyphen characters that split words without showing; NBSP becomes a plain space.
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/g;

function decode(s: string): string {
  return s.includes('&') ? decodeHTML(s) : s;
}

function addSrcset(value: string, urls: string[]): void {
  for (const cand of value.split(',')) {
    const u = cand.trim().split(/\s+/)[0];
    if (u) urls.push(u);
  }
}

export function htmlToText(html: string): HtmlExtract {
  const out: string[] = [];
  const urls: string[] = [];
  const n = html.length;
  let i = 0;
  const pushText = (raw: string): void => {
    if (!raw) return;
    const t = raw.includes('--') ? raw.replace(/--!?>/g, ' ') : raw; // the end of a comment we read into
    out.push(decode(t).replace(/[\s\u00a0]+/g, ' '));
  };
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      pushText(html.slice(i));
      break;
    }
    if (lt > i) pushText(html.slice(i, lt));
    const c = html.charCodeAt(lt + 1);
    if (c === 0x21 /* ! */) {
      if (html.startsWith('<!--', lt)) {
        // Comment contents are scanned as markup (Outlook's <!--[if mso]>…<![endif]--> blocks hold real text).
        COND_COMMENT.lastIndex = lt + 4;
        i = COND_COMMENT.test(html) ? COND_COMMENT.lastIndex : lt + 4;
        continue;
      }
      const gt = html.indexOf('>', lt);
      i = gt < 0 ? n : gt + 1; // doctype, <![endif]>, CDATA markers
      continue;
    }
    if (c === 0x3f /* ? */) {
      const gt = html.indexOf('>', lt);
      i = gt < 0 ? n : gt + 1;
      continue;
    }
    const closing = c === 0x2f; /* / */
    TAG_NAME.lastIndex = lt + (closing ? 2 : 1);
    const m = TAG_NAME.exec(html);
    if (!m) {
      pushText('<'); // a lone '<' is text
      i = lt + 1;
      continue;
    }
    const name = m[0].toLowerCase();
    let j = TAG_NAME.lastIndex;
    // Attributes up to the closing '>'; every step consumes input, so the scan is linear.
    for (;;) {
      while (j < n && (html.charCodeAt(j) <= 0x20 || html.charCodeAt(j) === 0x2f)) j++;
      if (j >= n || html.charCodeAt(j) === 0x3e) break;
      ATTR.lastIndex = j;
      const a = ATTR.exec(html);
      if (!a || ATTR.lastIndex === j) {
        j++;
        continue;
      }
      j = ATTR.lastIndex;
      if (closing) continue;
      const attr = a[1]!.toLowerCase();
      const value = a[2] ?? a[3] ?? a[4];
      if (value === undefined || value === '') continue;
      if (URL_ATTRS.has(attr)) urls.push(decode(value).trim());
      else if (attr === 'srcset') addSrcset(decode(value), urls);
      else if (TEXT_ATTRS.has(attr)) out.push(' ', decode(value), ' ');
    }
    i = j >= n ? n : j + 1;
    if (CELL.has(name)) {
      if (!closing) out.push('\t');
    } else if (BLOCK.has(name)) out.push('\n');
    else if (name === 'img') out.push(' ');
    if (!closing && RAW_TEXT.has(name)) {
      const end = indexOfCi(html, '</' + name, i);
      i = end < 0 ? n : end;
    }
  }
  const text = out
    .join('')
    .replace(INVISIBLE, '')
    .replace(/[ \t]*\n\s*/g, '\n')
    .trim();
  return { text, urls };
}

/** Case-insensitive indexOf for an ASCII needle. */
function indexOfCi(hay: string, needle: string, from: number): number {
  const re = new RegExp(needle, 'gi');
  re.lastIndex = from;
  const m = re.exec(hay);
  return m ? m.index : -1;
}
