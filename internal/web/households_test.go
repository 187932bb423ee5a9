package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/people"
)

// householdPerson registers someone in the ente slug and returns their id.
func householdPerson(t *testing.T, slug, last, first string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	ten, err := svc.Get(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := people.NewService(pg.DB).Create(ctx, ten.ID, people.Input{FirstName: first, LastName: last, Sex: "F",
		BirthDate: people.Date{Year: 1985, Month: 4, Day: 2}, BirthPlace: "E472"}, people.Actor{Email: "test"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// householdTrail is the actions of the audit events on a household.
func householdTrail(t *testing.T, slug string, id string) []string {
	t.Helper()
	ctx := context.Background()
	ten, _ := svc.Get(ctx, slug)
	var rs []audit.Record
	if err := pg.DB.InTenant(ctx, ten.ID, func(tx pgx.Tx) (err error) {
		rs, err = audit.List(ctx, tx, ten.ID, audit.Filter{ObjectType: "household", ObjectID: id, Limit: audit.MaxLimit})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for i := len(rs) - 1; i >= 0; i-- {
		out = append(out, rs[i].Action)
	}
	return out
}

func TestHouseholdPages(t *testing.T) {
	a := newApp(t)
	op := a.seed(t, "latina", false, "intake_operator")
	c := a.client(t)
	c.login("/t/latina", op)
	base := "/t/latina/households"
	anna := householdPerson(t, "latina", "Ferri", "Anna")
	ugo := householdPerson(t, "latina", "Ferri", "Ugo")

	// From the person: no household yet, a button to create one.
	must(t, c.get(base+"?person="+anna.String()), http.StatusOK, "La persona non fa parte di alcun nucleo familiare.", "/households/new?person="+anna.String())
	must(t, c.get(base+"/new?person="+anna.String()), http.StatusOK, `name="person_id" value="`+anna.String()+`"`)
	r := c.post(base, url.Values{"person_id": {anna.String()}, "relationship": {"head"}, "cohabiting": {"1"}, "from": {"ieri"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-from-error"`, "Data non valida: usare il formato AAAA-MM-GG.")
	r = c.post(base, url.Values{"person_id": {anna.String()}, "relationship": {"head"}, "cohabiting": {"1"}, "address": {"Via Appia 3"}})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "?done=created") {
		t.Fatalf("create: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	page := strings.TrimSuffix(r.Location, "?done=created")
	id := strings.TrimPrefix(page, base+"/")
	must(t, c.get(r.Location), http.StatusOK, "<h1>Nucleo Ferri Anna</h1>", "Nucleo familiare creato.", "Via Appia 3", "Intestatario")

	// Add Ugo found by name; without choosing him first, the message is next to the choice.
	must(t, c.get(page+"?q=Ferri+Ugo"), http.StatusOK, `value="`+ugo.String()+`"`)
	r = c.post(page+"/members", url.Values{"q": {"Ferri Ugo"}, "relationship": {"child"}, "cohabiting": {"1"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-person_id-error"`, "Scegliere la persona tra quelle trovate.")
	r = c.post(page+"/members", url.Values{"q": {"Ferri Ugo"}, "person_id": {ugo.String()}, "relationship": {"child"}, "cohabiting": {"1"}})
	must(t, r, http.StatusSeeOther)
	must(t, c.get(r.Location), http.StatusOK, "Componente aggiunto.", "Ferri Ugo", "Figlio/a")

	// Ugo cannot live in a second household at once: the message names the first.
	r = c.post(base, url.Values{"person_id": {ugo.String()}, "relationship": {"head"}, "cohabiting": {"1"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-cohabiting-error"`, "«Ferri Ugo» convive già nel nucleo «Nucleo Ferri Anna»")

	// ISEE: a wrong protocol is refused next to its field and nothing is recorded.
	must(t, c.get(page+"/isee/new"), http.StatusOK, `name="dsu_protocol"`)
	bad := url.Values{"kind": {"ordinario"}, "value": {"12.345,67"}, "dsu_protocol": {"INPS-2025-1"}, "signed_on": {"2025-01-10"}}
	must(t, c.post(page+"/isee", bad), http.StatusUnprocessableEntity, `id="f-dsu_protocol-error"`,
		"Il protocollo DSU ha la forma INPS-ISEE-AAAA-XXXXXXXXX-NN.", `value="12.345,67"`)
	bad.Set("value", "tanti")
	must(t, c.post(page+"/isee", bad), http.StatusUnprocessableEntity, `id="f-value-error"`)
	good := url.Values{"kind": {"ordinario"}, "value": {"12.345,67"}, "dsu_protocol": {"INPS-ISEE-2025-12345A789-00"}, "signed_on": {"2025-01-10"}}
	r = c.post(page+"/isee", good)
	must(t, r, http.StatusSeeOther)
	must(t, c.get(r.Location), http.StatusOK, "ISEE registrato.", "INPS-ISEE-2025-12345A789-00", "€ 12.345,67", "2025-12-31")

	// Ugo leaves.
	var ugoMember string
	for _, m := range householdMembers(t, a, "latina", id) {
		if m.PersonID == ugo {
			ugoMember = m.ID.String()
		}
	}
	must(t, c.post(page+"/members/"+ugoMember+"/end", url.Values{"to": {"2001-01-01"}}), http.StatusUnprocessableEntity, "La data di fine precede quella di inizio")
	must(t, c.post(page+"/members/"+ugoMember+"/end", url.Values{}), http.StatusSeeOther)
	must(t, c.get(base+"?person="+ugo.String()), http.StatusOK, "Nucleo Ferri Anna", "Figlio/a")

	// Every page showing the household is a read, the refused forms too.
	want := []string{"household.member_added", "household.created", "household.viewed", "household.viewed", "household.viewed",
		"household.member_added", "household.viewed", "isee.viewed", "isee.viewed", "isee.viewed", "isee.recorded",
		"household.viewed", "household.viewed", "household.viewed", "household.member_ended"}
	if diff := cmp.Diff(want, householdTrail(t, "latina", id)); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}

	// An operator without people:read is refused; another ente's operator sees nothing.
	aud := a.client(t)
	aud.login("/t/latina", a.seed(t, "latina", false, "auditor"))
	must(t, aud.get(page), http.StatusForbidden)
	vit := a.client(t)
	vit.login("/t/viterbo", a.seed(t, "viterbo", false, "intake_operator"))
	must(t, vit.get("/t/viterbo/households/"+id), http.StatusNotFound)
	r = vit.get("/t/viterbo/households/" + id + "/isee/new")
	must(t, r, http.StatusNotFound)
	if strings.Contains(r.Body, "Ferri") {
		t.Error("the 404 page names the household's people")
	}
}

// householdMembers reads a household through the API of slug.
func householdMembers(t *testing.T, a *testApp, slug, id string) []struct {
	ID       uuid.UUID `json:"id"`
	PersonID uuid.UUID `json:"person_id"`
} {
	t.Helper()
	tok := a.token(t, slug, a.newAPIClient(t, slug, "intake_operator"))
	r := a.apiCall(t, http.MethodGet, "/t/"+slug+"/api/v1/households/"+id, tok, nil)
	var h struct {
		Members []struct {
			ID       uuid.UUID `json:"id"`
			PersonID uuid.UUID `json:"person_id"`
		} `json:"members"`
	}
	if err := json.Unmarshal([]byte(r.Body), &h); r.Status != http.StatusOK || err != nil {
		t.Fatalf("GET household: %d %v\n%s", r.Status, err, r.Body)
	}
	return h.Members
}

func TestHouseholdAPI(t *testing.T) {
	a := newApp(t)
	tok := a.token(t, "latina", a.newAPIClient(t, "latina", "intake_operator"))
	api := "/t/latina/api/v1/households"
	rita, piero := householdPerson(t, "latina", "Conti", "Rita"), householdPerson(t, "latina", "Conti", "Piero")

	// Invalid input: problem+json with every field.
	r := a.apiCall(t, http.MethodPost, api, tok, map[string]any{"members": []any{
		map[string]any{"person_id": rita.String(), "relationship": "head"},
		map[string]any{"person_id": piero.String(), "relationship": "head"},
	}})
	var prob struct {
		Status int `json:"status"`
		Errors []struct{ Field, Message string }
	}
	if err := json.Unmarshal([]byte(r.Body), &prob); err != nil || r.Status != http.StatusUnprocessableEntity ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") || len(prob.Errors) != 1 || prob.Errors[0].Field != "relationship" {
		t.Fatalf("two heads: %d %s %v\n%s", r.Status, r.Header.Get("Content-Type"), err, r.Body)
	}

	r = a.apiCall(t, http.MethodPost, api, tok, map[string]any{"name": "Famiglia Conti", "members": []any{
		map[string]any{"person_id": rita.String(), "relationship": "head", "cohabiting": true, "from": "2020-01-01"},
		map[string]any{"person_id": piero.String(), "relationship": "spouse", "cohabiting": true, "from": "2020-01-01"},
	}})
	var h struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Members []struct {
			ID           string `json:"id"`
			Relationship string `json:"relationship"`
			To           *string
		} `json:"members"`
	}
	if err := json.Unmarshal([]byte(r.Body), &h); r.Status != http.StatusCreated || err != nil || len(h.Members) != 2 {
		t.Fatalf("create: %d %v\n%s", r.Status, err, r.Body)
	}
	if r.Header.Get("Location") != api+"/"+h.ID {
		t.Errorf("Location %q", r.Header.Get("Location"))
	}
	self := api + "/" + h.ID
	must(t, a.apiCall(t, http.MethodPut, self, tok, map[string]any{"name": "Conti", "address": "Piazza del Popolo 1"}), http.StatusOK, `"address":"Piazza del Popolo 1"`)
	must(t, a.apiCall(t, http.MethodPut, self, tok, map[string]any{"name": ""}), http.StatusUnprocessableEntity, `"field":"name"`)

	// ISEE: validation, then a record and the history.
	r = a.apiCall(t, http.MethodPost, self+"/isee", tok, map[string]any{"kind": "ordinario", "value_cents": 1000000,
		"dsu_protocol": "INPS-ISEE-2024-000000001-00", "year": 2023, "signed_on": "2024-02-01"})
	must(t, r, http.StatusUnprocessableEntity, `"field":"year"`)
	r = a.apiCall(t, http.MethodPost, self+"/isee", tok, map[string]any{"kind": "corrente", "value_cents": 1000000,
		"dsu_protocol": "INPS-ISEE-2024-000000001-00", "signed_on": "2024-02-01"})
	must(t, r, http.StatusCreated, `"year":2024`, `"expires_on":"2024-08-01"`)
	must(t, a.apiCall(t, http.MethodGet, self+"/isee", tok, nil), http.StatusOK, `"dsu_protocol":"INPS-ISEE-2024-000000001-00"`)

	// Piero leaves; he may then be added elsewhere as a cohabitant.
	var piersMember string
	for _, m := range h.Members {
		if m.Relationship == "spouse" {
			piersMember = m.ID
		}
	}
	must(t, a.apiCall(t, http.MethodPut, self+"/members/"+piersMember, tok, map[string]any{"to": "2024-06-01"}), http.StatusOK, `"to":"2024-06-01"`)
	other := a.apiCall(t, http.MethodPost, api, tok, map[string]any{"name": "Altro"})
	var o struct{ ID string }
	_ = json.Unmarshal([]byte(other.Body), &o)
	must(t, a.apiCall(t, http.MethodPost, api+"/"+o.ID+"/members", tok, map[string]any{"person_id": rita.String(), "relationship": "head", "cohabiting": true}),
		http.StatusUnprocessableEntity, `"field":"cohabiting"`)
	must(t, a.apiCall(t, http.MethodPost, api+"/"+o.ID+"/members", tok, map[string]any{"person_id": piero.String(), "relationship": "head", "cohabiting": true, "from": "2024-06-01"}),
		http.StatusCreated)
	must(t, a.apiCall(t, http.MethodGet, api+"?person_id="+piero.String(), tok, nil), http.StatusOK, `"name":"Altro"`, `"name":"Conti"`)
	must(t, a.apiCall(t, http.MethodGet, api, tok, nil), http.StatusUnprocessableEntity, `"field":"person_id"`)

	if diff := cmp.Diff([]string{"household.member_added", "household.member_added", "household.created", "household.updated",
		"isee.recorded", "isee.viewed", "household.member_ended"}, householdTrail(t, "latina", h.ID)); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}

	// Another ente's client: 404; a client without people:write: 403.
	vit := a.token(t, "viterbo", a.newAPIClient(t, "viterbo", "intake_operator"))
	must(t, a.apiCall(t, http.MethodGet, "/t/viterbo/api/v1/households/"+h.ID, vit, nil), http.StatusNotFound)
	must(t, a.apiCall(t, http.MethodPost, "/t/viterbo/api/v1/households/"+h.ID+"/isee", vit, map[string]any{"kind": "corrente", "value_cents": 1,
		"dsu_protocol": "INPS-ISEE-2024-000000001-00", "signed_on": "2024-02-01"}), http.StatusNotFound)
	t.Run("without people:read", func(t *testing.T) {
		aud := a.token(t, "latina", a.newAPIClient(t, "latina", "auditor"))
		must(t, a.apiCall(t, http.MethodGet, self, aud, nil), http.StatusForbidden)
	})
}
