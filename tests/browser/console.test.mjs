// console.test.mjs — the region's and the platform's consoles in a real
// browser: Lazio's administrator provisions a comune (a job with a progress
// page), assigns its administrator, who sets a password from the link shown,
// logs in, enrols an authenticator and reaches the new ente's desk; the
// platform administrator sees the regions. Every page visited is checked
// against WCAG 2.1 AA.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  account, checkA11y, formError, freshTOTP, launch, login, pathOf, problems, screenshot, submit,
} from './lib.mjs';

// The comune provisioned: in Lazio, not among the demo enti.
const COMUNE = 'Civita Castellana';

let browsers = [];

async function open() {
  const b = await launch();
  b.problems = problems(b.page);
  browsers.push(b);
  return b.page;
}

beforeEach(() => {
  browsers = [];
});

afterEach(async () => {
  for (const b of browsers) await b.close();
  for (const b of browsers) assert.deepEqual(b.problems, [], 'errors in the pages');
});

const pathname = (page) => new URL(page.url()).pathname;
const h1 = async (page) => (await page.locator('h1').innerText()).trim();

async function follow(page, name, label) {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
    page.getByRole('link', { name, exact: typeof name === 'string' }).first().click(),
  ]);
  await page.waitForLoadState('load');
  await checkA11y(page, label);
}

test('region admin provisions a comune and assigns its administrator, who enrols and gets in', async () => {
  const page = await open();
  const region = account({ region: 'lazio', role: 'region_admin' });
  assert.equal(pathOf(region.login_url), '/r/lazio/login');
  await login(page, '/r/lazio/login', region.email, region.password, region.totp_secret);
  assert.equal(pathname(page), '/r/lazio/');
  assert.equal(await h1(page), 'Enti della Regione Lazio');
  await screenshot(page, 'sigess-console-enti');

  // Provision one comune not yet there.
  await follow(page, 'Attiva nuovi enti', 'provision form');
  assert.equal(pathname(page), '/r/lazio/provision');
  const select = page.getByLabel('Comune', { exact: true });
  const options = await select.locator('option').allInnerTexts();
  assert.ok(!options.some((o) => o.startsWith('Bagnoregio ')), 'Bagnoregio (a demo ente) is offered again');
  const option = options.find((o) => o.startsWith(`${COMUNE} (`));
  assert.ok(option, `${COMUNE} is not offered among ${options.length} comuni`);
  await select.selectOption({ label: option });
  await submit(page, 'Attiva il comune', 'provisioning progress');
  assert.match(pathname(page), /^\/r\/lazio\/provision\/[0-9a-f-]{36}$/);
  assert.equal(await h1(page), "Avanzamento dell'attivazione");
  // The page follows the job by itself until it ends.
  const done = page.locator('#provision-status .alert-success');
  await done.waitFor({ timeout: 30_000 });
  assert.equal((await done.innerText()).trim(), 'Attivazione completata: 1 enti creati, 0 già attivati.');
  assert.equal((await page.locator('#provision-label').innerText()).trim(), 'Comuni elaborati: 1 su 1');
  await checkA11y(page, 'provisioning completed');
  await screenshot(page, 'sigess-console-progress');

  // The new ente, found in the region's list.
  await follow(page, 'Torna agli enti della regione', 'enti with the new one');
  await page.getByLabel('Cerca un ente per nome', { exact: true }).fill(COMUNE);
  await submit(page, 'Cerca', 'enti search');
  await follow(page, new RegExp(COMUNE), 'new ente in the console');
  const slug = pathname(page).replace('/r/lazio/enti/', '');
  assert.match(slug, /^civita-castellana/);
  assert.match(await h1(page), new RegExp(COMUNE));
  await page.getByText("L'ente non ha ancora amministratori.", { exact: true }).waitFor();

  // Assign the administrator: a new account, so a set-up link is shown.
  const email = `admin.${Date.now().toString(36)}@comune.civitacastellana.vt.it`;
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Nome e cognome', { exact: true }).fill('Giulia Bianchi');
  await submit(page, "Assegna l'amministratore", 'administrator assigned');
  assert.equal(await formError(page), '');
  assert.equal(await h1(page), 'Amministratore assegnato');
  const link = await page.getByRole('link', { name: 'Link per impostare la password', exact: true }).getAttribute('href');
  assert.equal(await page.getByLabel('Link per impostare la password (valido 72 ore)', { exact: true }).inputValue(), link);
  assert.match(link, new RegExp(`/t/${slug}/password/reset\\?token=.+`));
  await screenshot(page, 'sigess-console-setup-link');

  // The administrator, in a browser of their own, follows the link.
  const adm = await open();
  await adm.goto(link, { waitUntil: 'load' });
  await checkA11y(adm, 'set-up link');
  assert.equal(await h1(adm), 'Imposta una nuova password');
  const password = 'il mio comune sulla via Flaminia';
  await adm.getByLabel('Nuova password', { exact: true }).fill(password);
  await adm.getByLabel('Ripeti la nuova password', { exact: true }).fill(password);
  await submit(adm, 'Imposta la password', 'password set');
  assert.equal(pathname(adm), `/t/${slug}/login`, 'taken to log in');
  assert.equal((await adm.locator('main [role=status]').innerText()).trim(), 'Password impostata. Ora puoi accedere.');

  const origin = new URL(link).origin;
  await login(adm, `${origin}/t/${slug}/login`, email, password);
  assert.equal(pathname(adm), `/t/${slug}/mfa/setup`, 'a tenant admin must enrol a second factor');
  await adm.getByText('Il tuo ruolo richiede la verifica in due passaggi', { exact: false }).waitFor();
  const secret = await adm.locator('#totp-secret').getAttribute('data-secret');
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  await screenshot(adm, 'sigess-console-enrol');
  await adm.getByLabel("Codice dall'app", { exact: true }).fill(await freshTOTP(secret));
  await submit(adm, 'Attiva', 'recovery codes');
  assert.equal(await h1(adm), 'Codici di recupero');
  assert.equal(await adm.locator('#recovery-codes li').count(), 10);
  await follow(adm, 'Ho conservato i codici, continua', 'new ente home');
  assert.equal(pathname(adm), `/t/${slug}/`);
  assert.equal(await h1(adm), 'Benvenuto, Giulia Bianchi');
  assert.deepEqual(await adm.locator('h2:has-text("I tuoi ruoli") + ul li').allInnerTexts(), ["Amministratore dell'ente"]);
  assert.match(await adm.locator('.it-header-center-wrapper .it-brand-title').innerText(), new RegExp(COMUNE));
  await screenshot(adm, 'sigess-console-new-ente-home');

  // The console now lists the administrator as active.
  await page.goto(`/r/lazio/enti/${slug}`, { waitUntil: 'load' });
  await checkA11y(page, 'ente with its administrator');
  const row = page.getByRole('row').filter({ hasText: email });
  assert.match(await row.innerText(), /Giulia Bianchi[\s\S]*Attivo/);
});

test('platform admin logs in and sees the regions', async () => {
  const page = await open();
  const admin = account({ role: 'platform_admin' });
  assert.equal(pathOf(admin.login_url), '/admin/login');
  await login(page, '/admin/login', admin.email, admin.password, admin.totp_secret);
  assert.equal(pathname(page), '/admin/');
  assert.equal(await h1(page), 'Regioni della piattaforma');
  const lazio = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Lazio', exact: true }) });
  assert.equal(await lazio.count(), 1, 'Lazio is not listed');
  assert.match(await lazio.innerText(), /^12\s+Lazio\s+\/r\/lazio\/\s+\d+$/);
  await screenshot(page, 'sigess-console-platform');
});
