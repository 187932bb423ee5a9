package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/identity"
)

// teamOf is the current team of case id, operator by role.
func teamOf(t *testing.T, w *caseWorld, id uuid.UUID) map[uuid.UUID]string {
	t.Helper()
	v, err := w.cases.Get(context.Background(), w.tenant, id, casefile.Viewer{ID: w.coordX.ID,
		Perms: map[string]bool{"cases:read_all": true, "reserved:read": true}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	out := map[uuid.UUID]string{}
	for _, m := range v.Team {
		if m.RemovedAt == nil {
			out[m.OperatorID] = m.Role
		}
	}
	return out
}

// TestCaseTeamPage adds a member to c1's team from the case page (refusing
// a form without the operator), removes them (refusing the responsible),
// and both changes show in the history.
func TestCaseTeamPage(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	base := "/t/latina"
	ctx := context.Background()
	email := strings.ToLower(uuid.NewString()[:8]) + "@latina.test.it"
	if _, err := a.Identity.Seed(ctx, identity.SeedOperator{Tenant: w.tenant, Email: email, Name: "Educatrice Nuova",
		Password: "una password lunga e sicura", Roles: []string{"social_worker"}, Units: []uuid.UUID{w.unitX}}); err != nil {
		t.Fatal(err)
	}
	edu, err := a.Identity.OperatorForSSO(ctx, w.tenant, email, "")
	if err != nil {
		t.Fatal(err)
	}
	href := base + "/cases/" + w.c1.ID.String()
	co := a.client(t)
	co.login(base, w.coordX)
	r := co.get(href)
	must(t, r, http.StatusOK, `action="`+href+`/team"`, `<option value="`+edu.ID.String()+`">Educatrice Nuova</option>`)
	before := strings.Count(r.Body, "Équipe modificata")

	r = co.post(href+"/team", url.Values{"operator_id": {""}, "role": {"educator"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-operator_id-error"`, "scegliere l&#39;operatore")
	must(t, r, http.StatusUnprocessableEntity, `<option value="educator" selected>`)
	r = co.post(href+"/team", url.Values{"operator_id": {edu.ID.String()}, "role": {"responsible"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-role-error"`)
	want := map[uuid.UUID]string{w.swA.ID: "responsible"}
	if diff := cmp.Diff(want, teamOf(t, w, w.c1.ID)); diff != "" {
		t.Fatalf("team after refused forms (-want +got):\n%s", diff)
	}

	r = co.post(href+"/team", url.Values{"operator_id": {edu.ID.String()}, "role": {"educator"}})
	must(t, r, http.StatusSeeOther)
	if r.Location != href+"?done=team_added" {
		t.Errorf("redirect to %s", r.Location)
	}
	r = co.get(r.Location)
	must(t, r, http.StatusOK, "Operatore aggiunto all&#39;équipe.", "Educatrice Nuova", `name="operator_id" value="`+edu.ID.String()+`"`)
	want[edu.ID] = "educator"
	if diff := cmp.Diff(want, teamOf(t, w, w.c1.ID)); diff != "" {
		t.Fatalf("team after adding (-want +got):\n%s", diff)
	}
	if _, form, _ := strings.Cut(r.Body, `id="f-operator_id"`); strings.Contains(strings.Split(form, "</select>")[0], edu.ID.String()) {
		t.Errorf("the add form still offers a current member")
	}

	r = co.post(href+"/team/remove", url.Values{"operator_id": {w.swA.ID.String()}})
	must(t, r, http.StatusConflict, "responsabile si cambia")
	r = co.post(href+"/team/remove", url.Values{"operator_id": {edu.ID.String()}})
	must(t, r, http.StatusSeeOther)
	r = co.get(r.Location)
	must(t, r, http.StatusOK, "Operatore tolto dall&#39;équipe.")
	delete(want, edu.ID)
	if diff := cmp.Diff(want, teamOf(t, w, w.c1.ID)); diff != "" {
		t.Fatalf("team after removing (-want +got):\n%s", diff)
	}
	if got := strings.Count(r.Body, "Équipe modificata") - before; got != 2 {
		t.Errorf("history shows %d new team events, want 2", got)
	}
	r = co.post(href+"/team/remove", url.Values{"operator_id": {edu.ID.String()}})
	must(t, r, http.StatusUnprocessableEntity, "non fa parte dell&#39;équipe")
}

// TestCaseReservedPage sets and clears c1's reserved flag from its page.
func TestCaseReservedPage(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	base := "/t/latina"
	href := base + "/cases/" + w.c1.ID.String()
	co := a.client(t)
	co.login(base, w.coordX)
	must(t, co.get(href), http.StatusOK, `id="f-reserved"`)
	reserved := func() bool {
		v, err := w.cases.Get(context.Background(), w.tenant, w.c1.ID, casefile.Viewer{ID: w.coordX.ID,
			Perms: map[string]bool{"cases:read_all": true, "reserved:read": true}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return v.Case.Reserved
	}
	for _, tc := range []struct {
		form url.Values
		want bool
	}{
		{url.Values{"reserved": {"on"}}, true},
		{url.Values{}, false},
	} {
		r := co.post(href+"/reserved", tc.form)
		must(t, r, http.StatusSeeOther)
		r = co.get(r.Location)
		must(t, r, http.StatusOK, "Riservatezza della cartella aggiornata.", "Riservatezza modificata")
		if got := reserved(); got != tc.want {
			t.Errorf("reserved = %t after %v, want %t", got, tc.form, tc.want)
		}
		if got := strings.Contains(r.Body, `name="reserved" checked`); got != tc.want {
			t.Errorf("checkbox checked = %t, want %t", got, tc.want)
		}
	}
}

// withCSRF is a copy of form with the CSRF token tok.
func withCSRF(form url.Values, tok string) url.Values {
	out := url.Values{"csrf": {tok}}
	for k, v := range form {
		out[k] = v
	}
	return out
}

// TestCaseTeamRefused: who may not change c1 gets no forms and a refusal on
// the POSTs, and nothing changes; another ente's operator finds no case.
func TestCaseTeamRefused(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	base := "/t/latina"
	href := base + "/cases/" + w.c1.ID.String()
	posts := []struct {
		path string
		form url.Values
	}{
		{"/team", url.Values{"operator_id": {w.coordX.ID.String()}, "role": {"educator"}}},
		{"/team/remove", url.Values{"operator_id": {w.swA.ID.String()}}},
		{"/reserved", url.Values{"reserved": {"on"}}},
	}
	for _, tc := range []struct {
		name string
		acct account
	}{
		{"intake operator (no cases:write)", w.intake},
		{"social worker of Y (c1 exists only)", w.swY},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := a.client(t)
			c.login(base, tc.acct)
			r := c.get(href)
			must(t, r, http.StatusOK)
			for _, f := range []string{`action="` + href + `/team"`, `/team/remove"`, `action="` + href + `/reserved"`} {
				if strings.Contains(r.Body, f) {
					t.Errorf("page offers %s", f)
				}
			}
			tok := c.csrf()
			for _, p := range posts {
				r := c.post(href+p.path, withCSRF(p.form, tok))
				if r.Status != http.StatusForbidden || strings.Contains(r.Body, "Modulo scaduto") {
					t.Errorf("POST %s: %d, want 403 (not a CSRF refusal)\n%s", p.path, r.Status, r.Body)
				}
			}
		})
	}
	other := a.client(t)
	other.login("/t/roma", a.seed(t, "roma", false, "social_worker"))
	other.get("/t/roma/cases/new")
	tok := other.csrf() // error pages carry no form: one token for every POST
	for _, p := range posts {
		must(t, other.post("/t/roma/cases/"+w.c1.ID.String()+p.path, withCSRF(p.form, tok)), http.StatusNotFound, "Pagina non trovata")
	}
	if diff := cmp.Diff(map[uuid.UUID]string{w.swA.ID: "responsible"}, teamOf(t, w, w.c1.ID)); diff != "" {
		t.Errorf("team after refused POSTs (-want +got):\n%s", diff)
	}
	if v, _ := w.cases.Get(context.Background(), w.tenant, w.c1.ID, casefile.Viewer{ID: w.coordX.ID,
		Perms: map[string]bool{"cases:read_all": true}}, "test"); v == nil || v.Case.Reserved {
		t.Errorf("c1 reserved after refused POSTs")
	}
}
