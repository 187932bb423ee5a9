package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
)

var personLink = regexp.MustCompile(`^/t/latina/people/([0-9a-f-]{36})\?done=created$`)

func TestPersonPages(t *testing.T) {
	a := newApp(t)
	intake := a.seed(t, "latina", false, "intake_operator", "auditor")
	c := a.client(t)
	c.login("/t/latina", intake)
	must(t, c.get("/t/latina/"), http.StatusOK, `href="/t/latina/people"`)

	last := randomName()
	form := func(kv ...string) url.Values {
		f := url.Values{"tax_code": {taxCode(last, "Mario")}, "last_name": {last}, "first_name": {"Mario"}, "sex": {"M"},
			"birth_date": {"1980-01-01"}, "birth_place": {"Roma (RM)"}, "citizenship": {"380"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}

	// Invalid: the message next to the field, nothing written.
	must(t, c.get("/t/latina/people/new"), http.StatusOK, `id="f-tax_code"`, `id="f-birth_place"`)
	r := c.post("/t/latina/people", form("first_name", "", "birth_date", "31/02/1980"))
	must(t, r, http.StatusUnprocessableEntity, `id="f-first_name-error"`, "Indica il nome.", `id="f-birth_date-error"`)
	if n := personCount(t, "latina", last); n != 0 {
		t.Fatalf("%d people after an invalid form", n)
	}

	// A mismatch with the tax code: shown next to the field with the box to
	// confirm; confirmed, saved.
	r = c.post("/t/latina/people", form("sex", "F"))
	must(t, r, http.StatusUnprocessableEntity, `id="f-sex-error"`, "Il sesso non corrisponde al codice fiscale", `name="accept_mismatch"`)
	if n := personCount(t, "latina", last); n != 0 {
		t.Fatalf("%d people after an unconfirmed mismatch", n)
	}
	r = c.post("/t/latina/people", form("sex", "F", "accept_mismatch", "1"))
	m := personLink.FindStringSubmatch(r.Location)
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("confirmed create: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	first := m[1]
	must(t, c.get(r.Location), http.StatusOK, "Persona registrata.", "Roma (RM)", "Differenze dal codice fiscale confermate")

	// A probable duplicate: listed with a link; created anyway.
	c.get("/t/latina/people/new")
	r = c.post("/t/latina/people", form("first_name", "Maria", "tax_code", ""))
	must(t, r, http.StatusConflict, "potrebbe essere già registrata", `href="/t/latina/people/`+first+`"`, `name="force"`)
	r = c.post("/t/latina/people", form("first_name", "Maria", "tax_code", "", "force", "1"))
	m = personLink.FindStringSubmatch(r.Location)
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create anyway: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	second := m[1]
	if n := personCount(t, "latina", last); n != 2 {
		t.Fatalf("%d people; want 2", n)
	}

	// Search: by tax code prefix and by name with a typo.
	for _, q := range []string{taxCode(last, "Mario")[:9], strings.ToLower(last[:len(last)-1]) + "x mario"} {
		must(t, c.get("/t/latina/people?q="+url.QueryEscape(q)), http.StatusOK, `href="/t/latina/people/`+first+`"`)
	}
	must(t, c.get("/t/latina/people?q=x&birth_year=12"), http.StatusUnprocessableEntity, `id="f-birth_year-error"`)

	// Edit: saved, with a new version.
	must(t, c.get("/t/latina/people/"+first+"/edit"), http.StatusOK, `name="version" value="1"`)
	r = c.post("/t/latina/people/"+first, form("sex", "F", "accept_mismatch", "1", "version", "1", "phone", "06 1234567"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.Status, r.Body)
	}
	r = c.post("/t/latina/people/"+first, form("sex", "F", "accept_mismatch", "1", "version", "1", "phone", "06 7654321"))
	must(t, r, http.StatusConflict, "modificata da qualcun altro")

	// Merge: find the other record, confirm with both shown, merged.
	must(t, c.get("/t/latina/people/"+first+"/merge?q="+last), http.StatusOK, `?drop=`+second+`"`)
	must(t, c.get("/t/latina/people/"+first+"/merge?drop="+second), http.StatusOK, "Conferma l&#39;unificazione", last+" Maria", last+" Mario")
	r = c.post("/t/latina/people/"+first+"/merge", url.Values{"drop": {second}})
	if r.Status != http.StatusSeeOther || r.Location != "/t/latina/people/"+first+"?done=merged" {
		t.Fatalf("merge: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	must(t, c.get("/t/latina/people/"+second), http.StatusOK, "è stata unificata in un&#39;altra", `href="/t/latina/people/`+first+`"`)
	c.get("/t/latina/people/" + first)
	must(t, c.post("/t/latina/people/"+first+"/merge", url.Values{"drop": {second}}), http.StatusConflict, "unificata")

	// The record page is one person.viewed event, with the operator and the
	// address, and shows who looked.
	ten, _ := svc.Get(context.Background(), "latina")
	before := trailOf(t, ten.ID, first)
	page := c.get("/t/latina/people/" + first)
	must(t, page, http.StatusOK, "Chi ha consultato questa scheda", intake.Email)
	after := trailOf(t, ten.ID, first)
	if len(after) != len(before)+1 {
		t.Fatalf("%d events after a page view; want %d", len(after), len(before)+1)
	}
	if e := after[0]; e.Action != "person.viewed" || e.ActorID != intake.ID || e.Actor != intake.Email || e.IP != "127.0.0.1" {
		t.Errorf("event of the page view: %+v; want person.viewed by %s from 127.0.0.1", e.Event, intake.Email)
	}

	// Another ente's person: 404; an unknown id: 404.
	for _, path := range []string{"/t/latina/people/" + uuid.NewString(), "/t/latina/people/nope"} {
		must(t, c.get(path), http.StatusNotFound)
	}

	// An administrative officer reads but may not register (403).
	adm := a.seed(t, "latina", false, "administrative")
	ac := a.client(t)
	ac.login("/t/latina", adm)
	must(t, ac.get("/t/latina/people/"+first), http.StatusOK)
	must(t, ac.get("/t/latina/people/new"), http.StatusForbidden)
	ac.get("/t/latina/people")
	must(t, ac.post("/t/latina/people", form("force", "1")), http.StatusForbidden)
	if strings.Contains(ac.get("/t/latina/people/"+first).Body, "Chi ha consultato") {
		t.Error("the trail is shown without audit:read")
	}
}

// trailOf is the audit trail of a person, newest first.
func trailOf(t *testing.T, tenant uuid.UUID, id string) []audit.Record {
	t.Helper()
	var rs []audit.Record
	ctx := context.Background()
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		rs, err = audit.List(ctx, tx, tenant, audit.Filter{ObjectType: "person", ObjectID: id})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestPersonCreateReturnsToTheWizard: registered from an intake step, the
// operator goes back to that step with the new person found; a next outside
// the ente is ignored.
func TestPersonCreateReturnsToTheWizard(t *testing.T) {
	a := newApp(t)
	intake := a.seed(t, "latina", false, "intake_operator")
	c := a.client(t)
	c.login("/t/latina", intake)
	last := randomName()
	cf := taxCode(last, "Mario")
	form := url.Values{"tax_code": {cf}, "last_name": {last}, "first_name": {"Mario"}, "sex": {"M"},
		"birth_date": {"1980-01-01"}, "birth_place": {"Roma (RM)"}, "citizenship": {"380"}}
	step := "/t/latina/accesses/drafts/" + uuid.NewString() + "/person"
	must(t, c.get("/t/latina/people/new?next="+url.QueryEscape(step)), http.StatusOK, `name="next" value="`+step+`"`)
	form.Set("next", step)
	if r := c.post("/t/latina/people", form); r.Status != http.StatusSeeOther || r.Location != step+"?q="+cf {
		t.Errorf("create from the wizard: %d %s; want back to %s?q=%s", r.Status, r.Location, step, cf)
	}
	c.get("/t/latina/people/new")
	other := randomName()
	form.Set("tax_code", taxCode(other, "Luca"))
	form.Set("last_name", other)
	form.Set("first_name", "Luca")
	form.Set("next", "https://example.org/")
	if r := c.post("/t/latina/people", form); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/t/latina/people/") {
		t.Errorf("create with a foreign next: %d %s; want the new person's page", r.Status, r.Location)
	}
}
