// interventions.test.mjs — issue 5 in a real browser: in latina the social
// worker opens a demo case taken in charge (`sigess demo` seeds it, with an
// overdue PAI review that the home page shows), assesses it (SINA), draws up a
// new PAI with a goal, the consent and a review interval, activates and prints
// it, and requests an intervention from the ente's catalogue; the coordinator
// approves it; the administrative officer, told exactly what the intervention
// lacks, completes its data, activates it and records a delivery. Every
// operator works in a browser of their own, and every page visited is checked
// against WCAG 2.1 AA.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  account, checkA11y, fieldError, formError, launch, login, problems, submit, tick, visit,
} from './lib.mjs';

const ENTE = 'latina';
const BASE = `/t/${ENTE}`;
// From the demo catalogue (internal/cli/demo_catalog.go): A2.02, in hours,
// means-tested with an ISEE threshold of € 30.000,00; the demo case has none.
const ENTRY = 'Assistenza domiciliare integrata con i servizi sanitari';

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

// signIn opens a browser for the demo operator of role in the ente.
async function signIn(role) {
  const page = await open();
  const a = account({ tenant: ENTE, role });
  await login(page, `${BASE}/login`, a.email, a.password, a.totp_secret);
  assert.equal(pathname(page), `${BASE}/`, `${role} is not on the home page after login`);
  return page;
}

const pathname = (page) => new URL(page.url()).pathname;
const h1 = async (page) => (await page.locator('h1').innerText()).trim();
async function flash(page) {
  const texts = await page.locator('.alert-success[role=status]').allInnerTexts();
  assert.equal(texts.length, 1, `messages of success at ${page.url()}: ${JSON.stringify(texts)}`);
  return texts[0].trim();
}

// refused is what the page says is wrong: the form's error and those next
// to the fields; empty when the form was accepted.
async function refused(page) {
  const texts = await page.locator('main [role=alert], main .invalid-feedback').allInnerTexts();
  return texts.map((t) => t.trim()).filter(Boolean);
}

// follow clicks the link named name and checks the page it leads to.
async function follow(page, name, label, scope = page) {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
    scope.getByRole('link', { name, exact: typeof name === 'string' }).first().click(),
  ]);
  await page.waitForLoadState('load');
  await checkA11y(page, label);
}

// dd is the value next to the term named term in the page's summary list.
async function dd(page, term) {
  return (await page.locator(`dl dt:text-is("${term}") + dd`).innerText()).trim();
}

// iso is a date as <input type=date> takes it, days from today.
function iso(days = 0) {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
const italian = (isoDate) => isoDate.split('-').reverse().join('/');

// demoCase finds, from the social worker's home page, the demo case of the
// elderly man taken in charge: the one whose PAI review is overdue. It opens
// it from "Le mie cartelle" and answers its path, number and person.
async function demoCase(sw) {
  const due = sw.locator('#plan-due li').filter({ hasText: 'In ritardo' });
  assert.equal(await due.count(), 1, 'no overdue PAI review on the home page: is the demo data seeded?');
  const [number, fullName] = (await due.innerText()).split(' — ').map((x) => x.trim());
  const mine = sw.locator('#cases-mine li').filter({ hasText: number });
  assert.match(await mine.innerText(), new RegExp(`${number} — ${fullName} — Presa in carico`));
  await follow(sw, number, 'demo case taken in charge', mine);
  assert.equal(await h1(sw), `Cartella ${number}`);
  return { caseHref: pathname(sw), number, fullName };
}

// SINA levels chosen for each dimension, by its legend.
const SINA = {
  'Mobilità': '2 — Si sposta assistito',
  'Attività della vita quotidiana': '2 — Parzialmente dipendente',
  "Disturbi dell'area cognitiva": '1 — Lievi',
  'Disturbi comportamentali': '1 — Assenti',
  'Necessità di cure sanitarie': '2 — Media',
  'Area reddituale': '2 — Riceve aiuto da parenti e/o da altre persone',
  'Area del supporto': '3 — Assenza della rete familiare o informale',
};

test('assessment, PAI, request, approval, activation and delivery of an intervention', async () => {
  const sw = await signIn('social_worker');
  const { caseHref, number, fullName } = await demoCase(sw);

  // 1. Assessment: every SINA dimension, source and instrument.
  await follow(sw, 'Valutazioni', 'assessments');
  assert.equal(pathname(sw), `${caseHref}/assessments`);
  const history = sw.getByRole('table', { name: 'Valutazioni del caso, dalla più recente' });
  const before = await history.locator('tr.assessment').count();
  await follow(sw, 'Nuova valutazione', 'new assessment');
  const assessedOn = iso();
  await sw.getByLabel('Data della valutazione', { exact: true }).fill(assessedOn);
  for (const [dim, level] of Object.entries(SINA)) {
    await tick(sw.getByRole('group', { name: dim, exact: true }).getByRole('radio', { name: level, exact: true }));
  }
  await sw.getByLabel('Fonte della valutazione', { exact: true }).selectOption({ label: 'UVM' });
  await sw.getByLabel('Strumento di valutazione', { exact: true }).selectOption({ label: 'SVAMA' });
  await sw.getByLabel('Note', { exact: true }).fill('Valutazione multidimensionale in UVM.');
  await submit(sw, 'Registra la valutazione', 'assessment saved');
  assert.deepEqual(await refused(sw), []);
  assert.equal(pathname(sw), `${caseHref}/assessments`);
  assert.equal(await flash(sw), 'Valutazione registrata.');
  assert.equal(await history.locator('tr.assessment').count(), before + 1);
  const latest = history.locator('tr.assessment-latest');
  const cells = (await latest.locator('td').allInnerTexts()).map((s) => s.trim());
  assert.deepEqual(cells, [italian(assessedOn), ...Object.values(SINA), 'UVM', 'SVAMA', (cells[cells.length - 1])]);
  assert.match(cells[cells.length - 1], /^Assistente sociale /);
  await follow(sw, 'Torna alla cartella', 'case from the assessments');

  // 2. PAI: a goal, the review interval and the consent; activated; printed.
  await follow(sw, 'Piani (PAI)', 'plans');
  assert.equal(pathname(sw), `${caseHref}/plans`);
  await follow(sw, 'Nuovo piano', 'new plan');
  const goal = "Restare a casa propria in sicurezza con l'assistenza domiciliare integrata";
  await sw.getByLabel('Obiettivo', { exact: true }).first().fill(goal);
  await sw.getByLabel('Orizzonte', { exact: true }).first().selectOption({ label: 'Medio termine' });
  await sw.getByLabel('Intervallo tra le verifiche (mesi)', { exact: true }).fill('3');
  const beneficiary = sw.getByRole('group', { name: 'Beneficiari', exact: true }).getByRole('checkbox', { name: new RegExp(fullName) });
  if (!(await beneficiary.isChecked())) await tick(beneficiary);
  await sw.getByLabel('Chi ha dato il consenso', { exact: true }).fill(fullName);
  await sw.getByLabel('Data del consenso', { exact: true }).fill(iso());
  await tick(sw.getByLabel('Consenso firmato', { exact: true }));
  await submit(sw, 'Salva il piano', 'plan saved');
  assert.deepEqual(await refused(sw), []);
  assert.equal(await flash(sw), 'Piano salvato.');
  const planHref = pathname(sw);
  assert.match(planHref, new RegExp(`^${caseHref}/plans/[0-9a-f-]{36}$`));
  assert.equal(await dd(sw, 'Intervallo tra le verifiche (mesi)'), '3');
  assert.equal(await dd(sw, 'Consenso'), `Consenso firmato da ${fullName} il ${italian(iso())}.`);
  await submit(sw, 'Attiva il piano', 'plan activated');
  assert.deepEqual(await refused(sw), []);
  assert.equal(await flash(sw), 'Piano attivato.');
  assert.equal((await sw.locator('.plan-state').innerText()).trim(), 'Attivo');
  assert.notEqual(await dd(sw, 'Prossima verifica'), '—', 'an active plan has no next review');
  await follow(sw, 'Versione stampabile', 'plan print view');
  assert.equal(pathname(sw), `${planHref}/print`);
  assert.equal(await dd(sw, 'Persona'), fullName);
  assert.equal(await dd(sw, 'Cartella'), number);
  assert.equal((await sw.locator('tr.print-goal td').first().innerText()).trim(), goal);
  await follow(sw, 'Torna al piano', 'plan from the print view');
  await visit(sw, caseHref, 'case with an active plan');

  // 3. The intervention is requested from the ente's catalogue.
  await follow(sw, 'Richiedi intervento', 'intervention request form');
  assert.equal(pathname(sw), `${caseHref}/interventions/new`);
  const entry = sw.getByLabel('Voce di catalogo', { exact: true });
  const option = (await entry.locator('option').allInnerTexts()).find((o) => o.startsWith(`${ENTRY} (A2.02`));
  assert.ok(option, `${ENTRY} is not in the catalogue`);
  await entry.selectOption({ label: option });
  const start = iso();
  await sw.getByLabel('Data di inizio', { exact: true }).fill(start);
  // Linked to the plan just made (the case has the demo's plan too).
  await sw.getByLabel('Piano (PAI)', { exact: true }).selectOption(planHref.split('/').pop());
  await submit(sw, 'Richiedi intervento', 'intervention requested');
  assert.deepEqual(await refused(sw), []);
  assert.equal(await flash(sw), 'Intervento richiesto.');
  const itHref = pathname(sw);
  assert.match(itHref, new RegExp(`^${BASE}/interventions/[0-9a-f-]{36}$`));
  assert.equal((await sw.locator('.intervention-state').innerText()).trim(), 'Richiesto');
  assert.equal(await dd(sw, 'Caso'), number);
  assert.equal(await sw.getByRole('button', { name: 'Attiva', exact: true }).count(), 0, 'the social worker may not activate');

  // The plan lists it.
  await visit(sw, planHref, 'plan with its intervention');
  assert.match(await sw.locator('tr.plan-intervention').filter({ hasText: ENTRY }).innerText(), /Richiesto/);

  // 4. The coordinator finds it on the case and approves it.
  const coord = await signIn('coordinator');
  await visit(coord, caseHref, 'case with a requested intervention');
  const row = coord.locator('tr.intervention-row').filter({ hasText: ENTRY });
  assert.equal(await row.count(), 1);
  assert.match(await row.innerText(), /Richiesto/);
  await follow(coord, ENTRY, 'intervention to approve', row);
  assert.equal(pathname(coord), itHref);
  await submit(coord, 'Approva', 'intervention approved');
  assert.deepEqual(await refused(coord), []);
  assert.equal(await flash(coord), "Stato dell'intervento aggiornato.");
  assert.equal((await coord.locator('.intervention-state').innerText()).trim(), 'Approvato');

  // 5. The administrative officer finds it among the approved ones and tries
  // to activate it: the page says what is missing, field by field.
  const adm = await signIn('administrative');
  await visit(adm, `${BASE}/interventions`, 'interventions');
  await adm.getByLabel('Stato', { exact: true }).selectOption({ label: 'Approvato' });
  await submit(adm, 'Filtra', 'approved interventions');
  const listed = adm.locator('tr.intervention-row').filter({ hasText: fullName }).filter({ hasText: ENTRY });
  assert.equal(await listed.count(), 1, 'the approved intervention is not listed');
  await follow(adm, ENTRY, 'approved intervention', listed);
  assert.equal(pathname(adm), itHref);
  const missing = adm.getByRole('region', { name: 'Per attivare mancano:', exact: true });
  assert.match(await missing.innerText(), /Protocollo della domanda: Indicare il protocollo della domanda\./);
  // Each line leads to its field.
  const toField = await missing.getByRole('link', { name: 'Protocollo della domanda', exact: true }).getAttribute('href');
  assert.equal(await adm.locator(toField).getAttribute('name'), 'application_protocol');
  await submit(adm, 'Attiva', 'activation refused');
  assert.equal(await formError(adm), 'Impossibile eseguire «Attiva»: completare i dati indicati.');
  assert.equal((await adm.locator('.intervention-state').innerText()).trim(), 'Approvato');
  assert.match(await missing.innerText(), /Ore mensili: Indicare le ore mensili di servizio\./);

  assert.equal(await adm.getByLabel('Data di inizio', { exact: true }).inputValue(), start);
  await adm.getByLabel('Protocollo della domanda', { exact: true }).fill(`PG/${new Date().getFullYear()}/${Date.now() % 100000}`);
  await adm.getByLabel('Data di fine', { exact: true }).fill(iso(180));
  await adm.getByLabel('Carattere', { exact: true }).selectOption({ label: 'Periodico' });
  await adm.getByLabel('Ore mensili', { exact: true }).fill('20');
  await adm.getByLabel('Quota ente (%)', { exact: true }).fill('50');
  await adm.getByLabel('Quota utente (%)', { exact: true }).fill('10');
  await adm.getByLabel('Quota servizio sanitario (%)', { exact: true }).fill('40');
  await adm.getByLabel('Prova dei mezzi', { exact: true }).selectOption({ label: 'Soggetto a ISEE' });
  await adm.getByLabel('Protocollo DSU', { exact: true }).fill('INPS-ISEE-2025-00123456A-00');
  await adm.getByLabel('Anno del protocollo DSU', { exact: true }).fill(String(new Date().getFullYear()));
  await adm.getByLabel('Data della DSU', { exact: true }).fill(iso(-30));
  // Above the entry's threshold (€ 30.000,00) the intervention cannot start.
  await adm.getByLabel('Valore ISEE', { exact: true }).fill('35000,00');
  await submit(adm, 'Salva i dati', 'administrative data saved');
  assert.deepEqual(await refused(adm), []);
  assert.equal(await flash(adm), 'Dati salvati.');
  assert.match(await missing.innerText(), /Valore ISEE: Il valore ISEE supera la soglia dell'intervento \(€ 30\.000,00\)/);
  assert.doesNotMatch(await missing.innerText(), /Protocollo della domanda/);
  await adm.getByLabel('Valore ISEE', { exact: true }).fill('12500,00');
  await submit(adm, 'Salva i dati', 'administrative data completed');
  assert.deepEqual(await refused(adm), []);
  assert.equal(await missing.count(), 0, 'something is still missing');
  await submit(adm, 'Attiva', 'intervention activated');
  assert.deepEqual(await refused(adm), []);
  assert.equal(await flash(adm), "Stato dell'intervento aggiornato.");
  assert.equal((await adm.locator('.intervention-state').innerText()).trim(), 'Attivo');
  assert.equal(await dd(adm, 'Data di inizio'), italian(start));

  // 6. A delivery: date, hours, amount, provider.
  assert.equal(await adm.getByText('Nessuna erogazione registrata.', { exact: true }).count(), 1);
  const delivered = iso();
  await adm.getByLabel("Data dell'erogazione", { exact: true }).fill(delivered);
  await adm.getByLabel('Ore erogate', { exact: true }).fill('6');
  await adm.getByLabel('Importo erogato', { exact: true }).fill('120,00');
  await adm.getByLabel('Fornitore', { exact: true }).fill('Cooperativa sociale Il Faro');
  await submit(adm, "Registra l'erogazione", 'delivery recorded');
  assert.deepEqual(await refused(adm), []);
  assert.equal(await flash(adm), 'Erogazione registrata.');
  const deliveries = adm.getByRole('table', { name: "Erogazioni dell'intervento, per data" }).locator('tr.intervention-delivery');
  assert.equal(await deliveries.count(), 1);
  const d = (await deliveries.innerText()).replace(/\s+/g, ' ');
  assert.match(d, new RegExp(`${italian(delivered)}.*120,00.*6.*Cooperativa sociale Il Faro.*Istruttore amministrativo`));
  assert.equal(await fieldError(adm, "Data dell'erogazione"), '');

  // The social worker sees it active on the case.
  await visit(sw, caseHref, 'case with an active intervention');
  assert.match(await sw.locator('tr.intervention-row').filter({ hasText: ENTRY }).innerText(), /Attivo/);
});
