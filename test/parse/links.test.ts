import { describe, expect, it } from 'vitest';
import { findBareUrls, parseMessage, splitUrl } from '../../src/parse/index.js';
import { compose } from './fixtures.js';

describe('splitUrl', () => {
  it('decodes the path and each query value', () => {
    expect(splitUrl('https://shop.example/orders/john%40example.com/view?email=john%40example.com&n=J+Doe&x')).toEqual({
      path: '/orders/john@example.com/view',
      params: [
        { name: 'email', value: 'john@example.com' },
        { name: 'n', value: 'J Doe' },
        { name: '', value: 'x' },
      ],
    });
  });
  it('reads parameters and routes from fragments', () => {
    expect(splitUrl('https://app.example/#/customer/42?phone=%2B4930123')).toEqual({
      path: '/customer/42',
      params: [{ name: 'phone', value: '+4930123' }],
    });
    expect(splitUrl('https://app.example/pay#token=abc&email=a%40b.example')!.params.map((p) => p.value)).toEqual([
      'abc',
      'a@b.example',
    ]);
    expect(splitUrl('https://app.example/page#section-2')!.params).toEqual([]);
  });
  it('survives malformed percent escapes and ignores non-web schemes', () => {
    expect(splitUrl('http://x.example/a%E9b%zz?v=%FF%41')).toEqual({
      path: '/a\u00e9b%zz',
      params: [{ name: 'v', value: '\u00ffA' }],
    });
    expect(splitUrl('mailto:john@example.com')).toBeNull();
    expect(splitUrl('cid:image001')).toBeNull();
  });
});

describe('findBareUrls', () => {
  it('finds URLs in text without trailing punctuation', () => {
    expect(
      findBareUrls('See https://a.example/x?y=1. Or (http://b.example/wiki/Foo_(bar)), ok: ftp://c.example/f!'),
    ).toEqual(['https://a.example/x?y=1', 'http://b.example/wiki/Foo_(bar)', 'ftp://c.example/f']);
  });
});

describe('link segments in messages', () => {
  it('creates path and decoded query segments from hrefs, srcs and bare URLs, deduplicated', async () => {
    const url = 'https://pay.shop.example/invoice/INV-2024-0042?email=john%40example.com&amp;name=John%20Doe';
    const raw = await compose({
      text: 'Pay here: https://pay.shop.example/invoice/INV-2024-0042?email=john%40example.com&name=John%20Doe\nand https://t.example/o/9',
      html: `<a href="${url}">pay</a><img src="https://img.example/track/u/555?id=7"><a href="mailto:x@y.example">m</a>`,
    });
    const p = await parseMessage(raw);
    const links = p.segments.filter((s) => s.location === 'link');
    expect(links.map((s) => [s.source, s.linkPart, s.text])).toEqual([
      ['link:path', 'path', '/invoice/INV-2024-0042'],
      ['link:query:email', 'query', 'john@example.com'],
      ['link:query:name', 'query', 'John Doe'],
      ['link:path', 'path', '/o/9'],
      ['link:path', 'path', '/track/u/555'],
      ['link:query:id', 'query', '7'],
    ]);
    // URLs are not inlined in the converted HTML text
    expect(p.segments.find((s) => s.source === 'body:html')!.text).toBe('pay m');
  });
});
