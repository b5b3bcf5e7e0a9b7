/**
 * The console's pages in a real browser (headless Chromium): paging, search, bulk release, the detail page with
 * highlighted findings and a pre-filled typo correction, the statistics page, and the 390 px phone layout.
 * Screenshots go to /tmp/shots/ for review.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { releaseMessage, requestRelease } from '../../src/quarantine/release.js';
import { makeMessage, makeVerdict } from '../quarantine/helpers.js';
import { FOREIGN_EMAIL, FOREIGN_PHONE, holdForeign, openForeignDirectory } from './highlight-fixture.js';
import { PASSWORDS, startEnv, type Env } from './setup.js';

const SHOTS = '/tmp/shots';
let browser: Browser;
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
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
  await page.goto(`${url}/login`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', PASSWORDS[name]);
  await Promise.all([page.waitForURL(`${url}/messages`), page.click('button[type=submit]')]);
}

/**
 * A screenshot of a detail page with its body frame drawn: full-page captures resize the viewport and lose the
 * sandboxed frame's paint, so the viewport is made tall enough instead.
 */
async function shootWithBody(page: Page, path: string): Promise<void> {
  const size = page.viewportSize()!;
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height });
  await page.frameLocator('iframe').locator('pre').waitFor();
  await page.screenshot({ path });
  await page.setViewportSize(size);
}

const typoVerdict = () =>
  makeVerdict({
    rules: ['lookalike-recipient'],
    reason: 'Recipient domain looks like a mistyped gmail.com (lookalike recipient)',
    hits: [
      {
        ruleId: 'lookalike-recipient',
        action: 'quarantine',
        mode: 'enforce',
        reason: 'Recipient domain looks like a mistyped gmail.com',
        evidence: [
          {
            kind: 'lookalike:typo',
            masked: 'gmial.com ≈ gmail.com',
            source: 'envelope:rcpt-to',
            customers: [],
            recipient: 'j•••@gmial.com',
          },
        ],
      },
    ],
  });

describe('console pages in a real browser', () => {
  let env: Env;
  let page: Page;
  let dialogs: string[];
  beforeEach(async () => {
    env = await startEnv();
    page = await (await browser.newContext({ colorScheme: 'light' })).newPage();
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

  it('pages through held messages, searches by customer id, and bulk-releases with one reason', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 53; i++) {
      const msg = makeMessage();
      ids.push(msg.id);
      await env.store.hold(
        msg,
        makeVerdict(
          i === 7
            ? {
                hits: [
                  {
                    ...makeVerdict().hits[0]!,
                    evidence: [{ kind: 'iban', masked: 'DE•• •••• 42', source: 'attachment', customers: ['c-4711'] }],
                  },
                ],
              }
            : {},
        ),
      );
    }
    const released = makeMessage();
    await env.store.hold(released, makeVerdict());
    await env.store.transition(released.id, {
      from: ['held'],
      to: 'deleted',
      entry: { actor: 'test', action: 'deleted' },
    });
    await login(page, env.server.url, 'rita');

    // default filter "held": 53 of them, 50 per page
    expect(await page.locator('#total').textContent()).toBe('53');
    expect(await page.locator('#messages tbody tr').count()).toBe(50);
    expect(await page.locator(`#messages tr[data-id="${released.id}"]`).count()).toBe(0);
    expect(await page.locator('#page-info').textContent()).toBe('1–50 of 53');
    expect(await page.locator('#messages tbody tr').first().locator('time').getAttribute('title')).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );
    expect(await page.locator('#messages tbody tr').first().locator('time').textContent()).toMatch(/just now|min ago/);
    await page.screenshot({ path: `${SHOTS}/list-page1.png`, fullPage: false });
    await Promise.all([page.waitForURL(/offset=50/), page.click('#next-page')]);
    expect(await page.locator('#messages tbody tr').count()).toBe(3);
    expect(await page.locator('#page-info').textContent()).toBe('51–53 of 53');
    expect(await page.locator('#prev-page').count()).toBe(1);

    // the rule filter offers the rules held; search finds a message by the customer id in its findings
    expect(await page.locator('select[name=rule] option').allTextContents()).toEqual(['any rule', 'foreign-data']);
    await page.goto(`${env.server.url}/messages`);
    await page.fill('input[name=q]', 'c-4711');
    await Promise.all([page.waitForURL(/q=c-4711/), page.click('.filters button')]);
    expect(await page.locator('#messages tbody tr').count()).toBe(1);
    expect(await page.locator('#messages tbody tr').getAttribute('data-id')).toBe(ids[7]);

    // bulk: select three, one reason, release
    await page.goto(`${env.server.url}/messages`);
    const pick = ids.slice(-3); // newest first: on page 1
    for (const id of pick) await page.check(`input[name=ids][value="${id}"]`);
    await page.fill('#bulk-form textarea[name=reason]', 'Checked with the customers by phone');
    await page.screenshot({ path: `${SHOTS}/list-bulk-selected.png` });
    await Promise.all([
      page.waitForURL(`${env.server.url}/messages/bulk`),
      page.click('#bulk-form button[value=release]'),
    ]);
    expect(await page.locator('#bulk-summary').textContent()).toContain('3 of 3 messages: released');
    await env.sink.waitFor(3);
    expect(env.sink.messages).toHaveLength(3);
    for (const id of pick) expect((await env.store.get(id)).status).toBe('released');
    const audited = (await env.audit.list()).filter((e) => e.action === 'release');
    expect(audited.map((e) => e.messageId).sort()).toEqual([...pick].sort());
    expect(new Set(audited.map((e) => e.reason))).toEqual(new Set(['Checked with the customers by phone']));
    await page.goto(`${env.server.url}/messages`);
    expect(await page.locator('#total').textContent()).toBe('50');
    expect(dialogs).toEqual([]);
  });

  it('shows whose data, highlights the masked findings, puts the message before the actions and pre-fills a typo fix', async () => {
    const typo = makeMessage({ envelope: { mailFrom: 'agent@shop.example', rcptTo: ['jane.doe@gmial.com'] } });
    await env.store.hold(typo, typoVerdict());
    const foreign = makeMessage();
    await env.store.hold(foreign, makeVerdict());
    await login(page, env.server.url, 'rita');

    await page.goto(`${env.server.url}/messages/${foreign.id}`);
    expect(await page.locator('#customers').textContent()).toContain('c-17');
    const marks = page.locator('#findings mark.finding');
    expect(await marks.allTextContents()).toEqual(['+1 415 ••• ••71', '4901••••••••518']);
    const bg = await marks.first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).not.toBe('rgba(0, 0, 0, 0)'); // highlighted
    // the message comes before the actions
    const order = await page.evaluate(() => {
      const frame = document.querySelector('iframe')!;
      const form = document.querySelector('#release-form')!;
      return frame.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
    await shootWithBody(page, `${SHOTS}/detail-foreign.png`);
    // the releaser's full-body view is audited
    expect(
      (await env.audit.list()).some(
        (e) => e.action === 'view-body' && e.messageId === foreign.id && e.actor === 'admin:rita',
      ),
    ).toBe(true);

    await page.goto(`${env.server.url}/messages/${typo.id}`);
    expect(await page.inputValue('#release-form input[name=to]')).toBe('jane.doe@gmail.com');
    await shootWithBody(page, `${SHOTS}/detail-typo.png`);
    await page.fill('#release-form textarea[name=reason]', 'Typo in the domain, corrected');
    await Promise.all([page.waitForURL(/notice=released/), page.click('#release-form button[type=submit]')]);
    await env.sink.waitFor(1);
    expect(env.sink.messages[0]!.rcptTo).toEqual(['jane.doe@gmail.com']);
  });

  it("shows the release-request queue with the sender's justification", async () => {
    const asked = makeMessage();
    const other = makeMessage();
    await env.store.hold(asked, makeVerdict());
    await env.store.hold(other, makeVerdict());
    await requestRelease(
      env.store,
      asked.id,
      { justification: 'The customer asked for this copy <b>today</b>', actor: 'sender:a•••@shop.example' },
      env.audit,
    );
    await login(page, env.server.url, 'rita');
    await Promise.all([
      page.waitForURL(/status=release-requested/),
      page.click('a[href="/messages?status=release-requested"]'),
    ]);
    expect(await page.locator('#messages tbody tr').count()).toBe(1);
    const row = page.locator(`#messages tr[data-id="${asked.id}"]`);
    expect(await row.locator('.justification').textContent()).toBe(
      'Sender: The customer asked for this copy <b>today</b>',
    );
    await page.screenshot({ path: `${SHOTS}/release-requests.png` });
    await page.click(`a[href="/messages/${asked.id}"]`);
    expect(await page.locator('#request').textContent()).toContain('The customer asked for this copy');
  });

  it('masks the body for viewers and does not audit their view', async () => {
    const msg = makeMessage();
    await env.store.hold(msg, makeVerdict());
    await login(page, env.server.url, 'victor');
    await page.goto(`${env.server.url}/messages/${msg.id}`);
    expect(await page.locator('#masked-note').count()).toBe(1);
    const text = (await page.frameLocator('iframe').locator('body').textContent()) ?? '';
    expect(text).not.toContain('victim.customer@gmail.com');
    expect(text).toContain('v•••@gmail.com');
    expect(await page.locator('#release-form').count()).toBe(0);
    expect((await env.audit.list()).some((e) => e.action === 'view-body')).toBe(false);
  });

  it('marks the foreign values in the body: plaintext for admins, masked values for viewers', async () => {
    const directory = await openForeignDirectory(env.dir);
    const id = await holdForeign(env, directory).finally(() => directory.close());
    await login(page, env.server.url, 'alice');
    await page.goto(`${env.server.url}/messages/${id}`);
    const adminMarks = page.frameLocator('iframe').locator('mark.finding');
    await expect.poll(() => adminMarks.allTextContents()).toEqual([FOREIGN_PHONE, FOREIGN_EMAIL]);
    await shootWithBody(page, `${SHOTS}/highlight-admin.png`);

    const viewer = await (await browser.newContext({ colorScheme: 'light' })).newPage();
    try {
      await login(viewer, env.server.url, 'victor');
      await viewer.goto(`${env.server.url}/messages/${id}`);
      const frame = viewer.frameLocator('iframe');
      await expect
        .poll(() => frame.locator('mark.finding').allTextContents())
        .toEqual(['+1 415 ••• ••71', 'b•••@example.net']);
      const text = await frame.locator('body').innerText();
      expect(text).not.toContain(FOREIGN_EMAIL);
      expect(text).not.toContain('555 0171');
      await shootWithBody(viewer, `${SHOTS}/highlight-viewer.png`);
    } finally {
      await viewer.context().close();
    }
  });

  it('renders the statistics page with SVG charts, also in dark mode', async () => {
    const first = makeMessage();
    await env.store.hold(first, makeVerdict());
    for (let i = 0; i < 3; i++) await env.store.hold(makeMessage(), makeVerdict());
    await releaseMessage(env.store, env.upstream, first.id, { actor: 'test', reason: 'checked' }, env.audit);
    const t = makeMessage({ envelope: { mailFrom: 'billing@shop.example', rcptTo: ['x@gmial.com'] } });
    await env.store.hold(t, typoVerdict());
    await login(page, env.server.url, 'alice');
    await page.click('a[href="/stats"]');
    await page.waitForURL(`${env.server.url}/stats`);
    expect(await page.locator('#totals').textContent()).toMatch(/5\s+held/);
    expect(await page.locator('#chart-days rect').count()).toBe(2); // one day, two rules stacked
    expect(await page.locator('.legend li').allTextContents()).toEqual(['foreign-data (4)', 'lookalike-recipient (1)']);
    expect(await page.locator('#chart-senders text').allTextContents()).toEqual(
      expect.arrayContaining(['a•••@shop.example', 'b•••@shop.example']),
    );
    expect(await page.locator('#release-rate').textContent()).toMatch(/^100 % of decided/);
    expect(await page.locator('#chart-release-times rect title').allTextContents()).toEqual([
      '< 15 min: 1',
      '15–60 min: 0',
      '1–4 h: 0',
      '4–24 h: 0',
      '> 1 day: 0',
    ]);
    await page.screenshot({ path: `${SHOTS}/stats-light.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    const bodyBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bodyBg).toBe('rgb(18, 24, 31)');
    await page.screenshot({ path: `${SHOTS}/stats-dark.png`, fullPage: true });
  });

  it('fits a 390 px phone: no page-wide horizontal scroll, controls reachable by keyboard in order', async () => {
    for (let i = 0; i < 3; i++) await env.store.hold(makeMessage(), makeVerdict());
    await page.setViewportSize({ width: 390, height: 844 });
    await login(page, env.server.url, 'rita');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/phone-list.png`, fullPage: true });
    // keyboard: the filters come first, in reading order, each with a label
    await page.focus('select[name=status]');
    const focusOrder: string[] = [];
    for (let i = 0; i < 4; i++) {
      focusOrder.push(await page.evaluate(() => (document.activeElement as HTMLInputElement).name));
      await page.keyboard.press('Tab');
    }
    expect(focusOrder).toEqual(['status', 'rule', 'q', 'since']);
    for (const name of ['status', 'rule', 'q', 'since', 'until']) {
      expect(await page.locator(`.filters label:has([name=${name}])`).count()).toBe(1);
    }
    const first = await page.locator('#messages tbody tr').first().getAttribute('data-id');
    await page.goto(`${env.server.url}/messages/${first}`);
    const detailOverflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(detailOverflow).toBeLessThanOrEqual(0);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${SHOTS}/phone-detail-dark-top.png` });
    await page.locator('iframe').scrollIntoViewIfNeeded();
    await page.frameLocator('iframe').locator('pre').waitFor();
    await page.screenshot({ path: `${SHOTS}/phone-detail-dark-body.png` });
  });
});
