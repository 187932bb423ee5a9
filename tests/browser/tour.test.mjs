// tour.test.mjs — every page of the case file's second part and of the SIUSS
// feed (issues 5 and 6) that an operator reaches from the menu, visited by the
// operator it is for and checked against WCAG 2.1 AA: the caseload, agenda,
// catalogue, interventions, exports and SIUSS flows of latina's offices; the
// import, catalogue changes and workflow templates of its admin; the Lazio
// templates console. The paths through these pages are tested in Go
// (internal/web) and in interventions.test.mjs; here each page must render,
// answer 200 and be accessible, with the demo's data in it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { account, launch, login, problems, visit } from './lib.mjs';

let browsers = [];

beforeEach(() => {
  browsers = [];
});

afterEach(async () => {
  for (const b of browsers) await b.close();
  for (const b of browsers) assert.deepEqual(b.problems, [], 'errors in the pages');
});

async function signIn(want, loginPath) {
  const b = await launch();
  b.problems = problems(b.page);
  browsers.push(b);
  const a = account(want);
  await login(b.page, loginPath, a.email, a.password, a.totp_secret);
  return b.page;
}

// firstLink follows the first link of the page's main table to a page of its
// own, which is visited (and checked) too.
async function firstLink(page, selector, label) {
  const href = await page.locator(selector).first().getAttribute('href');
  assert.ok(href, `no link ${selector} at ${page.url()}`);
  await visit(page, href, label);
}

test('the offices of latina: caseload, agenda, catalogue, interventions, exports, SIUSS flows', async () => {
  const coord = await signIn({ tenant: 'latina', role: 'coordinator' }, '/t/latina/login');
  await visit(coord, '/t/latina/caseload', 'caseload');
  assert.match(await coord.locator('main').innerText(), /Assistente sociale/);
  await visit(coord, '/t/latina/agenda', 'agenda week');
  await visit(coord, '/t/latina/agenda/new', 'new appointment');
  await visit(coord, '/t/latina/catalog', 'catalogue');
  await visit(coord, '/t/latina/interventions', 'interventions');
  await firstLink(coord, 'main table a[href*="/interventions/"]', 'an intervention');

  const office = await signIn({ tenant: 'latina', role: 'administrative' }, '/t/latina/login');
  await visit(office, '/t/latina/exports', 'exports');
  await visit(office, '/t/latina/siuss', 'SIUSS flows');
  assert.match(await office.locator('main').innerText(), /In attesa/);
  await firstLink(office, 'main table a[href*="/siuss/"]', 'a SIUSS flow');
  assert.match(await office.locator('main pre').innerText(), /<Beneficiario|<PrestazioniSociali|SINA|Beneficiario/);
});

test('the admin of latina and the region: import, catalogue changes, workflow templates, templates console', async () => {
  const admin = await signIn({ tenant: 'latina', role: 'tenant_admin' }, '/t/latina/login');
  await visit(admin, '/t/latina/admin/import', 'import');
  await visit(admin, '/t/latina/catalog/changes', 'catalogue changes');
  await visit(admin, '/t/latina/admin/workflow', 'case workflow editor');
  await visit(admin, '/t/latina/admin/workflow/templates', 'workflow templates');

  const region = await signIn({ region: 'lazio', role: 'region_admin' }, '/r/lazio/login');
  await visit(region, '/r/lazio/templates', 'regional templates');
  await firstLink(region, 'main a[href^="/r/lazio/templates/"]', 'a regional template');
});
