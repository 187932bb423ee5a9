package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
)

// planCaseRows is how many rows of table hang on the case (assessments, plans).
func planCaseRows(t *testing.T, tenant, caseID uuid.UUID, table string) int {
	t.Helper()
	var n int
	if err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM `+table+` WHERE case_id = $1`, caseID).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func fieldNames(p problemJSON) []string {
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	sort.Strings(out)
	return out
}

var sinaForm = url.Values{"mobility": {"2"}, "daily_living": {"2"}, "behavioural": {"1"}, "income": {"3"}, "support": {"2"},
	"source": {"1"}, "instrument": {"1"}, "assessed_on": {"2026-01-10"}}

// TestAssessmentPages: the social worker of the case records an assessment
// (refused first with field errors, nothing written), then a second; the
// history keeps both, latest first. The coordinator of the unit reads it;
// intake and administrative staff may not; another ente does not find it.
func TestAssessmentPages(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	page := "/t/latina/cases/" + w.c1.ID.String() + "/assessments"
	sw := a.client(t)
	sw.login("/t/latina", w.swA)

	must(t, sw.get(page), http.StatusOK, "Il caso non ha ancora valutazioni")
	must(t, sw.get(page+"/new"), http.StatusOK, `name="mobility"`, "Si sposta assistito")
	r := sw.post(page, url.Values{"mobility": {"4"}, "source": {""}, "assessed_on": {"ieri"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-assessed_on-error"`)
	r = sw.post(page, url.Values{"mobility": {"4"}, "instrument": {"7"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-mobility-error"`, `id="f-daily_living-error"`, `id="f-source-error"`, `id="f-instrument_other-error"`)
	if n := planCaseRows(t, w.tenant, w.c1.ID, "assessments"); n != 0 {
		t.Fatalf("%d assessments after refusals", n)
	}
	must(t, sw.post(page, sinaForm), http.StatusSeeOther)
	second := url.Values{}
	for k, v := range sinaForm {
		second[k] = v
	}
	second.Set("mobility", "3")
	second.Set("assessed_on", "2026-02-10")
	must(t, sw.post(page, second), http.StatusSeeOther)
	r = sw.get(page + "?done=added")
	must(t, r, http.StatusOK, "Valutazione registrata.", "10/02/2026", "10/01/2026", "Non si sposta")
	if i, j := strings.Index(r.Body, "10/02/2026"), strings.Index(r.Body, "10/01/2026"); i > j {
		t.Error("the history does not show the latest first")
	}

	coord := a.client(t)
	coord.login("/t/latina", w.coordX)
	must(t, coord.get(page), http.StatusOK, "10/02/2026")

	intake := a.client(t)
	intake.login("/t/latina", w.intake)
	must(t, intake.get(page), http.StatusForbidden)
	clerk := a.client(t)
	clerk.login("/t/latina", a.seed(t, "latina", false, "administrative"))
	must(t, clerk.get(page), http.StatusForbidden)
	must(t, clerk.post(page, sinaForm), http.StatusForbidden)
	// The social worker of another unit does not see the case's content.
	other := a.client(t)
	other.login("/t/latina", w.swY)
	if r := other.get(page); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Errorf("social worker of another unit: %d", r.Status)
	}
	if n := planCaseRows(t, w.tenant, w.c1.ID, "assessments"); n != 2 {
		t.Errorf("%d assessments; want 2", n)
	}
	vit := a.client(t)
	vit.login("/t/viterbo", a.seed(t, "viterbo", false, "coordinator"))
	must(t, vit.get("/t/viterbo/cases/"+w.c1.ID.String()+"/assessments"), http.StatusNotFound)
}

var planLink = regexp.MustCompile(`/plans/([0-9a-f-]{36})\?done=saved`)

// TestPlanPages: a plan is written (refused first), activated (refused
// without consent), reviewed, printed, shown on the home page when its review
// falls due, and closed with a reason.
func TestPlanPages(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	page := "/t/latina/cases/" + w.c1.ID.String() + "/plans"
	sw := a.client(t)
	sw.login("/t/latina", w.swA)

	must(t, sw.get(page+"/new"), http.StatusOK, `name="goals.0.text"`)
	r := sw.post(page, url.Values{"review_months": {"30"}, "goals.0.text": {"Autonomia"}, "goals.0.horizon": {""}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-review_months-error"`, `id="f-goals-0-horizon-error"`)
	if n := planCaseRows(t, w.tenant, w.c1.ID, "plans"); n != 0 {
		t.Fatalf("%d plans after a refusal", n)
	}
	r = sw.post(page, url.Values{"review_months": {"3"}, "next_review_on": {"2020-01-01"}, "goals.0.text": {"Autonomia negli spostamenti"},
		"goals.0.horizon": {"short"}, "goals.1.text": {"Rete di vicinato"}, "goals.1.horizon": {"long"}})
	must(t, r, http.StatusSeeOther)
	m := planLink.FindStringSubmatch(r.Location)
	if m == nil {
		t.Fatalf("after creating: %s", r.Location)
	}
	plan := page + "/" + m[1]
	must(t, sw.get(r.Location), http.StatusOK, "Piano salvato.", "Autonomia negli spostamenti", "Bozza")
	must(t, sw.post(plan+"/state", url.Values{"to": {"active"}}), http.StatusUnprocessableEntity, "consenso firmato")
	r = sw.post(plan, url.Values{"review_months": {"3"}, "next_review_on": {"2020-01-01"}, "goals.0.id": {""}, "goals.0.text": {"Autonomia negli spostamenti"},
		"goals.0.horizon": {"short"}, "consent.by": {"Ada"}, "consent.on": {"2026-01-05"}, "consent.signed": {"1"}, "beneficiaries": {w.person.String()}})
	must(t, r, http.StatusSeeOther)
	must(t, sw.post(plan+"/state", url.Values{"to": {"active"}}), http.StatusSeeOther)
	must(t, sw.get(plan), http.StatusOK, "Attivo", "Registra una verifica")

	// Its review (2020) is overdue: the home page of the worker and of the
	// coordinator of the unit lists it; intake staff see nothing.
	must(t, sw.get("/t/latina/"), http.StatusOK, "Revisioni PAI in scadenza", w.c1.Number, "In ritardo")
	coord := a.client(t)
	coord.login("/t/latina", w.coordX)
	must(t, coord.get("/t/latina/"), http.StatusOK, "Revisioni PAI in scadenza", w.c1.Number)
	intake := a.client(t)
	intake.login("/t/latina", w.intake)
	if r := intake.get("/t/latina/"); strings.Contains(r.Body, "Revisioni PAI in scadenza") {
		t.Error("intake staff see the reviews due")
	}
	must(t, intake.get(plan), http.StatusForbidden)

	r = sw.post(plan+"/reviews", url.Values{"reviewed_on": {"2026-01-20"}, "notes": {"Buoni progressi"}, "next_review_on": {"2026-01-01"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-next_review_on-error"`)
	must(t, sw.post(plan+"/reviews", url.Values{"reviewed_on": {"2026-01-20"}, "notes": {"Buoni progressi"}}), http.StatusSeeOther)
	r = sw.get(plan + "?done=reviewed")
	must(t, r, http.StatusOK, "Verifica registrata", "Buoni progressi", "20/04/2026")

	r = sw.get(plan + "/print")
	must(t, r, http.StatusOK, "@media print", "Autonomia negli spostamenti", "Firma della persona", "Consenso firmato da Ada il 05/01/2026")
	if strings.Contains(r.Body, "<form") {
		t.Error("the print view carries forms")
	}
	sw.get(plan) // a page with the form's token
	must(t, sw.post(plan+"/state", url.Values{"to": {"closed"}}), http.StatusUnprocessableEntity, `id="f-close_reason-error"`)
	must(t, sw.post(plan+"/state", url.Values{"to": {"closed"}, "close_reason": {"Obiettivi raggiunti"}}), http.StatusSeeOther)
	must(t, sw.get(plan), http.StatusOK, "Chiuso", "Obiettivi raggiunti")
	must(t, sw.post(plan+"/reviews", url.Values{"notes": {"x"}}), http.StatusConflict)

	vit := a.client(t)
	vit.login("/t/viterbo", a.seed(t, "viterbo", false, "coordinator"))
	must(t, vit.get("/t/viterbo/cases/"+w.c1.ID.String()+"/plans/"+m[1]), http.StatusNotFound)
}

// TestAPIAssessmentsAndPlans holds both APIs to the document: 422 naming the
// fields, history, plan lifecycle; administrative clients may not read, and
// another ente's client gets 404.
func TestAPIAssessmentsAndPlans(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	if err := a.Authz.SaveRole(context.Background(), w.tenant, authz.Role{Name: "pianificatore", LabelIT: "Pianificatore",
		Permissions: []string{authz.PermCasesReadAll, authz.PermCasesWrite, authz.PermAssessmentsWrite, authz.PermPlansWrite}}); err != nil {
		t.Fatal(err)
	}
	tok := a.token(t, "latina", a.newAPIClient(t, "latina", "pianificatore"))
	cs := "/t/latina/api/v1/cases/" + w.c1.ID.String()

	r := a.apiCall(t, http.MethodPost, cs+"/assessments", tok, map[string]any{"sina": map[string]any{"mobility": 9, "behavioural": 3}})
	if p := decode[problemJSON](t, r); r.Status != 422 || !cmp.Equal(fieldNames(p),
		[]string{"behavioural", "daily_living", "income", "instrument", "mobility", "source", "support"}) {
		t.Errorf("bad assessment: %d %v", r.Status, fieldNames(p))
	}
	sina := map[string]any{"mobility": 1, "daily_living": 2, "behavioural": 2, "income": 1, "support": 3, "source": 4, "instrument": 5}
	r = a.apiCall(t, http.MethodPost, cs+"/assessments", tok, map[string]any{"assessed_on": "2026-01-10", "sina": sina})
	if r.Status != http.StatusCreated {
		t.Fatalf("create assessment: %d %s", r.Status, r.Body)
	}
	// SINBA for a person born in 1950 is refused.
	r = a.apiCall(t, http.MethodPost, cs+"/assessments", tok, map[string]any{"sina": sina, "sinba": map[string]any{"attributes": map[string]string{}}})
	if p := decode[problemJSON](t, r); r.Status != 422 || !slices.Contains(fieldNames(p), "sinba") {
		t.Errorf("SINBA for an adult: %d %v", r.Status, fieldNames(p))
	}
	type item struct {
		ID  string `json:"id"`
		Seq int    `json:"seq"`
	}
	list := decode[struct{ Items []item }](t, a.apiCall(t, http.MethodGet, "/t/latina/api/v1/assessments?case_id="+w.c1.ID.String(), tok, nil))
	if len(list.Items) != 1 || list.Items[0].Seq != 1 {
		t.Fatalf("assessments: %+v", list)
	}
	if r := a.apiCall(t, http.MethodGet, "/t/latina/api/v1/assessments/"+list.Items[0].ID, tok, nil); r.Status != 200 {
		t.Errorf("get assessment: %d", r.Status)
	}

	r = a.apiCall(t, http.MethodPost, cs+"/plans", tok, map[string]any{"goals": []map[string]any{{"text": "", "horizon": "x"}}, "consent": map[string]any{"on": "ieri"}})
	if p := decode[problemJSON](t, r); r.Status != 422 || !cmp.Equal(fieldNames(p), []string{"consent.on"}) {
		t.Errorf("bad date: %d %v", r.Status, fieldNames(p))
	}
	r = a.apiCall(t, http.MethodPost, cs+"/plans", tok, map[string]any{"goals": []map[string]any{{"text": "", "horizon": "x"}}})
	if p := decode[problemJSON](t, r); r.Status != 422 || !cmp.Equal(fieldNames(p), []string{"goals.0.horizon", "goals.0.text"}) {
		t.Errorf("bad plan: %d %v", r.Status, fieldNames(p))
	}
	r = a.apiCall(t, http.MethodPost, cs+"/plans", tok, map[string]any{"review_months": 6, "goals": []map[string]any{{"text": "Autonomia", "horizon": "short"}}})
	type planJSON struct {
		ID, State    string
		NextReviewOn *string `json:"next_review_on"`
		Goals        []struct{ ID, Outcome string }
		Reviews      []struct{ Notes string }
	}
	pl := decode[planJSON](t, r)
	if r.Status != http.StatusCreated || pl.State != "draft" {
		t.Fatalf("create plan: %d %s", r.Status, r.Body)
	}
	pp := "/t/latina/api/v1/plans/" + pl.ID
	if r := a.apiCall(t, http.MethodPost, pp+"/reviews", tok, map[string]any{"notes": "x"}); r.Status != http.StatusConflict {
		t.Errorf("review of a draft: %d", r.Status)
	}
	r = a.apiCall(t, http.MethodPatch, pp, tok, map[string]any{"state": "active"})
	if p := decode[problemJSON](t, r); r.Status != 422 || !cmp.Equal(fieldNames(p), []string{"consent.signed"}) {
		t.Errorf("activate without consent: %d %v", r.Status, fieldNames(p))
	}
	r = a.apiCall(t, http.MethodPatch, pp, tok, map[string]any{"state": "active", "consent": map[string]any{"by": "Ada", "on": "2026-01-05", "signed": true}})
	if pl = decode[planJSON](t, r); r.Status != 200 || pl.State != "active" || pl.NextReviewOn == nil {
		t.Fatalf("activate: %d %s", r.Status, r.Body)
	}
	r = a.apiCall(t, http.MethodPost, pp+"/reviews", tok, map[string]any{"reviewed_on": "2026-01-20", "notes": "Verifica", "outcomes": map[string]string{pl.Goals[0].ID: "met"}})
	if pl = decode[planJSON](t, r); r.Status != 201 || len(pl.Reviews) != 1 || pl.Goals[0].Outcome != "met" {
		t.Errorf("review: %d %s", r.Status, r.Body)
	}
	if r := a.apiCall(t, http.MethodPatch, pp, tok, map[string]any{"state": "draft"}); r.Status != http.StatusConflict {
		t.Errorf("back to draft: %d", r.Status)
	}
	if r := a.apiCall(t, http.MethodGet, "/t/latina/api/v1/plans?case_id="+w.c1.ID.String(), tok, nil); r.Status != 200 || !strings.Contains(r.Body, pl.ID) {
		t.Errorf("plans of the case: %d", r.Status)
	}

	clerk := a.token(t, "latina", a.newAPIClient(t, "latina", "administrative", "auditor"))
	if r := a.apiCall(t, http.MethodGet, pp, clerk, nil); r.Status != http.StatusForbidden {
		t.Errorf("administrative client reads a plan: %d", r.Status)
	}
	vit := a.token(t, "viterbo", a.newAPIClient(t, "viterbo", "coordinator"))
	for _, path := range []string{"/t/viterbo/api/v1/plans/" + pl.ID, "/t/viterbo/api/v1/assessments/" + list.Items[0].ID} {
		if r := a.apiCall(t, http.MethodGet, path, vit, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s from another ente: %d", path, r.Status)
		}
	}
}
