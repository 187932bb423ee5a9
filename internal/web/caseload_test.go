package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/people"
)

// caseloadCells reads the line of operator or unit id off a caseload page:
// each numeric cell by its class, the number alone.
func caseloadCells(t *testing.T, body, table string, id uuid.UUID) map[string]string {
	t.Helper()
	i := strings.Index(body, `<table class="table table-sm `+table+`">`)
	if i < 0 {
		return nil
	}
	body = body[i:]
	body = body[:strings.Index(body, "</table>")]
	line := regexp.MustCompile(`(?s)<tr data-id="` + id.String() + `">(.*?)</tr>`).FindStringSubmatch(body)
	if line == nil {
		return nil
	}
	out := map[string]string{}
	tags := regexp.MustCompile(`<[^>]+>`)
	for _, m := range regexp.MustCompile(`(?s)<td class="caseload-(\w+)">(.*?)</td>`).FindAllStringSubmatch(line[1], -1) {
		out[m[1]] = strings.TrimSpace(tags.ReplaceAllString(m[2], ""))
	}
	return out
}

// TestCaseload counts role by role: the coordinator of unit X sees the
// operators and the unit of X (the worker's case with its active
// intervention and overdue review, the reserved case to assign), never Y's;
// each social worker sees their own line only; the numbers lead to the
// lists they count.
func TestCaseload(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	w, entry := interventionWorld(t, a)
	// c1 (X, swA): an active plan whose review is overdue, and an active
	// intervention linked to it; c2 (Y, swY): a plan due within a week.
	plan1, plan2 := uuid.New(), uuid.New()
	err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO plans (tenant_id, id, case_id, state, review_months, next_review_on, activated_at, created_by)
			VALUES ($1, $2, $3, 'active', 3, '2020-01-01', now(), $6), ($1, $4, $5, 'active', 3, current_date + 5, now(), $6)`,
			w.tenant, plan1, w.c1.ID, plan2, w.c2.ID, w.coordX.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	amount := int64(30000)
	boss := casefile.Viewer{ID: w.coordX.ID, Email: "test", Perms: map[string]bool{"cases:read_all": true, "cases:write": true,
		"interventions:request": true}}
	ivs := interventions.NewService(pg.DB, w.cases)
	it, err := ivs.Create(ctx, w.tenant, interventions.NewIntervention{PersonID: w.person, CaseID: w.c1.ID, CatalogEntryID: entry,
		PlanID: &plan1, Data: interventions.Data{StartDate: people.Date{Year: 2026, Month: 2, Day: 1}, MonthlyAmountCents: &amount}}, boss)
	if err != nil {
		t.Fatal(err)
	}
	// Y's case has an active intervention too: X's coordinator must not
	// count it.
	itY, err := ivs.Create(ctx, w.tenant, interventions.NewIntervention{PersonID: w.person, CaseID: w.c2.ID, CatalogEntryID: entry,
		Data: interventions.Data{StartDate: people.Date{Year: 2026, Month: 2, Day: 1}, MonthlyAmountCents: &amount}}, boss)
	if err != nil {
		t.Fatal(err)
	}
	if err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE interventions SET state = 'active', application_protocol = 'P-1' WHERE id = ANY($1)`,
			[]uuid.UUID{it.ID, itY.ID})
		return err
	}); err != nil {
		t.Fatal(err)
	}

	login := func(acct account) *client {
		c := a.client(t)
		c.login("/t/latina", acct)
		return c
	}
	coord, swA, swY := login(w.coordX), login(w.swA), login(w.swY)
	line := func(open, taken, active, overdue, due string) map[string]string {
		return map[string]string{"open": open, "taken": taken, "active": active, "overdue": overdue, "due": due}
	}
	for _, tc := range []struct {
		name   string
		c      *client
		lines  map[uuid.UUID]map[string]string // operator → cells; nil: no line
		units  bool
		unitX  bool
		hidden []uuid.UUID
	}{
		{"coordinator of X", coord, map[uuid.UUID]map[string]string{
			w.swA.ID: line("1", "0", "1", "1", "0"), w.coordX.ID: line("0", "0", "0", "0", "0"),
		}, true, true, []uuid.UUID{w.swY.ID}},
		{"social worker of X", swA, map[uuid.UUID]map[string]string{w.swA.ID: line("1", "0", "1", "1", "0")}, false, false,
			[]uuid.UUID{w.swY.ID, w.coordX.ID, uuid.Nil}},
		{"social worker of Y", swY, map[uuid.UUID]map[string]string{w.swY.ID: line("1", "0", "1", "0", "1")}, false, false,
			[]uuid.UUID{w.swA.ID, w.coordX.ID, uuid.Nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.c.get("/t/latina/caseload")
			must(t, r, http.StatusOK, "Carico di lavoro", "<caption>Carico di lavoro per operatore responsabile</caption>", `<th scope="col">Presa in carico</th>`)
			for id, want := range tc.lines {
				if diff := cmp.Diff(want, caseloadCells(t, r.Body, "caseload-operator", id)); diff != "" {
					t.Errorf("line of %s (-want +got):\n%s", id, diff)
				}
			}
			for _, id := range tc.hidden {
				if caseloadCells(t, r.Body, "caseload-operator", id) != nil {
					t.Errorf("the line of %s is shown", id)
				}
			}
			if got := strings.Contains(r.Body, "caseload-unit"); got != tc.units {
				t.Errorf("units table shown: %v, want %v", got, tc.units)
			}
			if got := caseloadCells(t, r.Body, "caseload-unit", w.unitX) != nil; got != tc.unitX {
				t.Errorf("unit X shown: %v, want %v", got, tc.unitX)
			}
			if caseloadCells(t, r.Body, "caseload-unit", w.unitY) != nil {
				t.Error("unit Y is shown")
			}
		})
	}

	// The coordinator's reserved, unassigned case is counted on the line to
	// assign; the numbers link to the lists they count.
	r := coord.get("/t/latina/caseload")
	if n := caseloadCells(t, r.Body, "caseload-operator", uuid.Nil)["open"]; n == "" || n == "0" {
		t.Errorf("cases to assign: %q", n)
	}
	body := html.UnescapeString(r.Body)
	openHref := "/t/latina/cases?" + url.Values{"open": {"1"}, "responsible": {w.swA.ID.String()}}.Encode()
	activeHref := "/t/latina/interventions?" + url.Values{"state": {"active"}, "unit": {w.unitX.String()}}.Encode()
	swActiveHref := "/t/latina/interventions?" + url.Values{"responsible": {w.swA.ID.String()}, "state": {"active"}}.Encode()
	for _, h := range []string{openHref, activeHref, swActiveHref} {
		if !strings.Contains(body, `href="`+h+`"`) {
			t.Errorf("no link to %s", h)
		}
	}
	r = coord.get(openHref)
	must(t, r, http.StatusOK, w.c1.Number)
	if strings.Contains(r.Body, w.c3.Number) {
		t.Error("the list of swA's open cases shows the case to assign")
	}
	must(t, coord.get(activeHref), http.StatusOK, "Contributo affitto", w.c1.Number)
	must(t, coord.get(swActiveHref), http.StatusOK, "Contributo affitto", w.c1.Number)
	if r := coord.get("/t/latina/interventions?" + url.Values{"responsible": {w.swY.ID.String()}, "state": {"active"}}.Encode()); strings.Contains(r.Body, w.c1.Number) {
		t.Error("the active interventions of swY's cases show swA's case")
	}

	// Intake staff read no case: no caseload.
	intake := login(w.intake)
	must(t, intake.get("/t/latina/caseload"), http.StatusForbidden)
	// Another ente's coordinator finds no such numbers here.
	vit := a.client(t)
	vit.login("/t/viterbo", a.seed(t, "viterbo", false, "coordinator"))
	if r := vit.get("/t/viterbo/caseload"); strings.Contains(r.Body, w.swA.ID.String()) || strings.Contains(r.Body, w.unitX.String()) {
		t.Error("viterbo's caseload shows latina's operators or units")
	}

	// The plan's page and its print view list the linked intervention.
	plan := "/t/latina/cases/" + w.c1.ID.String() + "/plans/" + plan1.String()
	must(t, swA.get(plan), http.StatusOK, "Interventi collegati al piano", `class="plan-intervention"`, "Contributo affitto", "01/02/2026", "Attivo")
	must(t, swA.get(plan+"/print"), http.StatusOK, "Interventi collegati al piano", "Contributo affitto", "01/02/2026", "300,00")
	must(t, swY.get("/t/latina/cases/"+w.c2.ID.String()+"/plans/"+plan2.String()), http.StatusOK, "Nessun intervento collegato a questo piano.")

	// The request form offers the case's plans; another case's plan is
	// refused next to the field, and nothing is written.
	form := "/t/latina/cases/" + w.c1.ID.String() + "/interventions/new"
	must(t, swA.get(form+"?plan="+plan1.String()), http.StatusOK, `name="plan_id"`, `<option value="`+plan1.String()+`" selected>`)
	before := countRows(t, "latina", `SELECT count(*) FROM interventions WHERE case_id = $1`, w.c1.ID)
	r = swA.post("/t/latina/cases/"+w.c1.ID.String()+"/interventions", url.Values{"catalog_entry_id": {entry.String()},
		"start_date": {"2026-03-01"}, "monthly_amount": {"100"}, "plan_id": {plan2.String()}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-plan_id-error"`)
	if n := countRows(t, "latina", `SELECT count(*) FROM interventions WHERE case_id = $1`, w.c1.ID); n != before {
		t.Fatalf("%d interventions after a refusal, want %d", n, before)
	}
	swA.get(form)
	r = swA.post("/t/latina/cases/"+w.c1.ID.String()+"/interventions", url.Values{"catalog_entry_id": {entry.String()},
		"start_date": {"2026-03-01"}, "monthly_amount": {"100"}, "plan_id": {plan1.String()}})
	must(t, r, http.StatusSeeOther)
	if n := countRows(t, "latina", `SELECT count(*) FROM interventions WHERE plan_id = $1`, plan1); n != 2 {
		t.Errorf("%d interventions on the plan, want 2", n)
	}
}
