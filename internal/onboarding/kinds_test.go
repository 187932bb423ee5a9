package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/households"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/siuss"
)

// ente is an ente ready for the later kinds: a unit servizio-sociale with an
// operator (op@…) in it, and the catalogue entries A1.05 (euro, ISEE up to
// 15,000 euro) and A2.01 (hours), and the people template imported.
type ente struct {
	tenant, unit, op uuid.UUID
	opEmail          string
	s                *Service
}

func newEnte(t *testing.T) *ente {
	t.Helper()
	e := &ente{tenant: pg.NewTenant(t), unit: uuid.New(), s: NewService(pg.DB)}
	pg.Exec(t, e.tenant, `INSERT INTO units (tenant_id, id, code, kind, name) VALUES ($1, $2, 'servizio-sociale', 'social_service', 'Servizio sociale')`,
		e.tenant, e.unit)
	e.op = pg.NewOperator(t, e.tenant, "Assistente sociale", e.unit)
	e.opEmail = e.op.String() + "@example.it"
	pg.Exec(t, e.tenant, `INSERT INTO catalog_entries (tenant_id, name, inps_code, user_area, unit, means_test, isee_threshold,
			share_ente, share_user, share_health, character)
		VALUES ($1, 'Contributo economico', 'A1.05', '3', 'euro', '1', 15000.00, 100, 0, 0, '1'),
			($1, 'Assistenza domiciliare', 'A2.01', '2', 'hours', '4', NULL, 70, 20, 10, '1')`, e.tenant)
	// The ente has what SIUSS flows need: an import must still make none.
	if err := pg.DB.InPlatform(context.Background(), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE tenants SET belfiore_code = 'H501', istat_code = '058091' WHERE id = $1`, e.tenant)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e.mustImport(t, KindPeople, template(t, KindPeople), 2)
	return e
}

func template(t *testing.T, kind string) string {
	t.Helper()
	b, err := Template(kind)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (e *ente) importFile(kind, file string) (*Result, error) {
	return e.s.Import(context.Background(), e.tenant, kind, strings.NewReader(file), uuid.Nil, Actor{Email: "test"}, nil)
}

func (e *ente) mustImport(t *testing.T, kind, file string, created int) {
	t.Helper()
	res, err := e.importFile(kind, file)
	if err != nil || res.Created != created || res.Skipped != 0 {
		t.Fatalf("import %s: %v %+v", kind, err, res)
	}
}

// tables counts the rows the later kinds write.
type tables struct{ Households, Members, ISEE, Cases, CaseEvents, Team, Interventions, Events, Deliveries, External, Flows int }

func countTables(t *testing.T, tenant uuid.UUID) tables {
	t.Helper()
	var c tables
	err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM households), (SELECT count(*) FROM household_members),
			(SELECT count(*) FROM isee_records), (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events),
			(SELECT count(*) FROM case_team), (SELECT count(*) FROM interventions), (SELECT count(*) FROM intervention_events),
			(SELECT count(*) FROM intervention_deliveries), (SELECT count(*) FROM import_external_ids),
			(SELECT count(*) FROM siuss_flows)`).
			Scan(&c.Households, &c.Members, &c.ISEE, &c.Cases, &c.CaseEvents, &c.Team, &c.Interventions, &c.Events,
				&c.Deliveries, &c.External, &c.Flows)
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func objectID(t *testing.T, tenant uuid.UUID, kind, ext string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT object_id FROM import_external_ids WHERE kind = $1 AND external_id = $2`,
			kind, ext).Scan(&id)
	})
	if err != nil {
		t.Fatalf("%s %s: %v", kind, ext, err)
	}
	return id
}

func errorsOf(res *Result) []string {
	var got []string
	for _, e := range res.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Row, e.Field))
	}
	return got
}

// TestImportChain: the templates of every kind, imported in order, make the
// records the domain services show — households with members and ISEE,
// cases numbered by the counter or keeping their legacy number, interventions
// with their first event and no SIUSS flow, deliveries — and importing every
// file again changes nothing.
func TestImportChain(t *testing.T) {
	ctx := context.Background()
	e := newEnte(t)
	e.mustImport(t, KindHouseholds, template(t, KindHouseholds), 1)
	e.mustImport(t, KindCases, template(t, KindCases), 2)
	e.mustImport(t, KindInterventions, template(t, KindInterventions), 2)
	e.mustImport(t, KindDeliveries, template(t, KindDeliveries), 2)
	want := tables{Households: 1, Members: 2, ISEE: 1, Cases: 2, CaseEvents: 2, Interventions: 2, Events: 2, Deliveries: 2, External: 2 + 1 + 2 + 2 + 2}
	c := countTables(t, e.tenant)
	if c != want {
		t.Errorf("after the chain: %+v, want %+v", c, want)
	}

	ppl := people.NewService(pg.DB)
	rossi, anna := objectID(t, e.tenant, KindPeople, "A-0001"), objectID(t, e.tenant, KindPeople, "A-0002")
	h, err := households.NewService(pg.DB, ppl).Get(ctx, e.tenant, objectID(t, e.tenant, KindHouseholds, "N-0001"), households.Actor{Email: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if h.Name != "Famiglia Rossi" || len(h.Members) != 2 || len(h.ISEE) != 1 || h.ISEE[0].ValueCents != 850000 ||
		h.ISEE[0].Year != 2024 || h.ISEE[0].ExpiresOn.IsZero() {
		t.Errorf("household: %+v", h)
	}
	for _, m := range h.Members {
		if (m.PersonID == rossi) != (m.Relationship == households.Head) || !m.Cohabiting || m.From.String() != "2020-01-01" {
			t.Errorf("member: %+v", m)
		}
	}

	cases := casefile.NewService(pg.DB, ppl)
	all := casefile.Viewer{ID: e.op, Email: e.opEmail, Perms: map[string]bool{"cases:read_all": true, "interventions:read": true}}
	c1, err := cases.Get(ctx, e.tenant, objectID(t, e.tenant, KindCases, "C-0001"), all, "")
	if err != nil {
		t.Fatal(err)
	}
	if c1.Case.State != "taken_in_charge" || c1.Case.PersonID != rossi || c1.Case.HouseholdID == nil || c1.Case.UnitID != e.unit ||
		c1.Case.OpenedAt.In(rome).Format("2006-01-02") != "2021-03-10" || !caseNumber.MatchString(c1.Case.Number) {
		t.Errorf("case C-0001: %+v", c1.Case)
	}
	c2, err := cases.Get(ctx, e.tenant, objectID(t, e.tenant, KindCases, "C-0002"), all, "")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Case.Number != "2019/000042" || c2.Case.State != "closed" || c2.Case.ClosedAt == nil || c2.Case.CloseReason == "" {
		t.Errorf("case C-0002: %+v", c2.Case)
	}
	// The counter has moved past the legacy number of 2019.
	var last int
	pg.DB.InTenant(ctx, e.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT last FROM case_counters WHERE year = 2019`).Scan(&last)
	})
	if last != 42 {
		t.Errorf("the 2019 counter is %d, want 42", last)
	}

	its := interventions.NewService(pg.DB, cases)
	v, err := its.Get(ctx, e.tenant, objectID(t, e.tenant, KindInterventions, "I-0001"), all)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != interventions.StateActive || v.INPSCode != "A1.05" || v.MonthlyAmountCents == nil || *v.MonthlyAmountCents != 30000 ||
		v.ShareEnte == nil || *v.ShareEnte != 100 || v.ISEEThresholdCents == nil || *v.ISEEThresholdCents != 1500000 ||
		len(v.Events) != 1 || v.Events[0].Kind != "created" || v.Events[0].ToState != interventions.StateActive || v.Events[0].Reason != ImportReason {
		t.Errorf("intervention I-0001: %+v", v)
	}
	v2, err := its.Get(ctx, e.tenant, objectID(t, e.tenant, KindInterventions, "I-0002"), all)
	if err != nil {
		t.Fatal(err)
	}
	if v2.PersonID != anna || v2.State != interventions.StateRequested || v2.MeansTest != "1" || v2.Notes != "domanda in attesa" {
		t.Errorf("intervention I-0002: %+v", v2.Intervention)
	}
	ds, err := its.Deliveries(ctx, e.tenant, v.ID, all)
	if err != nil || len(ds) != 2 || ds[1].DeliveredOn.String() != "2021-05-31" || *ds[1].AmountCents != 30000 {
		t.Errorf("deliveries: %v %+v", err, ds)
	}

	// Importing made no SIUSS flow (the legacy system reported these to
	// INPS); a change made in SIGeSS afterwards goes out as usual.
	admin := uuid.New()
	pg.Exec(t, e.tenant, `WITH o AS (INSERT INTO operators (id, email, name, tax_code) VALUES ($2, $3, 'Ufficio amministrativo', 'VRDLGU70A01H501X'))
		INSERT INTO memberships (tenant_id, operator_id, roles) VALUES ($1, $2, ARRAY['administrative'])`, e.tenant, admin, admin.String()+"@example.it")
	its.SetEventHook(siuss.NewService(pg.DB))
	office := casefile.Viewer{ID: admin, Email: admin.String() + "@example.it", Roles: []string{"administrative"},
		Perms: map[string]bool{"interventions:read": true, "interventions:deliver": true}}
	if _, err := its.Transition(ctx, e.tenant, v.ID, interventions.StateClosed, "fine del progetto", office); err != nil {
		t.Fatal(err)
	}
	var flows, flowsOfImport int
	pg.DB.InTenant(ctx, e.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE event_seq = 1) FROM siuss_flows WHERE intervention_id = $1`, v.ID).
			Scan(&flows, &flowsOfImport)
	})
	if flowsOfImport != 0 {
		t.Errorf("%d flows of the imported event", flowsOfImport)
	}
	if flows != 1 {
		t.Errorf("%d flows after closing an imported intervention, want 1 (the closure)", flows)
	}
	c = countTables(t, e.tenant)

	// Again, every file: all skipped, nothing written.
	for _, k := range Kinds {
		res, err := e.importFile(k, template(t, k))
		records := res.Rows
		if k == KindHouseholds {
			records = 1 // one household, two member rows
		}
		if err != nil || res.Created != 0 || res.Skipped != records {
			t.Errorf("re-run of %s: %v %+v", k, err, res)
		}
	}
	if after := countTables(t, e.tenant); after != c {
		t.Errorf("re-runs changed the data: %+v, was %+v", after, c)
	}
	// A person cohabiting in an imported household cannot cohabit in a new
	// one over the same dates, nor in two of the same file.
	res, err := e.importFile(KindHouseholds, "external_id;person_external_id;relationship;member_from\n"+
		"N-2;A-0001;head;2023-01-01\nN-3;A-0002;head;\nN-4;A-0002;head;")
	if !errors.Is(err, ErrRowsInvalid) || cmp.Diff([]string{"2 person_external_id", "3 person_external_id", "4 person_external_id"}, errorsOf(res)) != "" {
		t.Errorf("cohabiting twice: %v %+v", err, res)
	}
}

// TestImportKindErrors: for each kind, a file with wrong rows — bad values,
// what the domain's rules refuse, references to unknown external ids —
// reports every error with its row and field, and writes nothing.
func TestImportKindErrors(t *testing.T) {
	e := newEnte(t)
	before := countTables(t, e.tenant)
	for _, tc := range []struct {
		kind, file string
		want       []string
	}{
		{KindHouseholds, `external_id;name;person_external_id;relationship;cohabiting;isee_value;dsu_protocol;isee_signed_on
N-1;Nucleo;A-0001;head;sì;12000;INPS-ISEE-2024-XYZ;2024-01-10
N-1;Altro nome;A-0002;head;forse;;;
N-2;;A-9999;cugino;;;;
N-3;;A-0001;head;;;;`, []string{"2 dsu_protocol", "3 name", "3 relationship", "3 cohabiting", "4 person_external_id", "4 relationship"}},
		{KindCases, `external_id;person_external_id;user_area;unit_code;state;opened_on;closed_on;responsible_email;number
C-1;A-0001;elderly;servizio-sociale;open;2021-01-01;;;
C-1;A-0001;elderly;servizio-sociale;open;2021-01-01;;;
C-2;A-9999;anziani;nessuna;sospesa;31/02/2021;;nessuno@example.it;42
C-3;A-0002;elderly;servizio-sociale;closed;2022-01-01;2021-01-01;;`,
			[]string{"3 external_id", "4 person_external_id", "4 user_area", "4 unit_code", "4 state", "4 opened_on", "4 responsible_email", "4 number",
				"5 closed_on", "5 close_reason"}},
		{KindInterventions, `external_id;case_external_id;catalog;state;start_date;monthly_amount;means_test
I-1;C-9;A1.05;requested;2024-01-01;;
I-2;;Z9.99;attivo;2024-01-01;-5;7`,
			[]string{"2 case_external_id", "3 case_external_id", "3 state", "3 catalog", "3 monthly_amount", "3 means_test"}},
		{KindDeliveries, `external_id;intervention_external_id;delivered_on;amount
D-1;I-9;2024-01-01;10
D-2;I-9;ieri;`, []string{"2 intervention_external_id", "3 intervention_external_id", "3 delivered_on"}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			res, err := e.importFile(tc.kind, tc.file)
			if !errors.Is(err, ErrRowsInvalid) {
				t.Fatalf("err = %v, want ErrRowsInvalid", err)
			}
			if diff := cmp.Diff(tc.want, errorsOf(res)); diff != "" {
				t.Errorf("errors (-want +got):\n%s\n%+v", diff, res.Errors)
			}
			for _, re := range res.Errors {
				if re.Message == "" {
					t.Errorf("row %d %s: no message", re.Row, re.Field)
				}
			}
			if res.Created != 0 {
				t.Errorf("result: %+v", res)
			}
			if after := countTables(t, e.tenant); after != before {
				t.Errorf("a file with errors wrote %+v, was %+v", after, before)
			}
		})
	}
}

// TestImportInterventionRules: an intervention imported as active must have
// what activation needs (internal/interventions Missing); a changed row under
// an imported external id is refused; a delivery of an intervention never
// active, or outside its dates, is refused. Nothing is written by a file with
// any error, valid rows included.
func TestImportInterventionRules(t *testing.T) {
	e := newEnte(t)
	e.mustImport(t, KindHouseholds, template(t, KindHouseholds), 1)
	e.mustImport(t, KindCases, template(t, KindCases), 2)
	e.mustImport(t, KindInterventions, template(t, KindInterventions), 2)
	before := countTables(t, e.tenant)

	file := `external_id;case_external_id;person_external_id;catalog;state;application_protocol;start_date;monthly_amount;means_test;character;closed_on
I-10;C-0001;;Assistenza domiciliare;active;P-1;2024-01-01;;;;
I-11;C-0001;A-0002;A1.05;active;;2024-01-01;100;1;1;
I-12;C-0001;;A1.05;closed;P-2;2024-01-01;100;4;2;
I-13;C-0001;;A1.05;requested;;2024-01-01;;;;`
	res, err := e.importFile(KindInterventions, file)
	if !errors.Is(err, ErrRowsInvalid) {
		t.Fatalf("err = %v", err)
	}
	// I-10: hours entry without hours. I-11: no protocol, no period, no DSU,
	// and the beneficiary has no tax code. I-12: closed without a date.
	want := []string{"2 monthly_hours", "3 application_protocol", "3 period_months", "3 dsu_protocol", "3 dsu_year", "3 dsu_date",
		"3 isee_value", "3 person_external_id", "4 closed_on"}
	if diff := cmp.Diff(want, errorsOf(res)); diff != "" {
		t.Errorf("errors (-want +got):\n%s\n%+v", diff, res.Errors)
	}
	changed := strings.Replace(template(t, KindInterventions), "domanda in attesa", "altro", 1)
	res, err = e.importFile(KindInterventions, changed)
	if !errors.Is(err, ErrRowsInvalid) || cmp.Diff([]string{"3 external_id"}, errorsOf(res)) != "" {
		t.Errorf("changed row: %v %+v", err, res)
	}
	deliveries := `external_id;intervention_external_id;delivered_on;amount
D-1;I-0002;2024-07-01;10
D-2;I-0001;2020-01-01;10
D-3;I-0001;2024-01-01;`
	res, err = e.importFile(KindDeliveries, deliveries)
	if !errors.Is(err, ErrRowsInvalid) || cmp.Diff([]string{"2 intervention_external_id", "3 delivered_on", "4 amount"}, errorsOf(res)) != "" {
		t.Errorf("deliveries: %v %+v", err, res)
	}
	if after := countTables(t, e.tenant); after != before {
		t.Errorf("wrote %+v, was %+v", after, before)
	}
}
