import { describe, expect, it } from 'vitest';
import { LookalikeMatcher, WELL_KNOWN_MAIL_DOMAINS, editDistance, skeleton } from '../../src/decide/lookalike.js';

const m = new LookalikeMatcher(WELL_KNOWN_MAIL_DOMAINS);

describe('lookalike matcher', () => {
  it('edit distance counts a transposition as one edit', () => {
    expect(editDistance('gmial', 'gmail')).toBe(1);
    expect(editDistance('outlok', 'outlook')).toBe(1);
    expect(editDistance('hotmal', 'hotmail')).toBe(1);
    expect(editDistance('abc', 'xyz', 2)).toBe(3);
  });

  it('folds homoglyphs', () => {
    expect(skeleton('gmаil.com')).toBe('gmail.com'); // Cyrillic а
    expect(skeleton('gmai1.com')).toBe('gmail.com');
    expect(skeleton('rnail.com')).toBe('mail.com');
    expect(skeleton('gmάil.com')).toBe('gmail.com'); // Greek alpha with tonos
  });

  it.each([
    ['gmial.com', 'gmail.com', 'typo'],
    ['gmail.co', 'gmail.com', 'tld'],
    ['gmai.com', 'gmail.com', 'typo'],
    ['outlok.com', 'outlook.com', 'typo'],
    ['hotmial.com', 'hotmail.com', 'typo'],
    ['hotmal.co', 'hotmail.com', 'typo'],
    ['xn--gmil-63d.com', 'gmail.com', 'homoglyph'],
    ['xn--yhoo-53d.com', 'yahoo.com', 'homoglyph'],
    ['protonmial.com', 'protonmail.com', 'typo'],
    ['t-onlnie.de', 't-online.de', 'typo'],
    ['gxm.de', 'gmx.de', 'typo'],
  ])('%s imitates %s (%s)', (domain, target, kind) => {
    expect(m.match(domain)).toMatchObject({ target, kind });
  });

  it.each(['gmail.com', 'mail.google.com', 'gm.com', 'aon.com', 'ms.com', 'gmx.at', 'yandex.ua', 'orange.es', 'example.com', 'hotmail.co.uk', 'wed.de', 'gmaiil.co'])(
    '%s is not a lookalike',
    (domain) => {
      expect(m.match(domain)).toBeNull();
    },
  );

  it('extra known domains are respected', () => {
    const withShop = new LookalikeMatcher([...WELL_KNOWN_MAIL_DOMAINS, 'myshop.example']);
    expect(withShop.match('myshpo.example')).toMatchObject({ target: 'myshop.example' });
    expect(withShop.match('myshop.example')).toBeNull();
  });
});
