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
