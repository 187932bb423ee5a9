// auth.test.mjs — operators logging in to an ente in a real browser: password
// only, password and authenticator code, wrong credentials, in English, the
// session kept to its ente, and MFA turned on from the account page and then
// used with a recovery code. Every page visited is checked against WCAG 2.1 AA.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, test } from 'node:test';
import {
  account, checkA11y, fieldError, formError, freshTOTP, launch, login, pathOf, problems, rgb, screenshot, submit, totp, visit,
} from './lib.mjs';

let browser;
let page;
let errors;

beforeEach(async () => {
  browser = await launch();
  page = browser.page;
  errors = problems(page);
});

afterEach(async () => {
  await browser.close();
  assert.deepEqual(errors, [], 'errors in the pages');
});

const path = () => new URL(page.url()).pathname;
const text = async (selector) => (await page.locator(selector).first().innerText()).trim();

// primaryColor is an ente's branding colour as its file in tenants/ sets it.
function primaryColor(region, slug) {
  const yaml = readFileSync(new URL(`../../tenants/${region}/${slug}.yaml`, import.meta.url), 'utf8');
  const m = yaml.match(/primary_color:\s*"?(#[0-9A-Fa-f]{6})"?/);
  assert.ok(m, `no primary_color in tenants/${region}/${slug}.yaml`);
  return m[1];
}

test('coordinator of roma: logs in, sees name, role and branding, logs out', async () => {
  const coord = account({ tenant: 'roma', role: 'coordinator' });
  assert.equal(coord.totp_secret, undefined, 'the demo coordinator has no second factor');
  await login(page, pathOf(coord.login_url), coord.email, coord.password);

  assert.equal(path(), '/t/roma/');
  assert.equal(await text('h1'), 'Benvenuto, Coordinatrice Roma Capitale');
  await page.getByRole('heading', { name: 'I tuoi ruoli' }).waitFor();
  assert.deepEqual(await page.locator('h2:has-text("I tuoi ruoli") + ul li').allInnerTexts(), ['Coordinatore']);
  assert.match(await text('.it-header-slim-wrapper'), /Operatore: Coordinatrice Roma Capitale/);
  // The ente's branding: its name in the header, its colour on the band.
  assert.equal(await text('.it-header-center-wrapper .it-brand-title'), 'Roma Capitale');
  assert.equal(
    await page.locator('.it-header-center-wrapper').evaluate((el) => getComputedStyle(el).backgroundColor),
    rgb(primaryColor('lazio', 'roma')),
  );
  await screenshot(page, 'sigess-auth-home');

  await submit(page, 'Esci', 'after logout');
  assert.equal(path(), '/t/roma/');
  assert.equal(await text('h1'), 'Roma Capitale', 'logout shows the public page');
  assert.equal(await page.getByRole('button', { name: 'Esci' }).count(), 0, 'still signed in after logout');
  // The home is the public page again, and the operator's pages ask for a login.
  await visit(page, '/t/roma/', 'roma home after logout');
  assert.equal(await text('h1'), 'Roma Capitale');
  await visit(page, '/t/roma/account', 'account after logout');
  assert.equal(path(), '/t/roma/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/t/roma/account');
});

test('tenant admin of roma: password, then a wrong and a right authenticator code', async () => {
  const admin = account({ tenant: 'roma', role: 'tenant_admin' });
  assert.ok(admin.totp_secret, 'the demo tenant admin has a TOTP secret');
  await login(page, pathOf(admin.login_url), admin.email, admin.password);
  assert.equal(path(), '/t/roma/login/mfa', 'the second factor is asked');
  assert.equal(await text('h1'), 'Verifica in due passaggi');

  const right = await freshTOTP(admin.totp_secret);
  const wrong = right === '000000' ? '111111' : '000000';
  await page.getByLabel('Codice', { exact: true }).fill(wrong);
  await submit(page, 'Verifica', 'wrong code');
  assert.equal(path(), '/t/roma/login/mfa');
  assert.equal(await fieldError(page, 'Codice'), 'Codice non valido o già usato.');
  await screenshot(page, 'sigess-auth-mfa-wrong');

  await page.getByLabel('Codice', { exact: true }).fill(right);
  await submit(page, 'Verifica', 'right code');
  assert.equal(path(), '/t/roma/');
  assert.equal(await text('h1'), 'Benvenuto, Amministratore Roma Capitale');
  assert.deepEqual(await page.locator('h2:has-text("I tuoi ruoli") + ul li').allInnerTexts(), ["Amministratore dell'ente"]);
});

test('wrong password: the form-level error, the e-mail kept', async () => {
  const op = account({ tenant: 'roma', role: 'social_worker' });
  await visit(page, pathOf(op.login_url), 'login');
  await page.getByLabel('E-mail', { exact: true }).fill(op.email);
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await submit(page, 'Accedi', 'wrong password');
  assert.equal(path(), '/t/roma/login');
  assert.equal(await formError(page), 'E-mail o password non corrette.');
  assert.equal(await page.getByLabel('E-mail', { exact: true }).inputValue(), op.email);
  assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password is never echoed');
  assert.equal(await fieldError(page, 'E-mail'), '', 'the error is not pinned on a field');
  await screenshot(page, 'sigess-auth-wrong-password');
  assert.equal((await page.context().cookies()).filter((c) => c.name === 'sigess_session').length, 0, 'a session after a failed login');
});

test('login page in English: labels, button and errors', async () => {
  await visit(page, '/t/roma/login', 'login');
  await Promise.all([page.waitForURL(/lang=en/), page.locator('.sigess-lang a[hreflang=en]').click()]);
  await checkA11y(page, 'login in English');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await text('h1'), 'Operator login');
  await page.getByLabel('E-mail', { exact: true }).waitFor();
  await page.getByLabel('Password', { exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Log in', exact: true }).count(), 1);
  assert.equal(await page.getByRole('link', { name: 'Forgot your password?' }).count(), 1);

  await submit(page, 'Log in', 'empty login in English');
  assert.equal(await fieldError(page, 'E-mail'), 'Enter your e-mail.');
  assert.equal(await fieldError(page, 'Password'), 'Enter your password.');
});

test('a session of roma is worthless at latina', async () => {
  const coord = account({ tenant: 'roma', role: 'coordinator' });
  await login(page, pathOf(coord.login_url), coord.email, coord.password);
  assert.equal(path(), '/t/roma/');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'sigess_session');
  assert.equal(cookie?.path, '/t/roma', 'the session cookie is scoped to the ente');

  await visit(page, '/t/latina/', 'latina home with a roma session');
  assert.equal(await text('h1'), 'Comune di Latina', 'latina shows its public page');
  assert.equal(await page.getByRole('button', { name: 'Esci' }).count(), 0, 'signed in at latina');
  await visit(page, '/t/latina/account', 'latina account with a roma session');
  assert.equal(path(), '/t/latina/login');
  assert.equal(await text('.it-header-center-wrapper .it-brand-title'), 'Comune di Latina');

  // Still logged in at roma.
  await visit(page, '/t/roma/', 'roma home again');
  assert.equal(await text('h1'), 'Benvenuto, Coordinatrice Roma Capitale');
});

test('account page: turn on MFA, get 10 recovery codes, log in with one', async () => {
  // A coordinator other than roma's, so that the tests above keep theirs without MFA.
  const coord = account({ tenant: 'bagnoregio', role: 'coordinator' });
  const base = '/t/bagnoregio';
  await login(page, pathOf(coord.login_url), coord.email, coord.password);
  await visit(page, `${base}/account`, 'account');
  assert.equal(await text('h1'), 'Il mio account');
  await page.getByText('Non attiva.', { exact: true }).waitFor();

  await Promise.all([page.waitForURL(`**${base}/mfa/setup`), page.getByRole('link', { name: 'Attiva la verifica in due passaggi' }).click()]);
  await checkA11y(page, 'MFA setup');
  const secret = await page.locator('#totp-secret').getAttribute('data-secret');
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  assert.equal(await page.getByRole('img', { name: "Codice QR per l'app di autenticazione" }).count(), 1);
  await screenshot(page, 'sigess-auth-mfa-setup');

  await page.getByLabel("Codice dall'app", { exact: true }).fill(totp(secret) === '000000' ? '111111' : '000000');
  await submit(page, 'Attiva', 'MFA setup, wrong code');
  assert.equal(await fieldError(page, "Codice dall'app"), 'Codice non valido o già usato.');
  // A wrong code shows a new secret: the one to confirm is the one on the page now.
  const secret2 = await page.locator('#totp-secret').getAttribute('data-secret');
  await page.getByLabel("Codice dall'app", { exact: true }).fill(await freshTOTP(secret2));
  await submit(page, 'Attiva', 'recovery codes');
  assert.equal(await text('h1'), 'Codici di recupero');
  const codes = (await page.locator('#recovery-codes li').allInnerTexts()).map((c) => c.trim());
  assert.equal(codes.length, 10, `recovery codes: ${codes}`);
  assert.equal(new Set(codes).size, 10, 'recovery codes repeat');
  await screenshot(page, 'sigess-auth-recovery-codes');

  await Promise.all([page.waitForURL(`**${base}/account`), page.getByRole('link', { name: 'Ho conservato i codici, continua' }).click()]);
  await checkA11y(page, 'account with MFA');
  await page.getByText('Attiva.', { exact: true }).waitFor();

  await submit(page, 'Esci', 'after logout');
  await login(page, `${base}/login`, coord.email, coord.password);
  assert.equal(path(), `${base}/login/mfa`, 'MFA is now asked at login');
  await page.getByLabel('Codice', { exact: true }).fill(codes[3]);
  await submit(page, 'Verifica', 'after recovery code');
  assert.equal(path(), `${base}/`);
  assert.equal(await text('h1'), 'Benvenuto, Coordinatrice Comune di Bagnoregio');
});
