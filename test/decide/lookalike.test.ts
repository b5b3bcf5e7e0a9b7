import { describe, expect, it } from 'vitest';
import {
  LookalikeMatcher,
  PROVIDER_DOMAINS,
  WELL_KNOWN_MAIL_DOMAINS,
  editDistance,
  skeleton,
} from '../../src/decide/lookalike.js';

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

  it.each([
    'gmail.com',
    'mail.google.com',
    'gm.com',
    'aon.com',
    'ms.com',
    'gmx.at',
    'yandex.ua',
    'orange.es',
    'example.com',
    'hotmail.co.uk',
    'wed.de',
    'gmaiil.co',
    'xn--exmple-cua.com',
    'xn--bcher-kva.de',
  ])('%s is not a lookalike', (domain) => {
    expect(m.match(domain)).toBeNull();
  });

  it('extra known domains are respected', () => {
    const withShop = new LookalikeMatcher([...WELL_KNOWN_MAIL_DOMAINS, 'myshop.example']);
    expect(withShop.match('myshpo.example')).toMatchObject({ target: 'myshop.example' });
    expect(withShop.match('myshop.example')).toBeNull();
  });

  describe('provider list (email-providers)', () => {
    it('measures against the well-known providers of the maintained list, without placeholders', () => {
      for (const d of [
        'gmail.com',
        'yahoo.com',
        'outlook.com',
        'hotmail.com',
        'web.de',
        'gmx.de',
        't-online.de',
        'orange.fr',
        'libero.it',
        'wp.pl',
        'seznam.cz',
        'naver.com',
        'qq.com',
        'mail.ru',
        'yandex.ru',
        'uol.com.br',
        'sapo.pt',
      ]) {
        expect(WELL_KNOWN_MAIL_DOMAINS).toContain(d);
      }
      for (const d of ['example.com', 'test.com', 'yourdomain.com', 'mailinator.com'])
        expect(WELL_KNOWN_MAIL_DOMAINS).not.toContain(d);
      expect(PROVIDER_DOMAINS.size).toBeGreaterThan(5000);
    });

    it.each([
      'hotmail.be',
      'hotmail.de',
      'hotmail.dk',
      'hotmail.gr',
      'hotmail.it',
      'hotmail.es',
      'outlook.be',
      'outlook.ie',
      'outlook.dk',
      'yahoo.co.uk',
      'yahoo.co.in',
      'yahoo.dk',
      'yahoo.ie',
      'yahoo.se',
      'yahoo.gr',
      'yahoo.es',
      'yahoo.cn',
      'yahoo.com.ar',
      'yahoo.com.vn',
      'gmx.de',
      'gmx.at',
      'gmx.ch',
      'gmx.net',
      'web.de',
      't-online.de',
      'orange.fr',
      'libero.it',
      'wp.pl',
      'o2.pl',
      'interia.pl',
      'yandex.ru',
      'mail.ru',
      'seznam.cz',
      'naver.com',
      'online.ie',
      'tiscali.at',
      'lycos.at',
      'uol.com.ar',
      'mail.nu',
      'go.ru',
    ])("a provider's own (country) domain is not a lookalike: %s", (domain) => {
      expect(m.match(domain)).toBeNull();
    });

    it('country domains stay real when the directory adds their sibling as a known domain', () => {
      const withDir = new LookalikeMatcher([...WELL_KNOWN_MAIL_DOMAINS, 'hotmail.de', 'yahoo.de', 'outlook.de']);
      for (const d of ['hotmail.be', 'yahoo.dk', 'outlook.ie']) expect(withDir.match(d)).toBeNull();
    });

    it('a same-name domain under another country code that is not on the provider list is still a wrong TLD', () => {
      const small = new LookalikeMatcher(['acme-shop.de']);
      expect(small.match('acme-shop.be')).toMatchObject({ target: 'acme-shop.de', kind: 'tld' });
      // and a provider country domain needs the list: without it, hotmail.be next to hotmail.de is a wrong TLD
      const noList = new LookalikeMatcher(['hotmail.de'], { providerDomains: new Set() });
      expect(noList.match('hotmail.be')).toMatchObject({ target: 'hotmail.de', kind: 'tld' });
    });

    it.each([
      ['gmial.com', 'gmail.com', 'typo'],
      ['gamil.com', 'gmail.com', 'typo'],
      ['gmai.com', 'gmail.com', 'typo'],
      ['hotmial.com', 'hotmail.com', 'typo'],
      ['yaho.com', 'yahoo.com', 'typo'],
      ['vahoo.com', 'yahoo.com', 'typo'],
      ['gmail.co', 'gmail.com', 'tld'],
      ['gmail.om', 'gmail.com', 'tld'],
      ['hotmail.con', 'hotmail.com', 'tld'],
      ['hotmail.cm', 'hotmail.com', 'tld'],
      ['yahoo.om', 'yahoo.com', 'tld'],
    ])('%s is on the provider list (the list holds typo domains) and still imitates %s', (domain, target, kind) => {
      expect(PROVIDER_DOMAINS.has(domain)).toBe(true);
      expect(m.match(domain)).toMatchObject({ target, kind });
    });

    it.each([
      ['yahho.com', 'yahoo.com', 'typo'],
      ['gnail.com', 'gmail.com', 'typo'],
      ['outlook.co', 'outlook.com', 'tld'],
      ['yahoo.co', 'yahoo.com', 'tld'],
      ['hotmail.co', 'hotmail.com', 'tld'],
      ['web.dr', 'web.de', 'tld'],
      ['t-onlie.de', 't-online.de', 'typo'],
      ['libero.tt', 'libero.it', 'tld'],
      ['seznan.cz', 'seznam.cz', 'typo'],
      ['interai.pl', 'interia.pl', 'typo'],
      ['yandx.ru', 'yandex.ru', 'typo'],
      ['xn--gmil-63d.com', 'gmail.com', 'homoglyph'],
      ['xn--hotmil-6nf.com', 'hotmail.com', 'homoglyph'],
      ['xn--yandx-2we.ru', 'yandex.ru', 'homoglyph'],
      // provider country domains below the typo targets' cut are still spoofed by an IDN spelling
      ['xn--yhoo-53d.es', 'yahoo.es', 'homoglyph'],
      ['xn--libro-1we.it', 'libero.it', 'homoglyph'],
    ])('%s imitates %s (%s)', (domain, target, kind) => {
      expect(m.match(domain)).toMatchObject({ target, kind });
    });
  });
});
