/**
 * The message as it goes on the wire after DATA (RFC 5321 §4.5.2): a '.' at the start of a line is doubled, the
 * message ends with CRLF, then '.' CRLF. Bare LF and bare CR become CRLF, so no upstream can read a line end (or
 * an end of data) where we did not write one (SMTP smuggling).
 *
 * The inbound side already refuses bare CR and LF, so relayed mail takes the fast path: one indexOf scan for CR,
 * one for LF (which also finds the dots to double), and the message itself (uncopied) in slices around the
 * doubled dots, then the terminator.
 */
const CR = 13;
const LF = 10;
const DOT = 46;
const ONE_DOT = Buffer.from('.');
const TERMINATOR = Buffer.from('.\r\n');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n');

/** Buffers to write in order: the dot-stuffed message and the end-of-data terminator. */
export function wireBody(raw: Buffer): Buffer[] {
  if (hasBareCr(raw)) return wireBody(normalizeLineBreaks(raw));
  const out: Buffer[] = [];
  let from = 0;
  if (raw[0] === DOT) out.push(ONE_DOT);
  for (let lf = raw.indexOf(LF); lf !== -1; lf = raw.indexOf(LF, lf + 1)) {
    if (lf === 0 || raw[lf - 1] !== CR) return wireBody(normalizeLineBreaks(raw)); // a bare LF
    if (raw[lf + 1] === DOT) {
      out.push(raw.subarray(from, lf + 1), ONE_DOT);
      from = lf + 1;
    }
  }
  if (from < raw.length) out.push(from === 0 ? raw : raw.subarray(from));
  const endsWithCrlf = raw.length >= 2 && raw[raw.length - 1] === LF;
  out.push(raw.length === 0 || endsWithCrlf ? TERMINATOR : CRLF_TERMINATOR);
  return out;
}

/** True when some CR is not followed by LF (bare LFs are found in wireBody's own pass over the line ends). */
function hasBareCr(raw: Buffer): boolean {
  for (let cr = raw.indexOf(CR); cr !== -1; cr = raw.indexOf(CR, cr + 1)) if (raw[cr + 1] !== LF) return true;
  return false;
}

/** Every bare CR, bare LF and CRLF as CRLF (rare: relayed mail never has bare ones). */
function normalizeLineBreaks(raw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(raw.length * 2);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === CR || c === LF) {
      out[n++] = CR;
      out[n++] = LF;
      if (c === CR && raw[i + 1] === LF) i++;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}
