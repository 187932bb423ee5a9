package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/apiclient"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/identity"
	"github.com/sigess/sigess/internal/people"
)

// caseWorld is latina with operators in its social service (X) and its
// Ufficio di Piano (Y), a person, and cases: c1 X's assigned to swA, c2 Y's
// assigned to swY, c3 X's reserved and unassigned.
type caseWorld struct {
	tenant                            uuid.UUID
	unitX, unitY                      uuid.UUID
	coordX, swA, swY, intake, auditor account
	person                            uuid.UUID
	c1, c2, c3                        *casefile.Case
	cases                             *casefile.Service
}

func newCaseWorld(t *testing.T, a *testApp) *caseWorld {
	t.Helper()
	ctx := context.Background()
	ten, err := svc.Get(ctx, "latina")
	if err != nil {
		t.Fatal(err)
	}
	w := &caseWorld{tenant: ten.ID, cases: casefile.NewService(pg.DB, nil)}
	units, err := svc.Units(ctx, ten.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		switch u.Code {
		case "servizio-sociale":
			w.unitX = u.ID
		case "ufficio-di-piano":
			w.unitY = u.ID
		}
	}
	seed := func(unit uuid.UUID, roles ...string) account {
		acct := account{Email: strings.ToLower(uuid.NewString()[:8]) + "@latina.test.it", Password: "una password lunga e sicura"}
		var units []uuid.UUID
		if unit != uuid.Nil {
			units = []uuid.UUID{unit}
		}
		if _, err := a.Identity.Seed(ctx, identity.SeedOperator{Tenant: ten.ID, Email: acct.Email, Name: roles[0] + " " + acct.Email[:4],
			Password: acct.Password, Roles: roles, Units: units}); err != nil {
			t.Fatal(err)
		}
		op, err := a.Identity.OperatorForSSO(ctx, ten.ID, acct.Email, "")
		if err != nil {
			t.Fatal(err)
		}
		acct.ID = op.ID
		return acct
	}
	w.coordX = seed(w.unitX, "coordinator")
	w.swA = seed(w.unitX, "social_worker")
	w.swY = seed(w.unitY, "social_worker")
	w.intake = seed(uuid.Nil, "intake_operator")
	w.auditor = seed(uuid.Nil, "auditor")
	p, _, err := people.NewService(pg.DB).Create(ctx, ten.ID, people.Input{FirstName: "Ada", LastName: "Case" + randomName(),
		Sex: "F", BirthDate: people.Date{Year: 1950, Month: 3, Day: 3}, BirthPlace: "E472"}, people.Actor{Email: "test"}, true)
	if err != nil {
		t.Fatal(err)
	}
	w.person = p.ID
	boss := casefile.Viewer{ID: w.coordX.ID, Email: "test", Perms: map[string]bool{"cases:write": true}}
	open := func(unit uuid.UUID, responsible *uuid.UUID, reserved bool, summary string) *casefile.Case {
		c, err := w.cases.Open(ctx, ten.ID, casefile.OpenInput{PersonID: w.person, UserArea: "elderly", UnitID: unit,
			ResponsibleID: responsible, Reserved: reserved, Summary: summary}, boss)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	w.c1 = open(w.unitX, &w.swA.ID, false, "Sintesi uno")
	w.c2 = open(w.unitY, &w.swY.ID, false, "Sintesi due")
	w.c3 = open(w.unitX, nil, true, "Sintesi riservata tre")
	return w
}

// TestCasePagesVisibility walks the case pages role by role: who lists
// which case, who reads its content, who only learns that it exists.
func TestCasePagesVisibility(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	base := "/t/latina"
	for _, tc := range []struct {
		name    string
		acct    account
		list    int      // status of /cases
		listed  []string // numbers on /cases (of c1..c3)
		content [3]int   // per case: 2 content, 1 exists only, 0 refused (403)
		nav     bool
	}{
		{"coordinator of X", w.coordX, 200, []string{w.c1.Number, w.c3.Number}, [3]int{2, 1, 2}, true},
		{"social worker of X", w.swA, 200, []string{w.c1.Number}, [3]int{2, 1, 1}, true},
		{"social worker of Y", w.swY, 200, []string{w.c2.Number}, [3]int{1, 2, 1}, true},
		{"intake operator", w.intake, 403, nil, [3]int{1, 1, 1}, false},
		{"auditor", w.auditor, 403, nil, [3]int{0, 0, 0}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := a.client(t)
			c.login(base, tc.acct)
			r := c.get(base + "/cases")
			if r.Status != tc.list {
				t.Fatalf("/cases: %d, want %d", r.Status, tc.list)
			}
			if tc.list == 200 {
				var got []string
				for _, cs := range []*casefile.Case{w.c1, w.c2, w.c3} {
					if strings.Contains(r.Body, cs.Number) {
						got = append(got, cs.Number)
					}
				}
				if diff := cmp.Diff(tc.listed, got); diff != "" {
					t.Errorf("listed (-want +got):\n%s", diff)
				}
			}
			if home := c.get(base + "/"); strings.Contains(home.Body, `href="`+base+`/cases"`) != tc.nav {
				t.Errorf("nav entry Cartelle shown: %t, want %t", !tc.nav, tc.nav)
			}
			for i, cs := range []*casefile.Case{w.c1, w.c2, w.c3} {
				r := c.get(base + "/cases/" + cs.ID.String())
				switch tc.content[i] {
				case 0:
					must(t, r, http.StatusForbidden)
				case 1:
					must(t, r, http.StatusOK, cs.Number, "contenuto non è tra quelli")
					if strings.Contains(r.Body, cs.Summary) {
						t.Errorf("c%d: exists-only page shows the summary", i+1)
					}
				case 2:
					must(t, r, http.StatusOK, cs.Number, cs.Summary)
				}
			}
		})
	}
	// The home page: the social worker's own cases, the coordinator's
	// proposals to assign (c3, in X, without a responsible).
	sw := a.client(t)
	sw.login(base, w.swA)
	home := sw.get(base + "/")
	must(t, home, http.StatusOK, `id="cases-mine"`, w.c1.Number)
	if strings.Contains(home.Body, "cases-to-assign") {
		t.Errorf("a social worker's home offers proposals to assign")
	}
	co := a.client(t)
	co.login(base, w.coordX)
	home = co.get(base + "/")
	must(t, home, http.StatusOK, `id="cases-to-assign"`)
	if _, after, _ := strings.Cut(home.Body, `id="cases-to-assign"`); !strings.Contains(after, w.c3.Number) || strings.Contains(after, w.c2.Number) {
		t.Errorf("proposals to assign should list c3 (X, unassigned) and not c2 (Y)")
	}

	// The auditor sees who looked at c1: the coordinator and the social worker.
	c := a.client(t)
	c.login(base, w.auditor)
	r := c.get(base + "/cases/" + w.c1.ID.String() + "/trail")
	must(t, r, http.StatusOK, "Cartella consultata", "(page)")
	if strings.Count(r.Body, "Cartella consultata") != 2 {
		t.Errorf("trail shows %d views of c1, want 2 (coordinator, social worker)\n%s", strings.Count(r.Body, "Cartella consultata"), r.Body)
	}
}

// TestCasePagesPath: open (invalid, then valid), assign (invalid, then
// valid), take in charge, close (without, then with reason), each refused
// form showing its message and writing nothing.
func TestCasePagesPath(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	base := "/t/latina"
	coord := a.client(t)
	coord.login(base, w.coordX)

	coord.get(base + "/cases/new?person_id=" + w.person.String())
	r := coord.post(base+"/cases", url.Values{"person_id": {w.person.String()}, "unit_id": {w.unitX.String()}, "summary": {"Nuova"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-user_area-error"`, "scegliere l&#39;area d&#39;utenza")
	if n := caseCount(t, w); n != 3 {
		t.Errorf("%d cases after an invalid form, want 3", n)
	}
	r = coord.post(base+"/cases", url.Values{"person_id": {w.person.String()}, "unit_id": {w.unitX.String()},
		"user_area": {"disability"}, "summary": {"Nuova cartella"}})
	must(t, r, http.StatusSeeOther)
	href := strings.TrimSuffix(r.Location, "?done=opened")
	r = coord.get(r.Location)
	must(t, r, http.StatusOK, "Cartella aperta.", "Nuova cartella", "Non ancora assegnata")

	r = coord.post(href+"/assignment", url.Values{"responsible_id": {w.swY.ID.String()}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-responsible_id-error"`, "non appartiene all&#39;unità")
	r = coord.post(href+"/assignment", url.Values{"responsible_id": {w.swA.ID.String()}})
	must(t, r, http.StatusSeeOther)

	sw := a.client(t)
	sw.login(base, w.swA)
	must(t, sw.get(href), http.StatusOK, "Prendi in carico")
	must(t, sw.post(href+"/take", nil), http.StatusSeeOther)
	must(t, sw.get(href), http.StatusOK, "Presa in carico", "Passa a: Chiusa")
	r = sw.post(href+"/transitions", url.Values{"to": {"referred"}, "reason": {"ASL"}})
	must(t, r, http.StatusForbidden)
	sw.get(href)
	r = sw.post(href+"/transitions", url.Values{"to": {"closed"}, "reason": {" "}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-reason-closed-error"`, "ndicare il motivo")
	r = sw.post(href+"/transitions", url.Values{"to": {"closed"}, "reason": {"Obiettivi raggiunti"}})
	must(t, r, http.StatusSeeOther)
	r = sw.get(r.Location)
	must(t, r, http.StatusOK, "Obiettivi raggiunti", "Passa a: Riaperta")
	// Reopening a closed case from a stale page: closing again is no transition.
	r = sw.post(href+"/transitions", url.Values{"to": {"closed"}, "reason": {"di nuovo"}})
	must(t, r, http.StatusConflict, "non è previsto")
}

func caseCount(t *testing.T, w *caseWorld) int {
	t.Helper()
	ls, err := w.cases.List(context.Background(), w.tenant, casefile.Filter{PersonID: w.person},
		casefile.Viewer{Perms: map[string]bool{"cases:exists": true}})
	if err != nil {
		t.Fatal(err)
	}
	return len(ls)
}

type caseListJSON struct {
	Items []struct {
		Number  string `json:"number"`
		Summary string `json:"summary"`
		Content bool   `json:"content"`
	} `json:"items"`
}

type caseViewJSON struct {
	Case struct {
		ID      string `json:"id"`
		Number  string `json:"number"`
		State   string `json:"state"`
		Summary string `json:"summary"`
	} `json:"case"`
	Access casefile.Access `json:"access"`
	Team   []any           `json:"team"`
}

// TestAPICases holds the cases API to the document and to the rules: role by
// role visibility, transitions refused by role (403), by workflow (409) and
// for a missing reason (422), bad input (422 with fields, nothing written).
func TestAPICases(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	ctx := context.Background()
	if err := a.Authz.SaveRole(ctx, w.tenant, authz.Role{Name: "lettore_cartelle", LabelIT: "Lettore di tutte le cartelle",
		Permissions: []string{"cases:read_all", "diary:read"}}); err != nil {
		t.Fatal(err)
	}
	tok := func(roles ...string) string {
		cr, err := a.Clients.Create(ctx, w.tenant, apiclient.NewClient{Name: "Cartelle " + strings.Join(roles, " ") + " " + uuid.NewString()[:6], Roles: roles},
			apiclient.Actor{Email: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return a.token(t, "latina", cr)
	}
	coordAll := tok("coordinator", "lettore_cartelle")
	swAll := tok("social_worker", "lettore_cartelle")
	readAll := tok("lettore_cartelle")
	intake := tok("intake_operator")
	auditor := tok("auditor")
	const base = "/t/latina/api/v1/cases"

	// Visibility, role by role.
	for _, tc := range []struct {
		name    string
		token   string
		status  int
		content map[string]bool // by person: number → content
	}{
		{"read_all sees all but the reserved", readAll, 200, map[string]bool{w.c1.Number: true, w.c2.Number: true, w.c3.Number: false}},
		{"read_all with reserved:read sees all", coordAll, 200, map[string]bool{w.c1.Number: true, w.c2.Number: true, w.c3.Number: true}},
		{"intake: exists only", intake, 200, map[string]bool{w.c1.Number: false, w.c2.Number: false, w.c3.Number: false}},
		{"auditor: nothing", auditor, 403, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.apiCall(t, http.MethodGet, base+"?person_id="+w.person.String(), tc.token, nil)
			if r.Status != tc.status {
				t.Fatalf("%d, want %d\n%s", r.Status, tc.status, r.Body)
			}
			if tc.status != 200 {
				return
			}
			got := map[string]bool{}
			for _, it := range decode[caseListJSON](t, r).Items {
				got[it.Number] = it.Content
				if !it.Content && it.Summary != "" {
					t.Errorf("%s: summary without content", it.Number)
				}
			}
			if diff := cmp.Diff(tc.content, got); diff != "" {
				t.Errorf("by person (-want +got):\n%s", diff)
			}
			for _, cs := range []*casefile.Case{w.c1, w.c3} {
				v := decode[caseViewJSON](t, a.apiCall(t, http.MethodGet, base+"/"+cs.ID.String(), tc.token, nil))
				if v.Access.Content != tc.content[cs.Number] || (v.Case.Summary != "") != tc.content[cs.Number] {
					t.Errorf("GET %s: access %+v summary %q", cs.Number, v.Access, v.Case.Summary)
				}
			}
		})
	}

	// Bad input: fields named, nothing written.
	r := a.apiCall(t, http.MethodPost, base, coordAll, map[string]any{"person_id": uuid.NewString(), "user_area": "elderly", "unit_id": w.unitX})
	if p := decode[problemJSON](t, r); r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "person_id" {
		t.Errorf("open with an unknown person: %d %+v", r.Status, p)
	}
	if n := caseCount(t, w); n != 3 {
		t.Errorf("%d cases after invalid requests, want 3", n)
	}
	r = a.apiCall(t, http.MethodPost, base, coordAll, map[string]any{"person_id": w.person, "user_area": "elderly", "unit_id": w.unitX, "summary": "Da API"})
	must(t, r, http.StatusCreated, `"state":"open"`)
	id := decode[struct {
		ID string `json:"id"`
	}](t, r).ID

	// Transitions: by role, by workflow, with reason.
	for _, tc := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
	}{
		{"social worker may not refer", swAll, map[string]any{"to": "referred"}, 403},
		{"no such transition", coordAll, map[string]any{"to": "reopened", "reason": "x"}, 409},
		{"unknown state", coordAll, map[string]any{"to": "limbo"}, 409},
		{"reason required", coordAll, map[string]any{"to": "closed"}, 422},
		{"intake may not", intake, map[string]any{"to": "referred"}, 403},
		{"coordinator refers", coordAll, map[string]any{"to": "referred"}, 200},
	} {
		r := a.apiCall(t, http.MethodPost, base+"/"+id+"/transitions", tc.token, tc.body)
		if r.Status != tc.status {
			t.Errorf("%s: %d, want %d\n%s", tc.name, r.Status, tc.status, r.Body)
		}
		if tc.status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %s, want problem+json", tc.name, r.Header.Get("Content-Type"))
		}
	}

	// Assignment and team.
	r = a.apiCall(t, http.MethodPost, base+"/"+id+"/assignment", coordAll, map[string]any{"responsible_id": w.swY.ID})
	if p := decode[problemJSON](t, r); r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "responsible_id" {
		t.Errorf("assign outside the unit: %d %s", r.Status, r.Body)
	}
	must(t, a.apiCall(t, http.MethodPost, base+"/"+id+"/assignment", coordAll, map[string]any{"responsible_id": w.swA.ID}), 200)
	must(t, a.apiCall(t, http.MethodPost, base+"/"+id+"/assignment", swAll, map[string]any{"responsible_id": w.swA.ID}), 403)
	must(t, a.apiCall(t, http.MethodPost, base+"/"+id+"/team", coordAll, map[string]any{"operator_id": w.swY.ID, "role": "educator"}), 200)
	r = a.apiCall(t, http.MethodGet, base+"/"+id+"/team", coordAll, nil)
	must(t, r, 200, w.swA.ID.String(), w.swY.ID.String(), `"role":"educator"`)
	must(t, a.apiCall(t, http.MethodPost, base+"/"+id+"/team", coordAll, map[string]any{"operator_id": w.swY.ID, "removed": true}), 200)

	// Trail: audit:read only.
	must(t, a.apiCall(t, http.MethodGet, base+"/"+id+"/trail", coordAll, nil), 403)
	r = a.apiCall(t, http.MethodGet, base+"/"+id+"/trail", auditor, nil)
	must(t, r, 200, `"action":"case.opened"`, `"action":"case.assigned"`, `"action":"case.team_changed"`)
	must(t, a.apiCall(t, http.MethodGet, base+"/"+uuid.NewString(), coordAll, nil), 404)
	_ = fmt.Sprint
}

// TestWorkflowEditor: the tenant admin sees, replaces and restores the case
// workflow; invalid definitions are refused with the reason next to the
// field and change nothing; others may not open the editor.
func TestWorkflowEditor(t *testing.T) {
	a := newApp(t)
	base := "/t/viterbo"
	admin := a.client(t)
	admin.login(base, a.seed(t, "viterbo", true, "tenant_admin"))
	must(t, admin.get(base+"/admin/workflow"), http.StatusOK, "Presa in carico", "requires_reason")

	custom := `{"states":[{"name":"open","label_it":"Aperta","label_en":"Open","initial":true},
		{"name":"triage","label_it":"Smistamento","label_en":"Triage"},
		{"name":"closed","label_it":"Chiusa","label_en":"Closed","terminal":true}],
		"transitions":[{"from":"open","to":"triage","roles":["%s"]},{"from":"triage","to":"closed","requires_reason":true}]}`
	for _, tc := range []struct {
		name, definition, message string
	}{
		{"not JSON", "{", "non è JSON valido"},
		{"unknown role", fmt.Sprintf(custom, "wizard"), "wizard&#34; non esiste"},
		{"unreachable state", `{"states":[{"name":"open","label_it":"A","label_en":"A","initial":true},{"name":"closed","label_it":"C","label_en":"C","terminal":true}]}`,
			"non è raggiungibile"},
	} {
		r := admin.post(base+"/admin/workflow", url.Values{"definition": {tc.definition}})
		must(t, r, http.StatusUnprocessableEntity, `id="f-definition-error"`, tc.message)
		admin.get(base + "/admin/workflow")
	}
	must(t, admin.get(base+"/admin/workflow"), http.StatusOK, "Presa in carico")

	r := admin.post(base+"/admin/workflow", url.Values{"definition": {fmt.Sprintf(custom, "social_worker")}})
	must(t, r, http.StatusSeeOther)
	r = admin.get(r.Location)
	must(t, r, http.StatusOK, "Flusso salvato.", "Smistamento")
	if strings.Contains(r.Body, "Presa in carico") {
		t.Errorf("the default workflow is still shown after saving another")
	}
	must(t, admin.post(base+"/admin/workflow", url.Values{"reset": {"1"}}), http.StatusSeeOther)
	must(t, admin.get(base+"/admin/workflow"), http.StatusOK, "Presa in carico")

	coord := a.client(t)
	coord.login(base, a.seed(t, "viterbo", false, "coordinator"))
	must(t, coord.get(base+"/admin/workflow"), http.StatusForbidden)
}
