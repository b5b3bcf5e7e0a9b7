/**
 * Admin security (extends test/admin/console.browser.test.ts without touching it):
 *  - every non-public endpoint refuses requests without a session or token (and with forged ones),
 *  - state changes need the CSRF token AND a same-origin Origin with a cookie session,
 *  - an XSS payload corpus in subjects, bodies (text and HTML), display names, attachment file names, release and
 *    delete reasons (audit page) and the sender's release-request justification renders inert in a real browser
 *    (Debian chromium via playwright-core): no dialog, no script run, no element with an event-handler attribute,
 *    no javascript: URL, no frame besides the sandboxed body frame.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMessage, makeVerdict } from '../quarantine/helpers.js';
import { apiLogin, PASSWORDS, startEnv, type Env } from '../admin/setup.js';

export const XSS_PAYLOADS = [
  `<script>window.__pwned=1;alert(1)</script>`,
  `"><img src=x onerror="window.__pwned=1;alert(2)">`,
  `'><svg/onload=window.__pwned=1;alert(3)>`,
  `javascript:window.__pwned=1;alert(4)`,
  `<a href="javascript:window.__pwned=1;alert(5)">click</a>`,
  `<iframe srcdoc="<script>parent.__pwned=1;alert(6)</script>"></iframe>`,
  `</textarea><script>window.__pwned=1;alert(7)</script>`,
  `</title><script>window.__pwned=1;alert(8)</script>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1;alert(9)>`,
  `<details open ontoggle="window.__pwned=1;alert(10)">`,
  `{{constructor.constructor('window.__pwned=1;alert(11)')()}}`,
  `<base href="javascript:alert(12)//">`,
  `<meta http-equiv="refresh" content="0;url=javascript:alert(13)">`,
  `<!--<img src="--><img src=x onerror=window.__pwned=1;alert(14)//">`,
  `<img src=x onerror=&#119;&#105;&#110;&#100;&#111;&#119;.__pwned=1>`,
  `<object data="javascript:alert(16)"></object>`,
  `<body onload="window.__pwned=1;alert(17)">`,
  `</style><script>window.__pwned=1;alert(18)</script>`,
  `<form action="javascript:alert(19)"><button>x</button></form>`,
  `"onmouseover="window.__pwned=1;alert(20)" x="`,
  `<svg><animate onbegin="window.__pwned=1;alert(21)" attributeName=x dur=1s>`,
  `<input autofocus onfocus="window.__pwned=1;alert(22)">`,
];
const ENCODED_WORD =
  '=?utf-8?b?' + Buffer.from('<script>window.__pwned=1;alert(23)</script>').toString('base64') + '?=';

let browser: Browser;
let env: Env;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  env = await startEnv();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

function hostile(i: number, payload: string): Buffer {
  return Buffer.from(
    [
      `Subject: ${payload}`,
      `From: "${payload.replace(/"/g, "'")}" <agent@shop.example>`,
      `To: "${payload.replace(/"/g, "'")}" <victim.customer@gmail.com>, ${ENCODED_WORD} <other@gmail.com>`,
      `Message-ID: <x${i}@shop.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `plain ${payload}`,
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<html><body><p>html</p>${payload}</body></html>`,
      '--b1',
      `Content-Type: application/pdf; name="${payload.replace(/"/g, "'")}.pdf"`,
      `Content-Disposition: attachment; filename="${payload.replace(/"/g, "'")}.pdf"`,
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0xLjQK',
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

/** Everything that would mean a payload became live markup, over all frames of the page. */
async function liveMarkup(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const frame of page.frames()) {
    const r = await frame
      .evaluate(() => {
        const out: string[] = [];
        if ((globalThis as unknown as { __pwned?: number }).__pwned) out.push('__pwned set');
        for (const el of Array.from(document.querySelectorAll('*'))) {
          for (const a of Array.from(el.attributes)) {
            if (/^on/i.test(a.name)) out.push(`<${el.tagName.toLowerCase()} ${a.name}>`);
            if (/^\s*javascript:/i.test(a.value) && /^(href|src|action|data|formaction|content)$/i.test(a.name))
              out.push(`${a.name}=javascript:`);
          }
          if (['SCRIPT', 'OBJECT', 'EMBED', 'BASE', 'SVG', 'MATH', 'DETAILS'].includes(el.tagName.toUpperCase()))
            out.push(`<${el.tagName.toLowerCase()}>`);
          if (el.tagName === 'META' && /refresh/i.test(el.getAttribute('http-equiv') ?? '')) out.push('<meta refresh>');
        }
        return out;
      })
      .catch(() => [] as string[]); // a sandboxed frame without scripts may refuse evaluation: nothing can run there
    found.push(...r.map((x) => `${frame === page.mainFrame() ? 'page' : 'frame'}: ${x}`));
  }
  return found;
}

describe('admin: authentication and CSRF on every endpoint', () => {
  it('refuses every non-public endpoint without credentials, with forged ones, and state changes without CSRF/Origin', async () => {
    const msg = makeMessage();
    await env.store.hold(msg, makeVerdict());
    const u = env.server.url;
    const id = msg.id;
    const gets = [
      '/',
      '/messages',
      `/messages/${id}`,
      `/messages/${id}/body`,
      '/audit',
      '/audit/export',
      '/api/messages',
      `/api/messages/${id}`,
      '/api/audit',
      '/api/audit/export',
      '/api/session',
      '/api/users',
      '/admin',
      '/messages/../audit',
    ];
    const posts = [
      `/messages/${id}/release`,
      `/messages/${id}/delete`,
      `/api/messages/${id}/release`,
      `/api/messages/${id}/delete`,
      '/logout',
    ];
    const forged: Record<string, string>[] = [
      {},
      { cookie: 'pg_session=' + 'a'.repeat(43) },
      { authorization: 'Bearer pgt_' + 'b'.repeat(40) },
      { authorization: 'Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQtMQ==' },
    ];
    const table: Record<string, number[]> = {};
    for (const headers of forged) {
      for (const p of gets) {
        const r = await fetch(u + p, { headers, redirect: 'manual' });
        (table[`GET ${p}`] ??= []).push(r.status);
        expect(
          r.status === 401 ||
            ((r.status === 302 || r.status === 303) && r.headers.get('location') === '/login') ||
            r.status === 404,
          `GET ${p} ${JSON.stringify(headers)} → ${r.status}`,
        ).toBe(true);
        if (r.status === 404) expect(await r.text()).not.toContain(id);
      }
      for (const p of posts) {
        const r = await fetch(u + p, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', origin: u },
          body: 'reason=x&csrf=y',
          redirect: 'manual',
        });
        (table[`POST ${p}`] ??= []).push(r.status);
        expect([401, 403]).toContain(r.status);
      }
    }
    // a request link with a bad signature
    expect((await fetch(`${u}/request/${id}?exp=9999999999999&sig=00`)).status).toBe(403);

    // with a real cookie session: no CSRF token → 403; wrong Origin → 403; both right → done
    const { cookie, csrf } = await apiLogin(u, 'alice');
    const post = (origin: string | undefined, token: string) =>
      fetch(`${u}/messages/${id}/release`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
        body: `reason=ok&csrf=${encodeURIComponent(token)}`,
        redirect: 'manual',
      });
    expect((await post(u, '')).status).toBe(403);
    expect((await post(u, 'forged-token')).status).toBe(403);
    expect((await post('http://evil.example', csrf)).status).toBe(403);
    expect((await post('null', csrf)).status).toBe(403);
    expect((await env.store.get(id)).status).toBe('held');
    expect([200, 302, 303]).toContain((await post(u, csrf)).status);
    expect((await env.store.get(id)).status).toBe('released');
    // other methods are refused
    expect((await fetch(`${u}/api/messages/${id}`, { method: 'DELETE', headers: { cookie } })).status).toBe(405);
    console.log(
      '[admin-auth] statuses per endpoint (no creds, forged cookie, forged token, basic):',
      JSON.stringify(table),
    );
  });
});

describe('admin console in a real browser: XSS payload corpus renders inert', () => {
  it(`${XSS_PAYLOADS.length} payloads in subject, body, display names, file names, reasons and justification`, async () => {
    const ids: string[] = [];
    for (const [i, p] of XSS_PAYLOADS.entries()) {
      const msg = makeMessage({ raw: hostile(i, p) });
      await env.store.hold(msg, makeVerdict({ reason: p }), { subject: p });
      ids.push(msg.id);
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const problems: Record<string, string[]> = {};
    try {
      await page.goto(`${env.server.url}/messages`);
      await page.fill('input[name=name]', 'alice');
      await page.fill('input[name=password]', PASSWORDS.alice);
      await Promise.all([page.waitForURL(`${env.server.url}/messages`), page.click('button[type=submit]')]);
      const list = await liveMarkup(page);
      if (list.length) problems['/messages'] = list;

      for (const [i, id] of ids.entries()) {
        await page.goto(`${env.server.url}/messages/${id}`);
        await page.frameLocator('iframe').locator('pre').waitFor({ state: 'attached' });
        const live = await liveMarkup(page);
        if (live.length) problems[`/messages/${id}`] = live;
        // shown literally, as text
        expect(await page.locator('#subject').textContent()).toBe(XSS_PAYLOADS[i]);
        expect(page.frames().length).toBeLessThanOrEqual(2);
      }

      // reasons typed by an admin end up on the audit page
      for (const [i, id] of ids.slice(0, 6).entries()) {
        await page.goto(`${env.server.url}/messages/${id}`);
        const form = i % 2 ? '#delete-form' : '#release-form';
        if ((await page.locator(form).count()) === 0) continue;
        await page.fill(`${form} textarea[name=reason]`, XSS_PAYLOADS[i]!);
        await Promise.all([page.waitForURL(/notice=/), page.click(`${form} button[type=submit]`)]);
      }
      // the sender's justification on the signed request page
      const reqId = ids[10]!;
      const { exp, sig } = env.signer.sign(reqId);
      const reqPage = await context.newPage();
      reqPage.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await reqPage.goto(`${env.server.url}/request/${reqId}?exp=${exp}&sig=${sig}`);
      const live0 = await liveMarkup(reqPage);
      if (live0.length) problems['/request'] = live0;
      if ((await reqPage.locator('textarea[name=justification]').count()) > 0) {
        await reqPage.fill('textarea[name=justification]', XSS_PAYLOADS[0]! + XSS_PAYLOADS[1]!);
        await reqPage.click('button[type=submit]');
        await reqPage.waitForLoadState();
        const live1 = await liveMarkup(reqPage);
        if (live1.length) problems['/request (done)'] = live1;
      }
      await page.goto(`${env.server.url}/audit`);
      const audit = await liveMarkup(page);
      if (audit.length) problems['/audit'] = audit;
      expect(await page.locator('body').textContent()).toContain('<script>window.__pwned=1;alert(1)</script>');
      await page.waitForTimeout(300);
    } finally {
      await context.close();
    }
    console.log(
      '[admin-xss]',
      JSON.stringify({
        payloads: XSS_PAYLOADS.length + 1,
        pagesChecked: ids.length + 4,
        dialogs: dialogs.length,
        problems: Object.keys(problems).length,
      }),
    );
    expect(problems).toEqual({});
    expect(dialogs).toEqual([]);
  }, 120_000);
});
