/**
 * E-mail addresses with Unicode in them, found in text: `info@bücher.example`, `jürgen@müller.de`,
 * `用户@例子.中国`. recognizers' ASCII matcher (emailMatches) finds every all-ASCII address (punycode spellings
 * included); this finds only the ones it cannot: a non-ASCII character in the local part or in the domain. The
 * caller canonicalises each match with normalizeEmail (domain → punycode, as the directory import and the
 * envelope do), so the Unicode and the punycode spelling of an address are one value.
 *
 * Linear like emailMatches: one sticky attempt per '@', the local part looked at over at most 64 characters
 * backwards, the domain forwards only up to the next character that cannot be in a domain (an '@' cannot), and
 * the attempt made only when a non-ASCII character sits next to that '@'.
 */

// Letters, marks and digits of any script plus the ASCII local-part punctuation; IDNA's full-width and ideographic
// full stops separate labels like '.' (UTS #46 maps them).
const UNICODE_EMAIL_RE =
  /(?<![\p{L}\p{M}\p{N}._%+'-])[\p{L}\p{M}\p{N}._%+'-]{1,64}@[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?(?:[.\u3002\uff0e\uff61][\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?)+/uy;

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;

/** A character of UNICODE_EMAIL_RE's local part (one UTF-16 unit; astral characters end the run). */
function isLocalChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) return true;
  if (c === 46 || c === 95 || c === 37 || c === 43 || c === 39 || c === 45) return true;
  return c >= 0x80 && (c < 0xd800 || c > 0xdfff) && WORD_CHAR.test(text[i]!);
}

/** True when the domain right after the '@' at `at` holds a non-ASCII character before its first ASCII separator. */
function domainHasNonAscii(text: string, at: number): boolean {
  for (let i = at + 1, n = Math.min(text.length, at + 1 + 255); i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80)
      return c < 0xd800 || c > 0xdfff
        ? WORD_CHAR.test(text[i]!) || c === 0x3002 || c === 0xff0e || c === 0xff61
        : false;
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46)) return false;
  }
  return false;
}

/** Matches with a non-ASCII character in them, in text order, none overlapping. */
export function* unicodeEmailMatches(text: string): Generator<RegExpExecArray> {
  let lastEnd = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    let nonAscii = false;
    while (start > 0 && at - start <= 64 && isLocalChar(text, start - 1)) {
      start--;
      if (text.charCodeAt(start) >= 0x80) nonAscii = true;
    }
    if (start === at || at - start > 64 || start < lastEnd) continue;
    if (!nonAscii && !domainHasNonAscii(text, at)) continue;
    UNICODE_EMAIL_RE.lastIndex = start;
    const m = UNICODE_EMAIL_RE.exec(text);
    if (m) {
      lastEnd = start + m[0].length;
      yield m;
    }
  }
}
