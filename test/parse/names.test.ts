/**
 * File names and types for source paths. Extensions and content types come from messages: names of
 * Object.prototype members ("constructor", "__proto__") are ordinary unknown values, not functions.
 */
import { describe, expect, it } from 'vitest';
import { partName, safeName, typeForName } from '../../src/parse/names.js';

describe('typeForName', () => {
  it('known extensions, case-insensitive; unknown ones are application/octet-stream', () => {
    expect(typeForName('Invoice.PDF')).toBe('application/pdf');
    expect(typeForName('data.xlsx')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(typeForName('noext')).toBe('application/octet-stream');
    expect(typeForName('x.weird')).toBe('application/octet-stream');
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'x.%s is application/octet-stream',
    (ext) => {
      expect(typeForName(`x.${ext}`)).toBe('application/octet-stream');
    },
  );
});

describe('partName', () => {
  it('unnamed parts get part-N with the extension of their type; messages end in .eml', () => {
    expect(partName(undefined, 'application/pdf', 2)).toBe('part-2.pdf');
    expect(partName(undefined, 'application/x-unknown', 3)).toBe('part-3');
    expect(partName('forwarded', 'message/rfc822', 1)).toBe('forwarded.eml');
  });

  it.each(['constructor', '__proto__', 'toString'])('an unnamed part of type "%s" is just part-N', (type) => {
    expect(partName(undefined, type, 4)).toBe('part-4');
  });

  it('names lose separators and control characters', () => {
    expect(safeName('../etc/pass\x00wd')).toBe('.._etc_passwd');
  });
});
