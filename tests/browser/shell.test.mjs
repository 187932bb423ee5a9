// shell.test.mjs — the UI shell in a real browser: the platform home, an
// ente's home by path and by host, its branding, the language switch and an
// error page, each checked against WCAG 2.1 AA.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { baseURL, checkA11y, launch, screenshot } from './lib.mjs';

let browser;
let page;

before(async () => {
  browser = await launch();
  page = browser.page;
});

after(async () => {
  await browser?.close();
});

// open loads a page and waits until its scripts and fonts are in.
async function open(url, status = 200) {
  const resp = await page.goto(url, { waitUntil: 'load' });
  assert.equal(resp.status(), status, `GET ${url}`);
  await page.evaluate(() => document.fonts.ready);
  return resp;
}

async function text(selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

async function styleOf(selector, property) {
  return page.locator(selector).first().evaluate((el, p) => getComputedStyle(el)[p], property);
}

test('platform home: Bootstrap Italia shell, search, accessible', async () => {
  await open('/');
  assert.equal(await page.getAttribute('html', 'lang'), 'it');
  assert.equal(await text('h1'), 'Servizi sociali dei comuni');
  assert.equal(await text('.it-header-center-wrapper .it-brand-title'), 'SIGeSS');
  assert.match(await text('.it-header-slim-wrapper'), /Piattaforma SIGeSS/);
  // The stylesheet, the fonts and the emblem are served and applied.
  assert.equal(await styleOf('.it-header-center-wrapper', 'backgroundColor'), 'rgb(0, 102, 204)');
  assert.ok(await page.evaluate(() => document.fonts.check('16px "Titillium Web"')), 'Titillium Web is not loaded');
  assert.match(await styleOf('body', 'fontFamily'), /Titillium Web/);
  assert.ok(await page.locator('.it-header-center-wrapper img').evaluate((img) => img.complete && img.naturalWidth > 0), 'emblem not loaded');
  assert.ok(await page.evaluate(() => typeof window.htmx === 'object' && typeof window.bootstrap === 'object'), 'htmx or Bootstrap Italia did not load');
  await checkA11y(page, 'platform home');

  await page.fill('#q', 'lati');
  await Promise.all([page.waitForURL(/q=lati/), page.click('form[role=search] button[type=submit]')]);
  await page.getByRole('link', { name: 'Comune di Latina' }).waitFor();
  await screenshot(page, 'sigess-platform');
  await checkA11y(page, 'platform home with results');
  assert.deepEqual(browser.errors, [], 'script errors');
});

test('roma by path: branded header, offices, accessible', async () => {
  await open('/t/roma/');
  assert.equal(await text('h1'), 'Roma Capitale');
  assert.equal(await text('.it-header-center-wrapper .it-brand-title'), 'Roma Capitale');
  assert.match(await text('.it-header-slim-wrapper'), /Regione Lazio/);
  // Roma's primary colour (#8C1D40) on the header band and the buttons' colour.
  assert.equal(await styleOf('.it-header-center-wrapper', 'backgroundColor'), 'rgb(140, 29, 64)');
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--sigess-primary').trim()), '#8C1D40');
  assert.equal(await page.getAttribute('.it-brand-wrapper a', 'href'), '/t/roma/');
  assert.match(await page.getAttribute('.it-header-center-wrapper img', 'alt'), /Roma Capitale/);
  await page.getByRole('heading', { name: 'Municipio XV' }).waitFor();
  assert.match(await text('footer'), /H501/);
  await screenshot(page, 'sigess-roma');
  await checkA11y(page, 'roma home');

  // The skip link is the first stop of the keyboard and leads to the content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#main');
  assert.deepEqual(browser.errors, [], 'script errors');
});

test('language switch: English and back, remembered across pages', async () => {
  await open('/t/roma/');
  await Promise.all([page.waitForURL(/lang=en/), page.click('.sigess-lang a[hreflang=en]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.getAttribute('.sigess-lang a[hreflang=en]', 'aria-current'), 'true');
  assert.equal(await page.getAttribute('.sigess-lang a[hreflang=it]', 'aria-current'), null);
  await page.getByRole('heading', { name: 'Offices and help desks' }).waitFor();
  assert.match(await text('.it-header-slim-wrapper'), /Region Lazio/);
  await checkA11y(page, 'roma home in English');

  // The choice is remembered (cookie) on the next page without ?lang.
  await open('/');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await text('h1'), 'Municipal social services');

  await Promise.all([page.waitForURL(/lang=it/), page.click('.sigess-lang a[hreflang=it]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'it');
  assert.equal(await text('h1'), 'Servizi sociali dei comuni');
  await open('/t/roma/');
  await page.getByRole('heading', { name: 'Uffici e sportelli' }).waitFor();
});

test('roma by host: links without /t/roma, assets served', async () => {
  const port = new URL(baseURL).port;
  await open(`http://roma.localhost:${port}/`);
  assert.equal(await text('h1'), 'Roma Capitale');
  assert.equal(await page.getAttribute('.it-brand-wrapper a', 'href'), '/');
  assert.equal(await styleOf('.it-header-center-wrapper', 'backgroundColor'), 'rgb(140, 29, 64)');
  assert.ok(await page.evaluate(() => typeof window.bootstrap === 'object'), 'Bootstrap Italia did not load under the ente host');
  await checkA11y(page, 'roma home by host');
});

test('error page: not found, in the ente branding, accessible', async () => {
  await open('/t/roma/no-such-page', 404);
  assert.equal(await text('h1'), 'Pagina non trovata');
  assert.equal(await styleOf('.it-header-center-wrapper', 'backgroundColor'), 'rgb(140, 29, 64)');
  assert.equal(await page.getAttribute('main a.btn', 'href'), '/t/roma/');
  await checkA11y(page, 'not found page');
});
