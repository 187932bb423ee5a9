// casefile.test.mjs — a case file's life in a real browser, as issue 4 tells
// it: the PUA desk of latina registers a person and records an access whose
// outcome is a proposal to the social service; the coordinator assigns the
// case to a social worker, who takes it in charge, writes in its diary,
// uploads a document and closes it with a reason. Every operator works in a
// browser of their own, and every page visited is checked against WCAG 2.1 AA.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  account, checkA11y, formError, launch, login, pathOf, problems, screenshot, submit, tick, visit,
} from './lib.mjs';

const ENTE = 'latina';
const BASE = `/t/${ENTE}`;

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
// flash is the page's one message of success; shown twice is a bug.
async function flash(page) {
  const texts = await page.locator('.alert-success[role=status]').allInnerTexts();
  assert.equal(texts.length, 1, `messages of success at ${page.url()}: ${JSON.stringify(texts)}`);
  return texts[0].trim();
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

// dt is the value next to the term named term in the page's summary list.
async function dt(page, term) {
  return (await page.locator(`dl dt:text-is("${term}") + dd`).innerText()).trim();
}

// A fictitious person, different on every run, and their codice fiscale.
const SURNAMES = ['Ferretti', 'Marchetti', 'Colombo', 'Bernardi', 'Santoro', 'Valentini', 'Pellegrini', 'Fabbri', 'Gentile', 'Caruso'];
const NAMES = { M: ['Alessio', 'Giorgio', 'Daniele', 'Stefano', 'Matteo'], F: ['Chiara', 'Federica', 'Lucia', 'Martina', 'Beatrice'] };

function fictitiousPerson() {
  const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
  const sex = pick(['M', 'F']);
  const year = 1935 + Math.floor(Math.random() * 60);
  const month = 1 + Math.floor(Math.random() * 12);
  const day = 1 + Math.floor(Math.random() * 28);
  const p = {
    lastName: pick(SURNAMES), firstName: pick(NAMES[sex]), sex,
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    birthPlace: 'Latina', belfiore: 'E472',
  };
  p.taxCode = taxCode(p, year, month, day);
  return p;
}

// taxCode computes a codice fiscale as internal/people/cf.go checks it.
function taxCode(p, year, month, day) {
  const split = (s) => {
    const up = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z]/g, '');
    return { cons: up.replace(/[AEIOU]/g, ''), vows: up.replace(/[^AEIOU]/g, '') };
  };
  const pad3 = (s) => (s + 'XXX').slice(0, 3);
  const sur = split(p.lastName);
  const nam = split(p.firstName);
  const nameCode = nam.cons.length > 3 ? nam.cons[0] + nam.cons.slice(2, 4) : pad3(nam.cons + nam.vows);
  const first15 = pad3(sur.cons + sur.vows) + nameCode + String(year % 100).padStart(2, '0')
    + 'ABCDEHLMPRST'[month - 1] + String(day + (p.sex === 'F' ? 40 : 0)).padStart(2, '0') + p.belfiore;
  return first15 + checkChar(first15);
}

function checkChar(first15) {
  const odd = {
    0: 1, 1: 0, 2: 5, 3: 7, 4: 9, 5: 13, 6: 15, 7: 17, 8: 19, 9: 21,
    A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18,
    N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
  };
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = first15[i];
    if (i % 2 === 0) sum += odd[ch];
    else sum += /[0-9]/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 65;
  }
  return String.fromCharCode(65 + (sum % 26));
}

test('taxCode agrees with a known codice fiscale', () => {
  const p = { lastName: 'Rossi', firstName: 'Mario', sex: 'M', belfiore: 'H501' };
  assert.equal(taxCode(p, 1980, 1, 1), 'RSSMRA80A01H501U');
});

// The smallest PNG: one transparent pixel.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64',
);

test('intake at the PUA, proposal, assignment, taking in charge, diary, document, closing', async () => {
  const person = fictitiousPerson();
  const fullName = `${person.lastName} ${person.firstName}`;

  // 1. The PUA desk records the access.
  const desk = await open();
  const sportello = account({ tenant: ENTE, role: 'intake_operator' });
  assert.equal(pathOf(sportello.login_url), `${BASE}/login`);
  await login(desk, `${BASE}/login`, sportello.email, sportello.password);
  assert.equal(pathname(desk), `${BASE}/`);

  await visit(desk, `${BASE}/accesses/new`, 'access wizard: interlocutor');
  assert.equal(await h1(desk), 'Registra un accesso');
  await desk.getByLabel('Sportello', { exact: true }).selectOption({ label: 'Punto Unico di Accesso' });
  assert.equal(await desk.getByLabel('Canale', { exact: true }).inputValue(), 'in_person');
  await submit(desk, 'Salva e continua', 'access wizard: person');
  const draft = pathname(desk).replace(/person$/, '');
  assert.match(draft, new RegExp(`^${BASE}/accesses/drafts/[0-9a-f-]{36}/$`));

  // The person is not registered yet: from the wizard, to the registry.
  await follow(desk, 'Registra una nuova persona', 'new person form');
  assert.equal(pathname(desk), `${BASE}/people/new`);
  await desk.getByLabel('Codice fiscale', { exact: true }).fill(person.taxCode);
  await desk.getByLabel('Cognome', { exact: true }).fill(person.lastName);
  await desk.getByLabel('Nome', { exact: true }).fill(person.firstName);
  await tick(desk.getByRole('radio', { name: person.sex === 'M' ? 'Maschio' : 'Femmina', exact: true }));
  await desk.getByLabel('Data di nascita', { exact: true }).fill(person.birthDate);
  await desk.getByLabel('Luogo di nascita', { exact: true }).fill(person.birthPlace);
  await submit(desk, 'Registra la persona', 'access wizard: person found');
  assert.equal(await formError(desk), '');
  // Registered from the wizard, the operator is back at its person step with
  // the new person found by the codice fiscale.
  assert.equal(pathname(desk), `${draft}person`, `not back in the wizard: ${await desk.locator('main').innerText()}`);
  await checkA11y(desk, 'access wizard: person found');
  await tick(desk.getByRole('radio', { name: new RegExp(person.taxCode) }));
  await tick(desk.getByLabel('La persona ha dato il consenso al trattamento dei dati', { exact: true }));
  await desk.getByLabel('Ambito del consenso', { exact: true }).fill('presa in carico');
  await submit(desk, 'Salva e continua', 'access wizard: reference');
  assert.equal(pathname(desk), `${draft}reference`);
  await submit(desk, 'Salva e continua', 'access wizard: needs');
  assert.equal(pathname(desk), `${draft}needs`);
  await tick(desk.getByRole('checkbox', { name: 'Anziani', exact: true }));
  await submit(desk, 'Salva e continua', 'access wizard: services');
  assert.equal(pathname(desk), `${draft}services`);
  await tick(desk.getByRole('checkbox', { name: 'Assistenza domiciliare', exact: true }));
  await submit(desk, 'Salva e continua', 'access wizard: outcome');
  assert.equal(pathname(desk), `${draft}outcome`);
  await tick(desk.getByRole('radio', { name: 'Proposta di presa in carico', exact: true }));
  await desk.getByLabel('Servizio sociale a cui proporre la presa in carico', { exact: true })
    .selectOption({ label: 'Servizio sociale professionale' });
  await desk.getByLabel("Note sull'esito", { exact: true }).fill('Vive sola, chiede aiuto in casa.');
  await submit(desk, 'Salva e continua', 'access wizard: summary');
  assert.equal(pathname(desk), `${draft}confirm`);
  const summary = desk.getByRole('table', { name: "Riepilogo dell'accesso" });
  const row = async (label) => (await summary.getByRole('row').filter({ has: desk.getByRole('rowheader', { name: label, exact: true }) }).getByRole('cell').innerText()).trim();
  assert.equal(await row('Sportello'), 'Punto Unico di Accesso');
  assert.equal(await row('Persona'), fullName);
  assert.equal(await row('Esito'), 'Proposta di presa in carico');
  assert.equal(await row('Servizio sociale a cui proporre la presa in carico'), 'Servizio sociale professionale');
  await screenshot(desk, 'sigess-casefile-summary');
  await submit(desk, "Conferma e registra l'accesso", 'access registered');
  assert.match(pathname(desk), new RegExp(`^${BASE}/accesses/[0-9a-f-]{36}$`));
  assert.equal(await flash(desk), 'Accesso registrato.');
  const caseHref = await desk.getByRole('link', { name: 'Apri il caso proposto', exact: true }).getAttribute('href');
  assert.match(caseHref, new RegExp(`^${BASE}/cases/[0-9a-f-]{36}$`));

  // 2. The coordinator finds the proposal on the home page and assigns it.
  const coord = await open();
  const coordinatore = account({ tenant: ENTE, role: 'coordinator' });
  await login(coord, `${BASE}/login`, coordinatore.email, coordinatore.password);
  assert.equal(pathname(coord), `${BASE}/`);
  await coord.getByRole('heading', { name: 'Proposte da assegnare', exact: true }).waitFor();
  const proposal = coord.locator('#cases-to-assign li').filter({ hasText: fullName });
  assert.equal(await proposal.count(), 1, 'the proposal is not among those to assign');
  assert.match(await proposal.innerText(), /— Aperta$/);
  await screenshot(coord, 'sigess-casefile-to-assign');
  await follow(coord, /.+/, 'case to assign', proposal);
  assert.equal(pathname(coord), caseHref);
  const number = (await h1(coord)).replace(/^Cartella /, '');
  assert.ok(number, 'the case has no number');
  assert.equal(await dt(coord, 'Stato'), 'Aperta');
  assert.equal(await dt(coord, 'Unità responsabile'), 'Servizio sociale professionale');
  assert.equal(await dt(coord, 'Responsabile'), 'Non ancora assegnata');
  const responsible = coord.getByLabel('Responsabile', { exact: true });
  const worker = (await responsible.locator('option').allInnerTexts()).find((o) => o.startsWith('Assistente sociale '));
  assert.ok(worker, 'the social worker is not among those the case can be assigned to');
  await responsible.selectOption({ label: worker });
  await submit(coord, 'Assegna', 'case assigned');
  assert.equal(await formError(coord), '');
  assert.equal(await flash(coord), 'Cartella assegnata.');
  assert.equal(await dt(coord, 'Responsabile'), worker);

  // 3. The social worker finds it among their cases and takes it in charge.
  const sw = await open();
  const assistente = account({ tenant: ENTE, role: 'social_worker' });
  await login(sw, `${BASE}/login`, assistente.email, assistente.password);
  assert.equal(pathname(sw), `${BASE}/`);
  assert.equal(await h1(sw), `Benvenuto, ${worker}`);
  const mine = sw.locator('#cases-mine li').filter({ hasText: number });
  assert.equal(await mine.count(), 1, 'the case is not among the social worker\'s');
  await follow(sw, number, 'case assigned to me', mine);
  assert.equal(pathname(sw), caseHref);
  await submit(sw, 'Prendi in carico', 'case taken in charge');
  assert.equal(await formError(sw), '');
  assert.equal(await flash(sw), 'Cartella presa in carico.');
  assert.equal(await dt(sw, 'Stato'), 'Presa in carico');

  // A diary entry.
  await follow(sw, 'Diario', 'diary');
  assert.equal(pathname(sw), `${caseHref}/diary`);
  assert.equal(await sw.getByText('Il diario non ha ancora voci.', { exact: true }).count(), 1);
  await sw.getByLabel('Tipo di voce', { exact: true }).selectOption({ label: 'Colloquio' });
  const note = `Primo colloquio con ${fullName}: concordato un piano di assistenza domiciliare.`;
  await sw.getByLabel('Testo', { exact: true }).fill(note);
  await submit(sw, 'Aggiungi la voce', 'diary entry added');
  assert.equal(await formError(sw), '');
  assert.equal(await flash(sw), 'Voce aggiunta al diario.');
  const entries = sw.locator('tr.diary-entry');
  assert.equal(await entries.count(), 1);
  assert.equal((await entries.locator('.diary-text').innerText()).trim(), note);
  assert.match(await entries.innerText(), new RegExp(`Colloquio[\\s\\S]*${worker}`));
  await screenshot(sw, 'sigess-casefile-diary');
  await follow(sw, 'Torna al caso', 'case from the diary');

  // A document: a PNG made here.
  await follow(sw, 'Documenti', 'documents');
  assert.equal(pathname(sw), `${caseHref}/documents`);
  await sw.getByLabel('File', { exact: true }).setInputFiles({ name: 'verbale.png', mimeType: 'image/png', buffer: PNG });
  await sw.getByLabel('Titolo', { exact: true }).fill('Verbale del colloquio');
  await sw.getByLabel('Tipo di documento', { exact: true }).selectOption({ label: 'Relazione' });
  await submit(sw, 'Carica il documento', 'document uploaded');
  assert.equal(await formError(sw), '');
  assert.equal(await flash(sw), 'Documento caricato.');
  const docs = sw.locator('tr.document');
  assert.equal(await docs.count(), 1);
  assert.match(await docs.innerText(), /Verbale del colloquio[\s\S]*Relazione/);
  const download = sw.getByRole('link', { name: 'Scarica verbale.png', exact: true });
  assert.equal(await download.count(), 1, 'no download link for the document');
  const got = await sw.request.get(await download.getAttribute('href'));
  assert.equal(got.status(), 200);
  assert.deepEqual(Buffer.from(await got.body()), PNG, 'the document downloaded is not the one uploaded');
  await follow(sw, 'Torna al caso', 'case from the documents');

  // 4. Closed with a reason; the history tells the whole story.
  const reason = 'Obiettivi del progetto raggiunti.';
  await sw.getByLabel('Motivo (Chiusa)', { exact: true }).fill(reason);
  await submit(sw, 'Passa a: Chiusa', 'case closed');
  assert.equal(await formError(sw), '');
  assert.equal(await flash(sw), 'Stato della cartella aggiornato.');
  assert.equal(await dt(sw, 'Stato'), 'Chiusa');
  assert.equal(await dt(sw, 'Motivo della chiusura'), reason);
  assert.equal(await sw.getByRole('button', { name: 'Prendi in carico', exact: true }).count(), 0);
  const history = sw.getByRole('table', { name: 'Storia della cartella, dal più recente' });
  const events = [];
  for (const r of await history.locator('tbody tr').all()) {
    const cells = (await r.locator('td').allInnerTexts()).map((s) => s.trim());
    events.push({ by: cells[1], what: cells[2], reason: cells[3] });
  }
  const story = events.reverse().map((e) => e.what);
  const want = ['Apertura: Aperta', 'Assegnazione', 'Cambio di stato: Presa in carico', 'Cambio di stato: Chiusa'];
  assert.deepEqual(story.filter((w) => want.includes(w)), want, `history: ${JSON.stringify(events)}`);
  const closing = events.find((e) => e.what === 'Cambio di stato: Chiusa');
  assert.equal(closing.reason, reason);
  assert.equal(closing.by, worker);
  assert.equal(events.find((e) => e.what === 'Assegnazione').by, await coordName(coord));
  await screenshot(sw, 'sigess-casefile-closed');

  // The closed case leaves the social worker's open cases.
  await visit(sw, `${BASE}/`, 'home after closing');
  assert.equal(await sw.locator('#cases-mine li').filter({ hasText: number }).count(), 0, 'a closed case is still among the open ones');
});

// coordName is the name of the operator signed in on page, from the header.
async function coordName(page) {
  const m = (await page.locator('.it-header-slim-wrapper').first().innerText()).match(/Operatore: (.+)/);
  assert.ok(m, 'no operator name in the header');
  return m[1].trim();
}
