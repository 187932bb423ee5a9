// admin.test.mjs — the ente administration in a real browser: latina's
// administrator (password and authenticator code) adds an operator with an
// initial password, who then logs in from another browser; a malformed e-mail
// is refused next to its field. Every page visited is checked against WCAG 2.1 AA.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  account, checkA11y, fieldError, formError, launch, login, pathOf, problems, screenshot, submit, tick,
} from './lib.mjs';

let browsers = [];

// open starts a fresh browser (own cookies) whose page problems are checked
// when the test ends.
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

// follow clicks the link named name and checks the page it leads to.
async function follow(page, name, label) {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
    page.getByRole('link', { name, exact: true }).first().click(),
  ]);
  await page.waitForLoadState('load');
  await checkA11y(page, label);
}

// toNewOperator logs latina's administrator in and opens the new-operator
// form the way an administrator finds it: navigation, section, button.
async function toNewOperator(page) {
  const admin = account({ tenant: 'latina', role: 'tenant_admin' });
  await login(page, pathOf(admin.login_url), admin.email, admin.password, admin.totp_secret);
  assert.equal(pathname(page), '/t/latina/');
  await follow(page, 'Amministrazione', 'administration');
  assert.equal(pathname(page), '/t/latina/admin');
  await follow(page, 'Operatori', 'operators');
  assert.equal(pathname(page), '/t/latina/admin/operators');
  await follow(page, 'Nuovo operatore', 'new operator');
  assert.equal(pathname(page), '/t/latina/admin/operators/new');
}

test('latina admin creates an operator with a password; the operator logs in', async () => {
  const page = await open();
  await toNewOperator(page);
  const stamp = Date.now().toString(36);
  const email = `mario.rossi.${stamp}@comune.latina.it`;
  const password = 'una frase lunga e sicura';
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Nome e cognome', { exact: true }).fill('Mario Rossi');
  await tick(page.getByRole('group', { name: 'Ruoli' }).getByLabel('Assistente sociale', { exact: true }));
  await tick(page.getByLabel('Imposta una password iniziale', { exact: true }));
  await page.getByLabel('Password', { exact: true }).fill(password);
  await screenshot(page, 'sigess-admin-new-operator');
  await submit(page, 'Crea operatore', 'operator created');
  assert.equal(await formError(page), '');
  assert.equal((await page.locator('h1').innerText()).trim(), 'Operatore aggiunto');
  assert.equal((await page.locator('main [role=status]').innerText()).trim(), `Creato l'account di ${email}.`);
  assert.equal(await page.locator('#setup-link').count(), 0, 'a set-up link for an operator with a password');

  // The list shows the new operator with the role.
  await follow(page, 'Torna agli operatori', 'operators with the new one');
  const row = page.getByRole('row').filter({ hasText: email });
  assert.equal(await row.count(), 1);
  assert.match(await row.innerText(), /Mario Rossi[\s\S]*Assistente sociale/);

  // The operator, in a browser of their own.
  const op = await open();
  await login(op, '/t/latina/login', email, password);
  assert.equal(pathname(op), '/t/latina/');
  assert.equal((await op.locator('h1').innerText()).trim(), 'Benvenuto, Mario Rossi');
  assert.deepEqual(await op.locator('h2:has-text("I tuoi ruoli") + ul li').allInnerTexts(), ['Assistente sociale']);
  assert.equal((await op.locator('.it-header-center-wrapper .it-brand-title').innerText()).trim(), 'Comune di Latina');
  await screenshot(op, 'sigess-admin-new-operator-home');
});

test('a malformed e-mail is refused next to the field, the rest kept', async () => {
  const page = await open();
  await toNewOperator(page);
  await page.getByLabel('E-mail', { exact: true }).fill('mario.rossi-at-latina');
  await page.getByLabel('Nome e cognome', { exact: true }).fill('Mario Rossi');
  await tick(page.getByRole('group', { name: 'Ruoli' }).getByLabel('Coordinatore', { exact: true }));
  await submit(page, 'Crea operatore', 'new operator with a malformed e-mail');
  assert.equal(pathname(page), '/t/latina/admin/operators');
  assert.match(await fieldError(page, 'E-mail'), /e-mail non valido/i);
  assert.equal(await fieldError(page, 'Nome e cognome'), '');
  assert.equal(await page.getByLabel('E-mail', { exact: true }).inputValue(), 'mario.rossi-at-latina');
  assert.equal(await page.getByLabel('Nome e cognome', { exact: true }).inputValue(), 'Mario Rossi');
  assert.ok(await page.getByRole('group', { name: 'Ruoli' }).getByLabel('Coordinatore', { exact: true }).isChecked(), 'the role chosen is kept');
  await screenshot(page, 'sigess-admin-invalid-email');
});
