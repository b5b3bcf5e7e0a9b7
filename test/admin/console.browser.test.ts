import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { makeMessage, makeVerdict, SECRET_SUBJECT } from '../quarantine/helpers.js';
import { PASSWORDS, startEnv, type Env } from './setup.js';

let browser: Browser;
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
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function login(page: Page, url: string, name: keyof typeof PASSWORDS): Promise<void> {
  await page.goto(`${url}/messages`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', PASSWORDS[name]);
  await Promise.all([page.waitForURL(`${url}/messages`), page.click('button[type=submit]')]);
}

describe('admin console in a real browser', () => {
  let env: Env;
  let page: Page;
  let dialogs: string[];
  beforeEach(async () => {
    env = await startEnv();
    const context = await browser.newContext();
    page = await context.newPage();
    dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  afterEach(async () => {
    await page.context().close();
    await env.close();
  });

  it('logs in, finds the held message, shows masked findings, releases with a reason and audits it', async () => {
    const msg = makeMessage();
    await env.store.hold(msg, makeVerdict(), { subject: SECRET_SUBJECT });
    await login(page, env.server.url, 'rita');

    const row = page.locator(`#messages tr[data-id="${msg.id}"]`);
    await expect(row.locator('.status').textContent()).resolves.toBe('held');
    expect(await row.textContent()).toContain('v•••@gmail.com');
    expect(await row.textContent()).not.toContain('victim.customer');

    // filters: a different rule hides it
    await page.goto(`${env.server.url}/messages?rule=other-rule`);
    expect(await page.locator(`#messages tr[data-id="${msg.id}"]`).count()).toBe(0);
    await page.goto(`${env.server.url}/messages?status=held&sender=agent`);
    await page.click(`a[href="/messages/${msg.id}"]`);
    await page.waitForURL(`${env.server.url}/messages/${msg.id}`);

    const findings = await page.locator('#findings mark.finding').allTextContents();
    expect(findings).toEqual(['+1 415 ••• ••71', '4901••••••••518']);
    expect(await page.locator('#recipients').textContent()).toBe('v•••@gmail.com');
    expect(await page.locator('#sender').textContent()).toBe('a•••@shop.example');
    const bodyFrame = page.frameLocator('iframe[sandbox=""]');
    await expect(bodyFrame.locator('pre').textContent()).resolves.toContain('Secret Lane');

    // the browser enforces "required": an empty reason is not submitted
    await page.click('#release-form button[type=submit]');
    expect(page.url()).toBe(`${env.server.url}/messages/${msg.id}`);
    expect(env.sink.messages).toHaveLength(0);

    await page.fill('#release-form textarea[name=reason]', 'Customer confirmed the order by phone');
    await Promise.all([page.waitForURL(/notice=released/), page.click('#release-form button[type=submit]')]);
    expect(await page.locator('#notice').textContent()).toContain('released');
    expect(await page.locator('#status').textContent()).toBe('released');
    expect(await page.locator('#release-form').count()).toBe(0);
    await env.sink.waitFor(1);
    expect(env.sink.messages).toHaveLength(1);

    await page.click('a[href="/audit"]');
    const audit = page.locator('#audit tbody tr', { hasText: 'Customer confirmed the order by phone' });
    expect(await audit.count()).toBe(1);
    expect(await audit.textContent()).toContain('admin:rita');
    expect(await audit.textContent()).toContain(msg.id);
    expect(dialogs).toEqual([]);
  });

  it('renders subject, body and attachment names carrying HTML/script injection inert', async () => {
    const payload = `<img src=x onerror="window.__pwned=1;alert('subject')"><script>window.__pwned=1;alert('s2')</script>`;
    const raw = Buffer.from(
      [
        `Subject: ${payload}`,
        'From: "<svg onload=alert(3)>" <agent@shop.example>',
        'To: victim.customer@gmail.com',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/html; charset=utf-8',
        '',
        `<html><body onload="window.__pwned=1;alert('body')"><p>Hello</p><script>window.__pwned=1;alert('b2')</script><iframe src="javascript:alert(5)"></iframe><img src="http://127.0.0.1:1/track.png" onerror="alert(6)"></body></html>`,
        '--b1',
        `Content-Type: application/pdf; name="<img src=x onerror=alert(7)>.pdf"`,
        `Content-Disposition: attachment; filename="<img src=x onerror=alert(7)>.pdf"`,
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQK',
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const msg = makeMessage({ raw });
    await env.store.hold(msg, makeVerdict(), { subject: payload });
    await login(page, env.server.url, 'alice');
    await page.goto(`${env.server.url}/messages/${msg.id}`);
    await page.frameLocator('iframe').locator('pre').waitFor({ state: 'attached' });
    await page.waitForTimeout(500);

    expect(dialogs).toEqual([]);
    // The console page itself runs no script at all (its flag stays unset); the body frame is sandboxed without
    // allow-scripts, so no script can run there either: no evaluation context exists for page scripts in it.
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(page.frames()).toHaveLength(2); // the console + the body frame; the body's own <iframe> was not rendered
    expect(await page.locator('#subject').textContent()).toBe(payload); // shown as text, literally
    expect(await page.locator('#attachments').textContent()).toContain('<img src=x onerror=alert(7)>.pdf');
    expect(await page.locator('#subject img, #subject script, #attachments img').count()).toBe(0);
    const frame = page.frameLocator('iframe');
    expect(await frame.locator('script, img, iframe, svg').count()).toBe(0);
    expect(await frame.locator('pre').textContent()).toContain('Hello');
    expect(await frame.locator('body').textContent()).toContain('<img src=x onerror=alert(7)>.pdf');
  });

  it('refuses a cross-origin form post even when the browser sends the session cookie', async () => {
    const msg = makeMessage();
    await env.store.hold(msg, makeVerdict());
    await login(page, env.server.url, 'alice');
    // Same site (127.0.0.1), other port: SameSite=Strict still sends the cookie, so Origin + CSRF token must stop it.
    const attacker: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="post" action="${env.server.url}/messages/${msg.id}/release"><input name="reason" value="pwned"></form>
<script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (attacker.address() as AddressInfo).port;
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/messages/${msg.id}/release`)),
        page.goto(`http://127.0.0.1:${port}/`),
      ]);
      expect(response.status()).toBe(403);
      expect(response.request().headers()['cookie'] ?? (await response.request().allHeaders())['cookie']).toContain(
        'pg_session=',
      );
    } finally {
      await new Promise<void>((r) => attacker.close(() => r()));
    }
    expect((await env.store.get(msg.id)).status).toBe('held');
    expect(env.sink.messages).toHaveLength(0);
  });
});
