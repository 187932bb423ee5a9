package cli

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/agenda"
	"github.com/sigess/sigess/internal/app"
	"github.com/sigess/sigess/internal/assessment"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/diary"
	"github.com/sigess/sigess/internal/households"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/plans"
	"github.com/sigess/sigess/internal/tenancy"
)

// The demo case data of every demo ente: fictitious people with valid codici
// fiscali, their households and ISEE, two accesses at the PUA, six cases in
// their states, the diary, SINA (and SINBA) assessments, PAIs, interventions
// from the ente's catalogue in every administrative state with deliveries,
// and a few appointments of the social worker. Everything goes through the
// domain services, acting as the ente's demo operators with the permissions
// and roles authz gives them, so the data obey the same rules as typed data.

// demoCasesSeed makes the names, dates and places the same on every run.
const demoCasesSeed = 20260501

// demoMonthLetters encode January to December in a codice fiscale.
const demoMonthLetters = "ABCDEHLMPRST"

var (
	demoSurnames = []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
		"Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
		"Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone",
		"Longo", "Gentile", "Martinelli", "Vitale", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti", "Parisi"}
	demoMaleNames = []string{"Giuseppe", "Giovanni", "Antonio", "Mario", "Luigi", "Francesco", "Angelo", "Vincenzo",
		"Pietro", "Salvatore", "Carlo", "Franco", "Domenico", "Bruno", "Paolo", "Michele", "Giorgio", "Aldo", "Sergio",
		"Luciano", "Stefano", "Roberto", "Marco", "Alessandro", "Andrea", "Massimo", "Fabio", "Claudio", "Luca", "Davide"}
	demoFemaleNames = []string{"Maria", "Anna", "Giuseppina", "Rosa", "Angela", "Giovanna", "Teresa", "Lucia",
		"Carmela", "Caterina", "Francesca", "Antonietta", "Carla", "Elena", "Concetta", "Rita", "Margherita", "Franca",
		"Paola", "Laura", "Giulia", "Sara", "Chiara", "Federica", "Valentina", "Silvia", "Alessandra", "Simona",
		"Martina", "Sofia"}
	demoStreets = []string{"Via Giuseppe Garibaldi", "Via Roma", "Via Giacomo Matteotti", "Via Cavour", "Via Mazzini",
		"Via Vittorio Emanuele II", "Via della Repubblica", "Via Dante Alighieri", "Via XX Settembre", "Via Aldo Moro",
		"Via Giovanni Verga", "Via dei Martiri"}
	demoProviders = []string{"Cooperativa sociale Il Girasole", "Cooperativa sociale La Rete", "Consorzio Servizi alla Persona"}
)

// demoPerson is one person of an ente's demo data, by the part they play.
type demoPerson struct {
	key     string
	sex     string
	age     int
	abroad  string // Belfiore code of a foreign country of birth, "" for the ente's province
	citizen string // ISO 3166 numeric citizenship, "" for Italy
	sameAs  string // key of the person whose surname this one shares
}

// demoPeople are the people of every demo ente; the first is the ente's
// marker: if a person of that name is registered, the ente has its demo
// data (a run that failed half-way leaves it partial: reset the database).
var demoPeople = []demoPerson{
	{key: "info", sex: "M", age: 34},
	{key: "proposal", sex: "F", age: 67},
	{key: "assigned", sex: "M", age: 59},
	{key: "elder", sex: "M", age: 79},
	{key: "elder_wife", sex: "F", age: 76},
	{key: "adult", sex: "M", age: 46},
	{key: "adult_partner", sex: "F", age: 41, abroad: "Z129", citizen: "642"}, // born in Romania
	{key: "mother", sex: "F", age: 37},
	{key: "minor", sex: "M", age: 11},
	{key: "minor_sister", sex: "F", age: 6, sameAs: "minor"},
	{key: "carer", sex: "F", age: 53},
	{key: "carer_mother", sex: "F", age: 84},
}

// seedDemoCases gives every demo ente its demo case data, once: an ente whose
// marker person is registered is left as it is. It returns how many demo
// enti have their data.
func seedDemoCases(ctx context.Context, a *app.App, d *tenancy.Desired) (int, error) {
	slugs := make([]string, 0, len(d.Enti))
	for _, t := range d.Enti {
		slugs = append(slugs, t.Tenant.Slug)
	}
	sort.Strings(slugs)
	for _, slug := range slugs {
		if err := seedDemoEnte(ctx, a, slug); err != nil {
			return 0, fmt.Errorf("demo cases of %s: %w", slug, err)
		}
	}
	return len(slugs), nil
}

// seedDemoEnte seeds the ente of slug unless it has its demo data.
func seedDemoEnte(ctx context.Context, a *app.App, slug string) error {
	t, err := a.Tenants.Get(ctx, slug)
	if err != nil {
		return err
	}
	e, err := newDemoEnte(ctx, a, t)
	if err != nil {
		return err
	}
	if done, err := e.seeded(ctx); err != nil || done {
		return err
	}
	return e.seed(ctx)
}

// demoEnte is one ente being seeded: its services, operators, units, and the
// people, households and cases made so far.
type demoEnte struct {
	a           *app.App
	t           *tenancy.Tenant
	assessments *assessment.Service
	plans       *plans.Service
	rnd         *rand.Rand
	now         time.Time
	today       people.Date

	coord, worker, desk, admin casefile.Viewer
	social, pua                uuid.UUID // the social service and PUA units

	born       map[string]people.Date
	names      map[string][2]string // key → surname, name
	taxCodes   map[string]string
	places     map[string]string // key → Belfiore code of the birth place
	residences map[string]string // key → ISTAT code of the comune of residence
	people     map[string]*people.Person
	households map[string]uuid.UUID
	isee       map[string]*households.ISEE
	entries    map[string]catalog.Entry // by INPS code
	protocol   int
}

func newDemoEnte(ctx context.Context, a *app.App, t *tenancy.Tenant) (*demoEnte, error) {
	h := fnv.New64a()
	h.Write([]byte(t.Slug))
	now := time.Now().In(agenda.Rome)
	e := &demoEnte{
		a: a, t: t, assessments: assessment.NewService(a.DB, a.Cases), plans: plans.NewService(a.DB, a.Cases),
		rnd: rand.New(rand.NewPCG(demoCasesSeed, h.Sum64())), now: now, today: people.DateOf(now),
		born: map[string]people.Date{}, names: map[string][2]string{}, taxCodes: map[string]string{}, places: map[string]string{}, residences: map[string]string{},
		people: map[string]*people.Person{}, households: map[string]uuid.UUID{}, isee: map[string]*households.ISEE{},
		entries: map[string]catalog.Entry{},
	}
	members, err := a.Identity.Members(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range []struct {
		alias string
		v     *casefile.Viewer
	}{{"coordinatore", &e.coord}, {"assistente", &e.worker}, {"sportello", &e.desk}, {"amministrativo", &e.admin}} {
		email := r.alias + "." + t.Slug + "@demo.sigess.it"
		var id uuid.UUID
		for _, m := range members {
			if m.Email == email {
				id = m.ID
			}
		}
		if id == uuid.Nil {
			return nil, fmt.Errorf("demo operator %s not found", email)
		}
		if *r.v, err = demoViewer(ctx, a, t.ID, id, email); err != nil {
			return nil, err
		}
	}
	units, err := a.Tenants.Units(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	e.social, e.pua = demoUnit(units, "servizio-sociale", "social_service"), demoUnit(units, "pua", "pua")
	if e.social == uuid.Nil || e.pua == uuid.Nil {
		return nil, fmt.Errorf("no social service or PUA unit")
	}
	e.makePeople()
	return e, nil
}

// demoViewer is operator id as the web builds a logged-in operator: the
// permissions and roles authz grants them in the ente.
func demoViewer(ctx context.Context, a *app.App, tenant, id uuid.UUID, email string) (casefile.Viewer, error) {
	scope := db.Scope{Tenant: tenant}
	perms, err := a.Authz.Granted(ctx, id, scope)
	if err != nil {
		return casefile.Viewer{}, err
	}
	roles, err := a.Authz.RolesOf(ctx, id, scope)
	if err != nil {
		return casefile.Viewer{}, err
	}
	return casefile.Viewer{ID: id, Email: email, Perms: perms, Roles: roles}, nil
}

// demoUnit is the unit with code, or else the first of kind.
func demoUnit(units []tenancy.Unit, code, kind string) uuid.UUID {
	var first uuid.UUID
	for _, u := range units {
		if u.Code == code {
			return u.ID
		}
		if u.Kind == kind && first == uuid.Nil {
			first = u.ID
		}
	}
	return first
}

// makePeople draws the names, birth dates and places of the demo people and
// computes their codici fiscali.
func (e *demoEnte) makePeople() {
	surnames := e.shuffled(demoSurnames)
	males, females := e.shuffled(demoMaleNames), e.shuffled(demoFemaleNames)
	places := e.birthPlaces()
	for i, p := range demoPeople {
		last := surnames[i]
		if p.sameAs != "" {
			last = e.names[p.sameAs][0]
		}
		var first string
		if p.sex == "M" {
			first, males = males[0], males[1:]
		} else {
			first, females = females[0], females[1:]
		}
		born := people.Date{Year: e.today.Year - p.age - 1 + e.rnd.IntN(2), Month: time.Month(1 + e.rnd.IntN(12)), Day: 1 + e.rnd.IntN(28)}
		place := p.abroad
		if place == "" {
			place = places[0]
			if e.rnd.IntN(3) == 0 { // a third born elsewhere in the province
				place = places[e.rnd.IntN(len(places))]
			}
		}
		e.names[p.key] = [2]string{last, first}
		e.born[p.key] = born
		e.places[p.key] = place
		e.residences[p.key] = e.residence()
		e.taxCodes[p.key] = demoTaxCode(last, first, p.sex, born, place)
	}
	for _, h := range demoHouseholds { // a household lives together
		for _, m := range h.members {
			e.residences[m[0]] = e.residences[h.members[0][0]]
		}
	}
}

// birthPlaces are the Belfiore codes of the ente's province, its own comune
// (or an ambito's capofila) first.
func (e *demoEnte) birthPlaces() []string {
	c, ok := istat.ByCode(e.t.ISTATCode)
	var comuni []istat.Comune
	if ok {
		comuni = istat.Filter(c.RegionCode, c.Province)
	} else {
		comuni = istat.Filter(e.t.Region, "")
	}
	var out []string
	if ok {
		out = append(out, c.Belfiore)
	}
	for _, x := range comuni {
		if x.Belfiore != "" && (!ok || x.Code != c.Code) {
			out = append(out, x.Belfiore)
		}
	}
	if len(out) == 0 {
		out = []string{"H501"} // Roma
	}
	return out
}

// residence is the ISTAT code of a comune of the ente: its own, or one of an
// ambito's members.
func (e *demoEnte) residence() string {
	if len(e.t.Members) > 0 {
		return e.t.Members[e.rnd.IntN(len(e.t.Members))]
	}
	return e.t.ISTATCode
}

func (e *demoEnte) shuffled(xs []string) []string {
	out := append([]string(nil), xs...)
	e.rnd.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// demoTaxCode computes the codice fiscale of a person born in place (a
// Belfiore code) on born.
func demoTaxCode(last, first, sex string, born people.Date, place string) string {
	day := born.Day
	if sex == "F" {
		day += 40
	}
	s := people.SurnameCode(last) + people.NameCode(first) +
		fmt.Sprintf("%02d%c%02d", born.Year%100, demoMonthLetters[born.Month-1], day) + place
	return s + string(people.CheckChar(s))
}

// seeded reports whether the ente has its demo data: its marker person, by
// name and the name part of the tax code (the birth year, drawn as an age,
// moves with the calendar; the names do not).
func (e *demoEnte) seeded(ctx context.Context) (bool, error) {
	key := demoPeople[0].key
	n, tc := e.names[key], e.taxCodes[key]
	hits, err := e.a.People.Search(ctx, e.t.ID, people.Query{Text: n[0] + " " + n[1], Limit: people.MaxLimit})
	if err != nil {
		return false, err
	}
	for _, h := range hits {
		if h.Person.LastName == n[0] && h.Person.FirstName == n[1] && strings.HasPrefix(h.Person.TaxCode, tc[:6]) {
			return true, nil
		}
	}
	return false, nil
}

func (e *demoEnte) seed(ctx context.Context) error {
	steps := []func(context.Context) error{e.seedPeople, e.seedHouseholds, e.loadCatalog, e.seedStories}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (e *demoEnte) peopleActor() people.Actor {
	return people.Actor{ID: e.worker.ID, Email: e.worker.Email}
}

func (e *demoEnte) seedPeople(ctx context.Context) error {
	for i, p := range demoPeople {
		n := e.names[p.key]
		in := people.Input{
			TaxCode: e.taxCodes[p.key], LastName: n[0], FirstName: n[1], Sex: p.sex, BirthDate: e.born[p.key], BirthPlace: e.places[p.key],
			Citizenship: p.citizen, Residence: e.residences[p.key],
		}
		if _, err := people.ParseTaxCode(in.TaxCode); err != nil {
			return fmt.Errorf("demo person %s: %w", p.key, err)
		}
		if p.age >= 18 && i%3 != 2 {
			in.Phone = fmt.Sprintf("+39 3%02d %07d", 20+e.rnd.IntN(80), e.rnd.IntN(10_000_000))
		}
		// The people come in at the desk: the first one is the marker, and
		// is registered by the intake operator.
		by := e.peopleActor()
		if i < 2 {
			by = people.Actor{ID: e.desk.ID, Email: e.desk.Email}
		}
		person, dup, err := e.a.People.Create(ctx, e.t.ID, in, by, false)
		if err != nil {
			return fmt.Errorf("demo person %s: %w", p.key, err)
		}
		if len(dup) > 0 {
			return fmt.Errorf("demo person %s %s: probable duplicate of %s", n[0], n[1], dup[0].Person.ID)
		}
		e.people[p.key] = person
	}
	return nil
}

// demoHouseholds are the households of the demo people, head first, with
// their ISEE (kind, value in euro).
var demoHouseholds = []struct {
	key     string
	members [][2]string // person key, relationship
	kind    string
	euro    int64
}{
	{"elder", [][2]string{{"elder", households.Head}, {"elder_wife", "spouse"}}, households.KindSocioSanitario, 12_480},
	{"adult", [][2]string{{"adult", households.Head}, {"adult_partner", "partner"}}, households.KindOrdinario, 7_850},
	{"minor", [][2]string{{"mother", households.Head}, {"minor", "child"}, {"minor_sister", "child"}}, households.KindMinorenni, 8_240},
	{"carer", [][2]string{{"carer", households.Head}, {"carer_mother", "parent"}}, households.KindOrdinario, 18_900},
}

// dsuSigned is when the demo DSUs were signed: before the interventions
// started (interventionStart).
func (e *demoEnte) dsuSigned() people.Date {
	return people.DateOf(e.interventionStart().Time().AddDate(0, 0, -12))
}

// interventionStart is when the demo interventions started: the first of the
// month three months ago, so that their monthly deliveries are all past.
func (e *demoEnte) interventionStart() people.Date {
	return demoMonths(people.Date{Year: e.today.Year, Month: e.today.Month, Day: 1}, -3)
}

func (e *demoEnte) seedHouseholds(ctx context.Context) error {
	by := households.Actor{ID: e.worker.ID, Email: e.worker.Email}
	signed := e.dsuSigned()
	for _, h := range demoHouseholds {
		var ms []households.MemberInput
		for _, m := range h.members {
			ms = append(ms, households.MemberInput{PersonID: e.people[m[0]].ID, Relationship: m[1], Cohabiting: true})
		}
		addr := fmt.Sprintf("%s %d", demoStreets[e.rnd.IntN(len(demoStreets))], 1+e.rnd.IntN(120))
		hh, err := e.a.Households.Create(ctx, e.t.ID, households.NewHousehold{Address: addr, Members: ms}, by)
		if err != nil {
			return fmt.Errorf("demo household %s: %w", h.key, err)
		}
		e.households[h.key] = hh.ID
		protocol := fmt.Sprintf("INPS-ISEE-%d-%09d-00", signed.Year, e.rnd.IntN(1_000_000_000))
		isee, err := e.a.Households.RecordISEE(ctx, e.t.ID, hh.ID, households.ISEEInput{
			Kind: h.kind, ValueCents: h.euro*100 + int64(e.rnd.IntN(100)), DSUProtocol: protocol, SignedOn: signed,
		}, by)
		if err != nil {
			return fmt.Errorf("demo ISEE of %s: %w", h.key, err)
		}
		e.isee[h.key] = isee
	}
	return nil
}

// loadCatalog finds the ente's catalogue entries by INPS code (an ente
// without the demo catalogue gets no interventions).
func (e *demoEnte) loadCatalog(ctx context.Context) error {
	active := true
	list, err := e.a.Catalog.List(ctx, e.t.ID, catalog.Filter{Active: &active},
		catalog.Actor{ID: e.worker.ID, Email: e.worker.Email, Perms: e.worker.Perms})
	if err != nil {
		return err
	}
	for _, x := range list {
		if _, dup := e.entries[x.INPSCode]; !dup && x.INPSCode != "" {
			e.entries[x.INPSCode] = x
		}
	}
	return nil
}

// demoCase is one case of the stories, as opened.
type demoCase struct {
	person, household string
	c                 *casefile.Case
	plan              *uuid.UUID
}

func (e *demoEnte) seedStories(ctx context.Context) error {
	// The PUA: an access closed with information, one proposing a case.
	info, err := e.access(ctx, "info", "information", []string{"poverty_adults"}, []string{"information", "economic_support"},
		"Informazioni sul bando per il contributo all'affitto e sui requisiti ISEE; consegnata la modulistica.")
	if err != nil {
		return err
	}
	if _, err := e.a.Accesses.SetState(ctx, e.t.ID, info.ID, access.Accepted, "", e.accessViewer(e.desk)); err != nil {
		return fmt.Errorf("demo access: %w", err)
	}
	if _, err := e.access(ctx, "proposal", "proposal", []string{"elderly"}, []string{"home_care", "meals"},
		"Vive sola dopo la morte del marito, fatica nelle attività quotidiane: si propone la presa in carico per una valutazione a domicilio."); err != nil {
		return err
	}

	// A case assigned to the social worker, not yet taken in charge.
	if _, err := e.open(ctx, "assigned", "", "disability", true,
		"Richiesta di supporto per l'inserimento lavorativo e il riconoscimento dell'invalidità civile."); err != nil {
		return err
	}

	// Taken in charge: an elderly man at home, a family in poverty (reserved),
	// a child at school.
	elder, err := e.takenInCharge(ctx, "elder", "elder", "elderly",
		"Anziano con ridotta autonomia, assistito dalla moglie: servono aiuto domiciliare e pasti.",
		[][2]string{{"home_visit", "Visita domiciliare: casa adeguata, bagno senza ausili. La moglie riferisce stanchezza; concordato il SAD tre mattine a settimana."},
			{"call", "Telefonata con il medico di medicina generale: confermata la necessità di assistenza per l'igiene personale."}})
	if err != nil {
		return err
	}
	adult, err := e.takenInCharge(ctx, "adult", "adult", "poverty_adults",
		"Nucleo con reddito insufficiente dopo la perdita del lavoro; sfratto per morosità in corso.",
		[][2]string{{"interview", "Colloquio: perso il lavoro da otto mesi, canone arretrato di quattro mensilità. Avviata la domanda di contributo."},
			{"note", "Contatto con il centro per l'impiego per il percorso di reinserimento lavorativo."}})
	if err != nil {
		return err
	}
	if _, err := e.a.Cases.SetReserved(ctx, e.t.ID, adult.c.ID, true, e.coord); err != nil {
		return fmt.Errorf("demo reserved case: %w", err)
	}
	minor, err := e.takenInCharge(ctx, "minor", "minor", "family_minors",
		"Segnalazione della scuola: assenze frequenti e difficoltà economiche della madre, sola con due figli.",
		[][2]string{{"interview", "Colloquio con la madre: lavora a chiamata, nessun aiuto dalla famiglia d'origine. Disponibile a un progetto di sostegno."},
			{"report", "Relazione della scuola: il ragazzo è seguito dall'insegnante di sostegno didattico; assenze in calo nell'ultimo mese."}})
	if err != nil {
		return err
	}

	// A case closed with its reason.
	closed, err := e.takenInCharge(ctx, "carer_mother", "carer", "elderly",
		"Anziana non autosufficiente assistita dalla figlia.",
		[][2]string{{"team_meeting", "Valutazione multidimensionale con il distretto sanitario: indicato l'inserimento in struttura residenziale."}})
	if err != nil {
		return err
	}
	if _, err := e.a.Cases.Close(ctx, e.t.ID, closed.c.ID, "Inserimento in RSA fuori ambito: il caso passa al servizio sociale competente.", e.worker); err != nil {
		return fmt.Errorf("demo closed case: %w", err)
	}

	// Assessments and PAIs of the cases taken in charge.
	if err := e.assess(ctx, elder, assessment.SINA{Mobility: 2, DailyLiving: 2, Cognitive: 1, Behavioural: 1, HealthCare: 2,
		Income: 2, Support: 2, Source: 1, Instrument: 1, CivilInvalidity: []int{2}, InvaliditySource: 1}, nil,
		"Valutazione in UVM con la scheda SVAMA."); err != nil {
		return err
	}
	if err := e.assess(ctx, adult, assessment.SINA{Mobility: 1, DailyLiving: 1, Cognitive: 1, Behavioural: 1, HealthCare: 1,
		Income: 3, Support: 2, Source: 4, Instrument: 7, InstrumentOther: "Scheda di valutazione sociale dell'ente"}, nil, ""); err != nil {
		return err
	}
	first := demoMonths(e.today, -4)
	if err := e.assess(ctx, minor, assessment.SINA{Mobility: 1, DailyLiving: 1, Behavioural: 2, Income: 3, Support: 2,
		Source: 2, Instrument: 7, InstrumentOther: "Scheda multidimensionale minori"}, &assessment.SINBA{
		Attributes: map[string]string{"MinoreStranieroNoAcc": "2", "CondizioneMinore": "1", "LuogoVita": "1",
			"ScuolaFrequentata": "6", "CondizioneLavoro": "1", "Disabilita": "2",
			"DataPrimaSegnalazione": fmt.Sprintf("%02d/%d", first.Month, first.Year), "FonteSegnalazione": "13",
			"ValutazioneMinore": "2", "ValutazioneFamigliaMinore": "12", "SegnalazioneAutoritaGiudiziaria": "2",
			"ProvvedimentoGiudiziario": "2"},
		Family: []string{"1", "3"}}, "Segnalazione della scuola secondaria di primo grado."); err != nil {
		return err
	}
	// The elder's review is overdue, so that the home page shows it.
	if err := e.plan(ctx, elder, demoDays(e.today, -10), []plans.GoalInput{
		{Text: "Mantenere la permanenza al domicilio in sicurezza", Horizon: "long"},
		{Text: "Garantire l'igiene personale e un pasto caldo ogni giorno", Horizon: "short"},
		{Text: "Alleggerire il carico di cura della moglie", Horizon: "medium"}}); err != nil {
		return err
	}
	if err := e.plan(ctx, adult, demoMonths(e.today, 2), []plans.GoalInput{
		{Text: "Evitare lo sfratto con un piano di rientro del canone", Horizon: "short"},
		{Text: "Trovare un'occupazione stabile", Horizon: "long"}}); err != nil {
		return err
	}
	if err := e.plan(ctx, minor, demoMonths(e.today, 3), []plans.GoalInput{
		{Text: "Regolarizzare la frequenza scolastica", Horizon: "short"},
		{Text: "Sostenere la madre nel ruolo genitoriale", Horizon: "medium"}}); err != nil {
		return err
	}

	if err := e.seedInterventions(ctx, elder, adult, minor); err != nil {
		return err
	}
	return e.seedAgenda(ctx, elder, minor)
}

func (e *demoEnte) accessViewer(v casefile.Viewer) access.Viewer {
	return access.Viewer{ID: v.ID, Email: v.Email, Perms: v.Perms}
}

// access records an access of person at the PUA by the intake operator.
func (e *demoEnte) access(ctx context.Context, person, outcome string, needs, services []string, notes string) (*access.Access, error) {
	at := e.now.Add(-26 * time.Hour)
	in := access.Input{
		UnitID: e.pua, OccurredAt: at, Channel: "in_person", Interlocutor: "self", Reason: "spontaneous",
		PersonID: e.people[person].ID, Consent: access.Consent{Given: true, Scope: "trattamento dei dati per la presa in carico", On: people.DateOf(at)},
		Needs: needs, Services: services, Outcome: outcome, OutcomeNotes: notes,
	}
	if outcome == "proposal" {
		in.ProposalUnit = &e.social
	}
	a, err := e.a.Accesses.Create(ctx, e.t.ID, in, e.accessViewer(e.desk))
	if err != nil {
		return nil, fmt.Errorf("demo access of %s: %w", person, err)
	}
	return a, nil
}

// open opens a case of person by the coordinator, assigned to the social
// worker when assign is set.
func (e *demoEnte) open(ctx context.Context, person, household, area string, assign bool, summary string) (*demoCase, error) {
	in := casefile.OpenInput{PersonID: e.people[person].ID, UserArea: area, UnitID: e.social, Summary: summary}
	if household != "" {
		hh := e.households[household]
		in.HouseholdID = &hh
	}
	if assign {
		in.ResponsibleID = &e.worker.ID
	}
	c, err := e.a.Cases.Open(ctx, e.t.ID, in, e.coord)
	if err != nil {
		return nil, fmt.Errorf("demo case of %s: %w", person, err)
	}
	return &demoCase{person: person, household: household, c: c}, nil
}

// takenInCharge opens a case, has the social worker take it in charge and
// write entries ({kind, text}) in its diary.
func (e *demoEnte) takenInCharge(ctx context.Context, person, household, area, summary string, entries [][2]string) (*demoCase, error) {
	dc, err := e.open(ctx, person, household, area, true, summary)
	if err != nil {
		return nil, err
	}
	if dc.c, err = e.a.Cases.TakeInCharge(ctx, e.t.ID, dc.c.ID, e.worker); err != nil {
		return nil, fmt.Errorf("demo case of %s: %w", person, err)
	}
	for i, x := range entries {
		at := e.now.Add(-time.Duration(len(entries)-i) * 50 * time.Minute)
		if _, err := e.a.Diary.Add(ctx, e.t.ID, dc.c.ID, diary.NewEntry{Kind: x[0], OccurredAt: at, Text: x[1]}, e.worker); err != nil {
			return nil, fmt.Errorf("demo diary of %s: %w", person, err)
		}
	}
	return dc, nil
}

func (e *demoEnte) assess(ctx context.Context, dc *demoCase, sina assessment.SINA, sinba *assessment.SINBA, notes string) error {
	_, err := e.assessments.Create(ctx, e.t.ID, dc.c.ID, assessment.Input{AssessedOn: demoDays(e.today, -20), SINA: sina, SINBA: sinba, Notes: notes}, e.worker)
	if err != nil {
		return fmt.Errorf("demo assessment of %s: %w", dc.person, err)
	}
	return nil
}

// plan writes an active PAI for the case's household, signed by its person,
// with its next review on next.
func (e *demoEnte) plan(ctx context.Context, dc *demoCase, next people.Date, goals []plans.GoalInput) error {
	n := e.names[dc.person]
	p, err := e.plans.Create(ctx, e.t.ID, dc.c.ID, plans.Input{ReviewMonths: 6, NextReviewOn: next, Goals: goals,
		Consent: plans.Consent{By: n[1] + " " + n[0], On: demoDays(e.today, -15), Signed: true}}, e.worker)
	if err != nil {
		return fmt.Errorf("demo plan of %s: %w", dc.person, err)
	}
	state := plans.Active
	if _, err := e.plans.Update(ctx, e.t.ID, p.ID, plans.Patch{State: &state}, e.worker); err != nil {
		return fmt.Errorf("demo plan of %s: %w", dc.person, err)
	}
	dc.plan = &p.ID
	return nil
}

// demoIntervention is one intervention of the stories: its entry, its data
// besides the means test, the state it reaches and what happens on the way.
type demoIntervention struct {
	dc        *demoCase
	inps      string
	data      interventions.Data
	state     string // requested, approved, active, suspended, closed
	delivered int    // monthly deliveries while active
	change    bool   // the administrative office then edits its amounts
	reason    string // of suspending or closing
}

func cents(euro int64) *int64  { return &euro }
func hours(h float64) *float64 { return &h }
func months(n int) *int        { return &n }

func (e *demoEnte) seedInterventions(ctx context.Context, elder, adult, minor *demoCase) error {
	for _, code := range []string{"A2.01", "A2.06", "A3.02", "A1.01", "A1.02"} {
		if _, ok := e.entries[code]; !ok {
			return nil // not the demo catalogue: no interventions
		}
	}
	start, later := e.interventionStart(), demoMonths(e.today, 1)
	later.Day = 1
	its := []demoIntervention{
		{dc: elder, inps: "A2.01", state: interventions.StateActive, delivered: 3, change: true,
			data: interventions.Data{StartDate: start, MonthlyHours: hours(20), MonthlyAmountCents: cents(38_000), PeriodMonths: months(12),
				Notes: "Tre accessi settimanali al mattino per igiene personale e aiuto domestico."}},
		{dc: elder, inps: "A2.06", state: interventions.StateSuspended, delivered: 2, reason: "Ricovero ospedaliero del beneficiario.",
			data: interventions.Data{StartDate: start, MonthlyAmountCents: cents(13_200), PeriodMonths: months(6)}},
		{dc: elder, inps: "A3.02", state: interventions.StateRequested,
			data: interventions.Data{StartDate: later, MonthlyAmountCents: cents(45_000), PeriodMonths: months(12),
				Notes: "Frequenza due giorni a settimana, da valutare con la famiglia."}},
		{dc: adult, inps: "A1.01", state: interventions.StateClosed, delivered: 2, reason: "Contributo erogato per intero.",
			data: interventions.Data{StartDate: start, EndDate: demoDays(demoMonths(start, 6), -1), TotalAmountCents: cents(90_000)}},
		{dc: adult, inps: "A1.02", state: interventions.StateApproved,
			data: interventions.Data{StartDate: e.today, TotalAmountCents: cents(120_000), RequestedAmountCents: cents(150_000)}},
		{dc: minor, inps: "A1.01", state: interventions.StateActive, delivered: 3,
			data: interventions.Data{StartDate: start, Character: interventions.CharacterPeriodic, MonthlyAmountCents: cents(25_000), PeriodMonths: months(6),
				Notes: "Sostegno al reddito del nucleo nell'ambito del progetto per il minore."}},
	}
	for i := range its {
		if err := e.intervention(ctx, &its[i]); err != nil {
			return fmt.Errorf("demo intervention %s of %s: %w", its[i].inps, its[i].dc.person, err)
		}
	}
	return nil
}

// intervention requests x (the social worker), approves it (the
// coordinator), activates it, records its deliveries and edits, suspends or
// closes it (the administrative office), as far as x.state.
func (e *demoEnte) intervention(ctx context.Context, x *demoIntervention) error {
	entry := e.entries[x.inps]
	d := x.data
	e.protocol++
	d.ApplicationProtocol = fmt.Sprintf("%d/%05d", e.today.Year, 1000+e.protocol*37)
	if entry.MeansTest == interventions.MeansTestISEE {
		isee := e.isee[x.dc.household]
		year := isee.Year
		d.DSUProtocol, d.DSUYear, d.DSUDate, d.ISEEValueCents = isee.DSUProtocol, &year, isee.SignedOn, &isee.ValueCents
	}
	d.TakenInCharge = true
	it, err := e.a.Interventions.Create(ctx, e.t.ID, interventions.NewIntervention{PersonID: e.people[x.dc.person].ID,
		CaseID: x.dc.c.ID, CatalogEntryID: entry.ID, PlanID: x.dc.plan, Data: d}, e.worker)
	if err != nil {
		return err
	}
	move := func(to, reason string, v casefile.Viewer) error {
		it, err = e.a.Interventions.Transition(ctx, e.t.ID, it.ID, to, reason, v)
		return err
	}
	if x.state == interventions.StateRequested {
		return nil
	}
	if err := move(interventions.StateApproved, "", e.coord); err != nil || x.state == interventions.StateApproved {
		return err
	}
	if err := move(interventions.StateActive, "", e.admin); err != nil {
		return err
	}
	provider := demoProviders[e.rnd.IntN(len(demoProviders))]
	for m := range x.delivered {
		nd := interventions.NewDelivery{DeliveredOn: demoDays(demoMonths(it.StartDate, m), e.rnd.IntN(10))}
		if nd.DeliveredOn.Time().After(e.today.Time()) {
			nd.DeliveredOn = e.today
		}
		switch {
		case it.Unit == interventions.UnitHours:
			nd.Hours, nd.Provider = hours(float64(*it.MonthlyHours)-float64(e.rnd.IntN(3))), provider
		case it.MonthlyAmountCents != nil:
			nd.AmountCents = cents(*it.MonthlyAmountCents)
		default:
			nd.AmountCents = cents(*it.TotalAmountCents / int64(x.delivered))
		}
		if entry.Unit != interventions.UnitEuro && nd.Provider == "" {
			nd.Provider = provider
		}
		if _, err := e.a.Interventions.AddDelivery(ctx, e.t.ID, it.ID, nd, e.admin); err != nil {
			return err
		}
	}
	if x.change {
		d := it.Data
		d.MonthlyAmountCents, d.MonthlyHours = cents(*d.MonthlyAmountCents*6/5), hours(*d.MonthlyHours*6/5)
		d.Notes += " Ore aumentate dopo la verifica del PAI."
		if it, err = e.a.Interventions.Update(ctx, e.t.ID, it.ID, it.Version, d, e.admin); err != nil {
			return err
		}
	}
	if x.state == interventions.StateSuspended || x.state == interventions.StateClosed {
		return move(x.state, x.reason, e.admin)
	}
	return nil
}

// seedAgenda puts three appointments of the social worker in this week.
func (e *demoEnte) seedAgenda(ctx context.Context, elder, minor *demoCase) error {
	week := agenda.WeekOf(e.now)
	at := func(day, hour, minute int) time.Time {
		d := week.Day(day)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, agenda.Rome)
	}
	v := agenda.Viewer{Viewer: e.worker}
	for _, x := range []struct {
		dc                *demoCase
		start             time.Time
		minutes           int
		place, where, why string
	}{
		{elder, at(0, 10, 0), 60, "home", "", "Visita domiciliare: verifica del SAD"},
		{minor, at(2, 15, 30), 45, "office", "Servizio sociale, stanza 3", "Colloquio con la madre"},
		{nil, at(3, 9, 0), 90, "other", "Istituto comprensivo, sala riunioni", "Incontro di rete con la scuola"},
	} {
		in := agenda.Input{StartsAt: x.start, EndsAt: x.start.Add(time.Duration(x.minutes) * time.Minute),
			PlaceKind: x.place, Place: x.where, Title: x.why}
		if x.dc != nil {
			in.CaseID = &x.dc.c.ID
		}
		if _, err := e.a.Agenda.Create(ctx, e.t.ID, in, v); err != nil {
			return fmt.Errorf("demo appointment %q: %w", x.why, err)
		}
	}
	return nil
}

// printDemoCases is the summary's line about the demo case data.
func printDemoCases(w io.Writer, n int) {
	fmt.Fprintf(w, "Casi demo: %d enti con dati (persone, nuclei, casi, PAI, interventi, agenda)\n", n)
}

// demoMonths is d moved by n months, on the same day or the month's last.
func demoMonths(d people.Date, n int) people.Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return people.Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, first.AddDate(0, 1, -1).Day())}
}

// demoDays is d moved by n days.
func demoDays(d people.Date, n int) people.Date { return people.DateOf(d.Time().AddDate(0, 0, n)) }

// demoOperatorTaxCode is a fictitious, valid and unique tax code for the demo
// operator of role number i of ente slug ("surname" the ente, "name" the
// role): SIUSS flows carry the tax code of the operator who made the event.
func demoOperatorTaxCode(slug, alias string, i int) string {
	return demoTaxCode(slug, alias, "M", people.Date{Year: 1970 + i, Month: time.Month(1 + i), Day: 1 + len(slug)}, "H501")
}
