/**
 * Masked values for humans (console, notices, logs). Enough to recognise which value it was, never enough to
 * reconstruct it.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';

const DOT = '•';

function firstChar(s: string): string {
  const c = s.codePointAt(0);
  return c === undefined ? '' : String.fromCodePoint(c);
}

/** `m•••@gmail.com` */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return DOT.repeat(3);
  return `${firstChar(email)}${DOT.repeat(3)}@${email.slice(at + 1)}`;
}

/** `+1 415 ••• ••71` from an E.164 number. */
export function maskPhone(e164: string): string {
  const p = parsePhoneNumberFromString(e164);
  const cc = p?.countryCallingCode ?? '';
  const nn = p ? String(p.nationalNumber) : e164.replace(/^\+/, '');
  return `+${cc} ${nn.slice(0, 3)} ${DOT.repeat(3)} ${DOT.repeat(2)}${nn.slice(-2)}`;
}

/** `35•••••••••••12` */
export function maskImei(digits: string): string {
  return digits.slice(0, 2) + DOT.repeat(Math.max(0, digits.length - 4)) + digits.slice(-2);
}

/** `••••1234` (the last four digits, as on receipts). */
export function maskCard(digits: string): string {
  return DOT.repeat(4) + digits.slice(-4);
}

/** `DE89 •••• •••• •••• 3000`: country, check digits and the last four characters of an electronic-format IBAN. */
export function maskIban(iban: string): string {
  return `${iban.slice(0, 4)} ${DOT.repeat(4)} ${DOT.repeat(4)} ${DOT.repeat(4)} ${iban.slice(-4)}`;
}

/** `J••• D•••` — the initial of every word. */
export function maskWords(text: string): string {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((w) => firstChar(w).toUpperCase() + DOT.repeat(3))
    .join(' ');
}

/** `OR•••23` — first two and last two characters (one and none for short values). */
export function maskToken(value: string): string {
  const chars = Array.from(value);
  if (chars.length <= 5) return (chars[0] ?? '') + DOT.repeat(3);
  return chars.slice(0, 2).join('') + DOT.repeat(3) + chars.slice(-2).join('');
}

export function maskValue(kind: string, normalized: string, original: string): string {
  switch (kind) {
    case 'email':
      return maskEmail(normalized);
    case 'phone':
      return maskPhone(normalized);
    case 'imei':
      return maskImei(normalized);
    case 'card':
      return maskCard(normalized);
    case 'iban':
      return maskIban(normalized);
    case 'full_name':
    case 'greeting_name':
    case 'address':
    case 'city':
      return maskWords(original);
    default:
      return maskToken(normalized);
  }
}
