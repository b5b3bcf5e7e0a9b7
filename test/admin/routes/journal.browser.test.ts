/**
 * The customer and incident pages in a real browser (headless Chromium) on a real `serve`: a message carrying
 * another customer's data goes through the relay (SMTP), is held and journaled, is released from the console, and
 * then the customer page and the printable incident page show ids, masked recipients and the timeline, never the
 * message's plaintext. Screenshots go to /tmp/shots/journal-*.png.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../../src/admin/accounts.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startServer, type RunningServer } from '../../../src/server/start.js';
import { message } from '../../helpers/relay.js';
import { startSink, type Sink } from '../../helpers/sink.js';
import { sendRaw } from '../../helpers/smtp-client.js';

const SHOTS = '/tmp/shots';
const PASSWORD = 'alice-password-1';
const CSV = [
  'customer_id,full_name,email,phone,street,city,postal_code,country,imei,order_id',
  'C001,Maria Gonzalez,maria.gonzalez@gmail.com,+1 415 555 0171,12 Market Street,San Francisco,94105,US,356938035643809,ORD-100234',
  'C002,Jürgen Müller,juergen.mueller@web.de,030 1234567,Hauptstraße 5,Berlin,10115,DE,490154203237518,ORD-100235',
].join('\n');
const BODY = 'Hi Maria, please call Jürgen Müller on 030 1234567 about ORD-100235.';
/** Plaintext of the message that must never appear on these pages. */
const PLAINTEXT = [
  'maria.gonzalez',
  'Maria',
  'Jürgen',
  'Müller',
  '030 1234567',
  'ORD-100235',
  'agent@support.example',
  'Hauptstraße',
];

let browser: Browser;
let dir: string;
let sink: Sink;
let serve: RunningServer;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'pg-journal-pages-'));
  writeFileSync(join(dir, 'customers.csv'), CSV);
  sink = await startSink();
  const config = loadConfig({
    flags: {
      listen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      hostname: 'relay.test',
      internalDomains: ['support.example'],
      'notify.senderBatch': '0',
      dataDir: join(dir, 'data'),
      upstream: sink.url,
      directory: [join(dir, 'customers.csv')],
    },
    env: {},
  });
  serve = await startServer(config, silentLogger);
  await AccountStore.forDataDir(join(dir, 'data')).add('alice', 'admin', PASSWORD);
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
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.close();
  await sink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function expectNoPlaintext(page: Page): Promise<void> {
  const html = await page.content();
  for (const p of PLAINTEXT) expect(html).not.toContain(p);
}

describe('customer and incident pages (real serve, journal, browser)', () => {
  it('show the customer id, masked recipient and timeline of a held message released from the console', async () => {
    const sent = await sendRaw(serve.relay.address.port, {
      from: 'agent@support.example',
      to: ['maria.gonzalez@gmail.com'],
      body: message({ to: 'maria.gonzalez@gmail.com', body: BODY }),
    });
    expect(sent.text).toMatch(/held for review, ref ([0-9A-Z]{22})/);
    const ref = /ref ([0-9A-Z]{22})/.exec(sent.text)![1]!;
    const url = serve.admin!.url;

    const page = await (
      await browser.newContext({ colorScheme: 'light', viewport: { width: 1100, height: 800 } })
    ).newPage();
    await page.goto(`${url}/login`);
    await page.fill('input[name=name]', 'alice');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(`${url}/messages`), page.click('button[type=submit]')]);

    // release from the detail page: the journal gets the console's action with its actor
    await page.goto(`${url}/messages/${ref}`);
    await page.fill('#release-form textarea[name=reason]', 'Agent confirmed the number may be shared');
    await Promise.all([page.waitForURL(/notice=released/), page.click('#release-form button[type=submit]')]);

    // the customer id on the message page leads to the customer page
    await Promise.all([page.waitForURL(`${url}/customers/C002`), page.click('#customers a:has-text("C002")')]);
    const row = page.locator(`#customer-messages tr[data-ref="${ref}"]`);
    await expect
      .poll(async () => (await page.reload(), await row.locator('.status').textContent()), { timeout: 20_000 })
      .toContain('released by admin:alice');
    expect(await page.locator('#customer-id').textContent()).toBe('C002');
    expect(await row.locator('.recipients').textContent()).toBe('m•••@gmail.com');
    expect(await row.locator('.verdict').textContent()).toContain('quarantine');
    expect(await row.locator(`a[href="/messages/${ref}"]`).count()).toBe(1);
    await expectNoPlaintext(page);
    await page.screenshot({ path: `${SHOTS}/journal-customer.png`, fullPage: true });

    // the since filter: a day after today shows nothing
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.fill('input[name=since]', tomorrow);
    await Promise.all([page.waitForURL(new RegExp(`since=${tomorrow}`)), page.click('.filters button')]);
    expect(await page.locator('#customer-count').textContent()).toMatch(/^0 messages carried/);

    // the incident page, linked from the message page
    await page.goto(`${url}/messages/${ref}`);
    await Promise.all([page.waitForURL(`${url}/incidents/${ref}`), page.click('#incident-link')]);
    expect(await page.locator('#incident-ref').textContent()).toBe(ref);
    expect(await page.locator('#incident-subjects').textContent()).toContain('C002');
    expect(await page.locator('#incident-recipients').textContent()).toBe('m•••@gmail.com');
    expect(await page.locator('#incident-outcome').textContent()).toBe('DELIVERED to its recipients');
    const timeline = await page
      .locator('#incident-timeline tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [r.querySelector('.event')!.textContent, r.querySelector('.actor')!.textContent]),
      );
    expect(timeline).toEqual([
      ['verdict', 'relay'],
      ['held', 'relay'],
      ['released', 'admin:alice'],
    ]);
    await expectNoPlaintext(page);
    await page.screenshot({ path: `${SHOTS}/journal-incident.png`, fullPage: true });

    // print layout: no navigation header, no filters or hints; the summary and timeline remain
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header').isVisible()).toBe(false);
    expect(await page.locator('.noprint').first().isVisible()).toBe(false);
    expect(await page.locator('#incident-timeline').isVisible()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/journal-incident-print.png`, fullPage: true });
    await page.context().close();
  }, 120_000);
});
