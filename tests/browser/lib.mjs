// lib.mjs — what every browser test of SIGeSS needs: a headless Chromium, an
// accessibility check (axe-core, WCAG 2.1 A and AA), TOTP codes for the demo
// operators, and where the server under test is.
//
// The environment is set by browser_test.go:
//   SIGESS_URL        the running server, e.g. http://127.0.0.1:41234
//   SIGESS_DEMO_JSON  file with the demo operators: [{tenant, role, email, password, totp_secret}]
//   CHROMIUM          the browser binary (default /usr/bin/chromium)
//   SIGESS_SHOTS      folder for screenshots (optional)
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

/** The server under test, without a trailing slash. */
export const baseURL = (process.env.SIGESS_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

/**
 * launch starts a fresh headless Chromium (its own empty profile, no network
 * chatter of its own) and returns { context, page, close }.
 */
export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'sigess-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    locale: 'it-IT',
    baseURL,
  });
  const page = context.pages()[0] || (await context.newPage());
  // A script error on a page is a bug of the page.
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * checkA11y runs axe-core on the page with the WCAG 2.0/2.1 A and AA rules and
 * throws, listing every violation (rule, element, help), if there is any.
 */
export async function checkA11y(page, label) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  }));
  if (result.violations.length > 0) {
    const lines = result.violations.flatMap((v) => v.nodes.map((n) => `  ${v.id} ${n.target.join(' ')}: ${v.help}${n.failureSummary ? ' — ' + n.failureSummary.replace(/\s+/g, ' ') : ''}`));
    throw new Error(`${label}: ${lines.length} accessibility violation(s) at ${page.url()}\n${lines.join('\n')}`);
  }
}

/** totp is the current RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret. */
export function totp(base32secret, now = Date.now()) {
  const key = base32Decode(base32secret);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`totp: ${JSON.stringify(ch)} is not base32`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** demoLogins returns the demo operators: [{tenant, role, email, password, totp_secret}]. */
export function demoLogins() {
  const file = process.env.SIGESS_DEMO_JSON;
  if (!file) return [];
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** screenshot saves the page as {SIGESS_SHOTS}/{name}.png when SIGESS_SHOTS is set. */
export async function screenshot(page, name) {
  if (process.env.SIGESS_SHOTS) {
    await page.screenshot({ path: join(process.env.SIGESS_SHOTS, `${name}.png`), fullPage: false });
  }
}

/**
 * account returns the demo operator matching want ({tenant, region, role}),
 * failing when `sigess demo --json` listed none.
 */
export function account(want) {
  const found = demoLogins().find((l) => Object.entries(want).every(([k, v]) => (l[k] ?? '') === v));
  if (!found) throw new Error(`no demo login ${JSON.stringify(want)} in ${process.env.SIGESS_DEMO_JSON || '(SIGESS_DEMO_JSON unset)'}`);
  return found;
}

/** pathOf is a demo login_url without its origin (/t/roma/login). */
export function pathOf(url) {
  return new URL(url).pathname;
}

/**
 * visit opens url, checks the answer's status and that the page is accessible,
 * and returns the response.
 */
export async function visit(page, url, label, status = 200) {
  const resp = await page.goto(url, { waitUntil: 'load' });
  if (resp.status() !== status) throw new Error(`GET ${url}: status ${resp.status()}, want ${status}`);
  await checkA11y(page, label);
  return resp;
}

/**
 * submit clicks the button named name and waits for the page that answers the
 * form to load; it then checks that page's accessibility under label.
 */
export async function submit(page, name, label) {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
    page.getByRole('button', { name, exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  await checkA11y(page, label);
}

/**
 * fieldError is the error message shown next to the field labelled label: the
 * element its aria-describedby names with an id ending in "-error". It also
 * checks that the field is marked aria-invalid. Empty when there is none.
 */
export async function fieldError(page, label) {
  const field = page.getByLabel(label, { exact: true });
  const ids = ((await field.getAttribute('aria-describedby')) || '').split(/\s+/).filter((id) => id.endsWith('-error'));
  if (ids.length === 0) return '';
  if ((await field.getAttribute('aria-invalid')) !== 'true') throw new Error(`field ${label}: has an error but is not aria-invalid`);
  return (await page.locator(`[id="${ids[0]}"]`).innerText()).trim();
}

/** formError is the form-level error of the page (role="alert"), or ''. */
export async function formError(page) {
  const alert = page.locator('main [role=alert]');
  return (await alert.count()) ? (await alert.first().innerText()).trim() : '';
}

const usedCodes = new Map();

/**
 * freshTOTP is the current code of secret that this process has not used yet:
 * a code is accepted once, so a second login within the same 30 s waits for
 * the next one.
 */
export async function freshTOTP(secret) {
  for (;;) {
    const code = totp(secret);
    if (usedCodes.get(secret) !== code) {
      usedCodes.set(secret, code);
      return code;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * login signs in at loginPath (/t/roma/login, /r/lazio/login, /admin/login)
 * with e-mail and password and, when totpSecret is given, the second factor.
 * Every page on the way is checked for accessibility.
 */
export async function login(page, loginPath, email, password, totpSecret) {
  await visit(page, loginPath, `login ${loginPath}`);
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await submit(page, 'Accedi', `after login ${email}`);
  if (totpSecret) {
    if (!new URL(page.url()).pathname.endsWith('/login/mfa')) throw new Error(`login ${email}: at ${page.url()}, want the second factor page`);
    await page.getByLabel('Codice', { exact: true }).fill(await freshTOTP(totpSecret));
    await submit(page, 'Verifica', `after second factor ${email}`);
  }
}

/** rgb turns #RRGGBB into the rgb(r, g, b) that getComputedStyle answers. */
export function rgb(hex) {
  const n = parseInt(hex.replace('#', ''), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

/**
 * problems collects what goes wrong on page beyond what the server answered
 * for the page itself: script errors, console errors other than the browser's
 * note of a 4xx/5xx document (a wrong password is answered 401), and any
 * stylesheet, script, image or font that fails to load.
 */
export function problems(page) {
  const out = [];
  page.on('pageerror', (err) => out.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/^Failed to load resource: the server responded with a status of \d+/.test(msg.text())) out.push(msg.text());
  });
  page.on('response', (resp) => {
    if (resp.status() >= 400 && resp.request().resourceType() !== 'document') out.push(`${resp.status()} ${resp.url()}`);
  });
  page.on('requestfailed', (req) => {
    if (req.resourceType() !== 'document') out.push(`${req.failure()?.errorText} ${req.url()}`);
  });
  return out;
}

/**
 * tick checks the check box or radio button input (a locator) as a person
 * does: Bootstrap Italia draws the box on the label, which covers the input,
 * so the label is what is clicked. It fails if the input is not checked then.
 */
export async function tick(input) {
  const id = await input.getAttribute('id');
  await input.page().locator(`label[for="${id}"]`).click();
  if (!(await input.isChecked())) throw new Error(`#${id} is not checked after clicking its label`);
}
