package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/tenancy"
)

// intakeUnits gives the ente slug a PUA and a social service unit of their
// own (the test enti have only offices) and returns their ids.
func intakeUnits(t *testing.T, slug string) (pua, social uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	ten, err := svc.Get(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	suffix := uuid.NewString()[:6]
	var ids []uuid.UUID
	for _, kind := range []string{"pua", "social_service"} {
		u, err := svc.SaveUnit(ctx, ten.ID, tenancy.Unit{UnitSpec: tenancy.UnitSpec{Code: strings.ReplaceAll(kind, "_", "-") + "-" + suffix, Kind: kind, Name: kind + " " + suffix}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	return ids[0], ids[1]
}

// countRows counts the rows of the ente slug that q selects.
func countRows(t *testing.T, slug, q string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	ten, _ := svc.Get(ctx, slug)
	var n int
	if err := pg.DB.InTenant(ctx, ten.ID, func(tx pgx.Tx) error { return tx.QueryRow(ctx, q, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

var draftStep = regexp.MustCompile(`/accesses/drafts/([0-9a-f-]{36})/([a-z]+)$`)

// TestAccessWizard records an access step by step up to a proposal, which
// opens a case, and another up to a referral to the health service; an
// invalid step is shown again with its message and writes nothing.
func TestAccessWizard(t *testing.T) {
	a := newApp(t)
	pua, social := intakeUnits(t, "latina")
	ctx := context.Background()
	ten, _ := svc.Get(ctx, "latina")
	op := a.seed(t, "latina", false, "intake_operator")
	if err := pg.DB.InTenant(ctx, ten.ID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO operator_units (tenant_id, operator_id, unit_id) VALUES ($1, $2, $3)`, ten.ID, op.ID, pua)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	person := householdPerson(t, "latina", "Quagliarella", "Teresa")
	c := a.client(t)
	c.login("/t/latina", op)
	base := "/t/latina/accesses"
	mine := `SELECT count(*) FROM accesses WHERE operator_id = $1`

	must(t, c.get(base+"/new"), http.StatusOK, `aria-current="step"`, "pua ")

	interlocutor := url.Values{"unit_id": {pua.String()}, "occurred_at": {"2024-03-01T10:30"}, "channel": {"in_person"},
		"interlocutor": {"relative"}, "reason": {"spontaneous"}}
	bad := url.Values{}
	for k, v := range interlocutor {
		bad[k] = v
	}
	bad.Del("interlocutor") // and no name of the relative: two messages
	r := c.post(base+"/new", bad)
	must(t, r, http.StatusUnprocessableEntity, `id="f-interlocutor-error"`, "Indicare chi si è rivolto al servizio.")
	if n := countRows(t, "latina", mine, op.ID); n != 0 {
		t.Fatalf("an invalid first step wrote %d accesses", n)
	}
	interlocutor.Set("interlocutor_name", "Marco Quagliarella")
	r = c.post(base+"/new", interlocutor)
	m := draftStep.FindStringSubmatch(r.Location)
	if r.Status != http.StatusSeeOther || m == nil || m[2] != "person" {
		t.Fatalf("first step: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	draft := base + "/drafts/" + m[1] + "/"

	// The person: searched, chosen, with the consent.
	must(t, c.get(draft+"person?q=Quagliarella"), http.StatusOK, "Quagliarella Teresa", `value="`+person.String()+`"`)
	must(t, c.post(draft+"person", url.Values{"consent_given": {"1"}}), http.StatusUnprocessableEntity,
		`id="f-person_id-error"`, `id="f-consent_scope-error"`)
	steps := []struct {
		step string
		form url.Values
	}{
		{"person", url.Values{"person_id": {person.String()}, "consent_given": {"1"}, "consent_scope": {"presa in carico"}}},
		{"reference", url.Values{}},
		{"needs", url.Values{"needs": {"elderly", "disability"}}},
		{"services", url.Values{"services": {"home_care"}}},
		{"outcome", url.Values{"outcome": {"proposal"}, "proposal_unit": {social.String()}, "outcome_notes": {"vive sola"}}},
	}
	for i, st := range steps {
		if st.step == "needs" {
			// No area of need: shown again, and the draft stays at this step.
			must(t, c.post(draft+"needs", url.Values{}), http.StatusUnprocessableEntity, `id="f-needs-error"`)
			if n := countRows(t, "latina", `SELECT count(*) FROM accesses WHERE id = $1 AND step = 'needs' AND needs = '{}'`, m[1]); n != 1 {
				t.Fatalf("an invalid needs step changed the draft (%d)", n)
			}
		}
		c.get(draft + st.step)
		r := c.post(draft+st.step, st.form)
		next := "confirm"
		if i+1 < len(steps) {
			next = steps[i+1].step
		}
		if r.Status != http.StatusSeeOther || r.Location != draft+next {
			t.Fatalf("step %s: %d %s\n%s", st.step, r.Status, r.Location, r.Body)
		}
	}
	must(t, c.get(draft+"confirm"), http.StatusOK, "Proposta di presa in carico", "Anziani, Disabilità", "presa in carico")
	if n := countRows(t, "latina", `SELECT count(*) FROM cases WHERE person_id = $1`, person); n != 0 {
		t.Fatalf("a case was opened before the access was confirmed (%d)", n)
	}
	r = c.post(draft+"confirm", nil)
	if r.Status != http.StatusSeeOther || r.Location != base+"/"+m[1]+"?done=created" {
		t.Fatalf("confirm: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	must(t, c.get(r.Location), http.StatusOK, "Accesso registrato.", "/cases/", "Quagliarella Teresa")
	if n := countRows(t, "latina", `SELECT count(*) FROM cases WHERE person_id = $1 AND unit_id = $2`, person, social); n != 1 {
		t.Fatalf("the proposal opened %d cases in the social service; want 1", n)
	}
	must(t, c.get(base+"?mine=1"), http.StatusOK, "Quagliarella Teresa", "Proposta di presa in carico")
	// A confirmed access is no longer a draft of the wizard.
	must(t, c.get(draft+"person"), http.StatusNotFound)

	// A second access, referred to the health service.
	r = c.post(base+"/new", interlocutor)
	m = draftStep.FindStringSubmatch(r.Location)
	if m == nil {
		t.Fatalf("second access: %d %s", r.Status, r.Location)
	}
	draft = base + "/drafts/" + m[1] + "/"
	for _, st := range []struct {
		step string
		form url.Values
	}{
		{"person", url.Values{"person_id": {person.String()}}},
		{"reference", url.Values{"reference_name": {"Marco"}}},
		{"needs", url.Values{"needs": {"addiction"}}},
		{"services", url.Values{}},
	} {
		c.get(draft + st.step)
		if r := c.post(draft+st.step, st.form); r.Status != http.StatusSeeOther {
			t.Fatalf("step %s: %d\n%s", st.step, r.Status, r.Body)
		}
	}
	c.get(draft + "outcome")
	must(t, c.post(draft+"outcome", url.Values{"outcome": {"referral"}, "target_kind": {"health_service"}}),
		http.StatusUnprocessableEntity, `id="f-health_service-error"`, `id="f-referral_reason-error"`)
	r = c.post(draft+"outcome", url.Values{"outcome": {"referral"}, "target_kind": {"health_service"},
		"health_service": {"SerD ASL Latina"}, "referral_reason": {"dipendenza da alcol"}})
	must(t, r, http.StatusSeeOther)
	c.get(draft + "confirm")
	must(t, c.post(draft+"confirm", nil), http.StatusSeeOther)
	must(t, c.get("/t/latina/referrals?box=outgoing"), http.StatusOK, "SerD ASL Latina", "dipendenza da alcol", "In attesa di risposta")
	if n := countRows(t, "latina", `SELECT count(*) FROM referrals WHERE person_id = $1 AND target_kind = 'health_service'`, person); n != 1 {
		t.Fatalf("%d referrals to the health service; want 1", n)
	}
	if got := accessTrail(t, "latina", "access", m[1]); !cmp.Equal(got, []string{"access.created"}) {
		t.Errorf("trail of the access: %v", got)
	}
}

// accessTrail is the actions of the audit events on one object.
func accessTrail(t *testing.T, slug, typ, id string) []string {
	t.Helper()
	ctx := context.Background()
	ten, _ := svc.Get(ctx, slug)
	var out []string
	if err := pg.DB.InTenant(ctx, ten.ID, func(tx pgx.Tx) error {
		rs, err := tx.Query(ctx, `SELECT action FROM audit_events WHERE object_type = $1 AND object_id = $2 ORDER BY seq`, typ, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rs, pgx.RowTo[string])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAccessAPI records accesses through the API (held to the OpenAPI
// document), accepts one, and answers a referral; bad input is a problem
// listing the fields and writes nothing; another ente's token gets 404.
func TestAccessAPI(t *testing.T) {
	a := newApp(t)
	pua, social := intakeUnits(t, "latina")
	person := householdPerson(t, "latina", "Bonetti", "Ugo")
	tok := a.token(t, "latina", a.newAPIClient(t, "latina", "intake_operator"))
	api := "/t/latina/api/v1"
	all := `SELECT count(*) FROM accesses WHERE person_id = $1`

	body := map[string]any{"unit_id": pua, "channel": "phone", "interlocutor": "self", "reason": "spontaneous",
		"person_id": person, "needs": []string{"poverty_adults"}, "outcome": "referral",
		"referral": map[string]any{"target_kind": "unit", "target_unit": social, "reason": "valutazione"}}
	bad := map[string]any{"unit_id": pua, "channel": "fax", "interlocutor": "self", "reason": "spontaneous",
		"person_id": person, "needs": []string{}, "outcome": "information"}
	r := a.apiCall(t, http.MethodPost, api+"/accesses", tok, bad)
	var problem struct {
		Errors []struct{ Field string } `json:"errors"`
	}
	_ = json.Unmarshal([]byte(r.Body), &problem)
	var fields []string
	for _, f := range problem.Errors {
		fields = append(fields, f.Field)
	}
	if r.Status != http.StatusUnprocessableEntity || !cmp.Equal(fields, []string{"channel", "needs"}) {
		t.Fatalf("bad access: %d, fields %v\n%s", r.Status, fields, r.Body)
	}
	r = a.apiCall(t, http.MethodPost, api+"/accesses", tok, map[string]any{"unit_id": pua, "channel": "phone", "interlocutor": "self",
		"reason": "spontaneous", "person_id": person, "needs": []string{"elderly"}, "outcome": "referral",
		"referral": map[string]any{"target_kind": "ente", "target_ente": "nessuno", "reason": "x"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"target_ente"`) {
		t.Fatalf("unknown ente: %d\n%s", r.Status, r.Body)
	}
	if n := countRows(t, "latina", all, person); n != 0 {
		t.Fatalf("invalid accesses wrote %d rows", n)
	}

	// An API client records an access of its own.
	r = a.apiCall(t, http.MethodPost, api+"/accesses", tok, body)
	must(t, r, http.StatusCreated, `"state":"created"`)
	if n := countRows(t, "latina", `SELECT count(*) FROM accesses WHERE person_id = $1 AND author_kind = 'api_client'`, person); n != 1 {
		t.Fatalf("accesses recorded by the API client: %d, want 1", n)
	}

	// The rest of the path on an access recorded at the desk.
	op := a.seed(t, "latina", false, "intake_operator")
	created := recordAccess(t, "latina", op.ID, pua, access.Input{UnitID: pua, Channel: "phone", Interlocutor: "self",
		Reason: "spontaneous", PersonID: person, Needs: []string{"poverty_adults"}, Outcome: "referral",
		Referral: access.ReferralTo{Kind: "unit", UnitID: &social, Reason: "valutazione"}})
	id := created.ID.String()
	must(t, a.apiCall(t, http.MethodGet, api+"/accesses/"+id, tok, nil), http.StatusOK, `"state":"created"`, `"valutazione"`)
	must(t, a.apiCall(t, http.MethodGet, api+"/accesses?state=created", tok, nil), http.StatusOK, id)

	must(t, a.apiCall(t, http.MethodPost, api+"/accesses/"+id+"/state", tok, map[string]any{"state": "rejected"}),
		http.StatusUnprocessableEntity, `"reason"`)
	must(t, a.apiCall(t, http.MethodPost, api+"/accesses/"+id+"/state", tok, map[string]any{"state": "accepted"}),
		http.StatusOK, `"state":"accepted"`)
	must(t, a.apiCall(t, http.MethodPost, api+"/accesses/"+id+"/state", tok, map[string]any{"state": "rejected", "reason": "ripensamento"}),
		http.StatusConflict)

	ref := created.Referrals[0].ID.String()
	if created.Referrals[0].State != "sent" {
		t.Fatalf("referral of the access: %+v", created.Referrals[0])
	}
	must(t, a.apiCall(t, http.MethodGet, api+"/referrals?box=incoming", tok, nil), http.StatusOK, ref)
	must(t, a.apiCall(t, http.MethodPost, api+"/referrals/"+ref+"/answer", tok, map[string]any{"accept": false}),
		http.StatusUnprocessableEntity, `"reason"`)
	must(t, a.apiCall(t, http.MethodPost, api+"/referrals/"+ref+"/answer", tok, map[string]any{"accept": true, "reason": "presa visione"}),
		http.StatusOK, `"state":"accepted"`)
	must(t, a.apiCall(t, http.MethodPost, api+"/referrals/"+ref+"/answer", tok, map[string]any{"accept": false, "reason": "no davvero"}),
		http.StatusConflict)

	// A referral to another ente, named by its slug, reaches that ente.
	must(t, a.apiCall(t, http.MethodPost, api+"/referrals", tok, map[string]any{"access_id": id, "target_kind": "ente",
		"target_ente": "viterbo", "reason": "trasferimento"}), http.StatusCreated, `"direction":"sent"`)
	vit := a.token(t, "viterbo", a.newAPIClient(t, "viterbo", "intake_operator"))
	must(t, a.apiCall(t, http.MethodGet, "/t/viterbo/api/v1/referrals?box=incoming", vit, nil), http.StatusOK, "Bonetti Ugo", "trasferimento")

	// Another ente's client: nothing here.
	must(t, a.apiCall(t, http.MethodGet, "/t/viterbo/api/v1/accesses/"+id, vit, nil), http.StatusNotFound)
	must(t, a.apiCall(t, http.MethodPost, "/t/viterbo/api/v1/accesses/"+id+"/state", vit, map[string]any{"state": "accepted"}), http.StatusNotFound)
	// An auditor neither reads nor records accesses.
	t.Run("auditor", func(t *testing.T) {
		aud := a.token(t, "latina", a.newAPIClient(t, "latina", "auditor"))
		must(t, a.apiCall(t, http.MethodPost, api+"/accesses", aud, body), http.StatusForbidden)
		must(t, a.apiCall(t, http.MethodGet, api+"/accesses", aud, nil), http.StatusForbidden)
	})
}

// TestAccessPagesForbidden: an operator without accesses:write (an auditor)
// gets 403 on the wizard and the list.
func TestAccessPagesForbidden(t *testing.T) {
	a := newApp(t)
	aud := a.seed(t, "latina", false, "auditor")
	c := a.client(t)
	c.login("/t/latina", aud)
	for _, path := range []string{"/t/latina/accesses/new", "/t/latina/accesses", "/t/latina/referrals"} {
		if r := c.get(path); r.Status != http.StatusForbidden {
			t.Errorf("GET %s as auditor: %d; want 403", path, r.Status)
		}
	}
	if r := c.post("/t/latina/accesses/new", url.Values{"channel": {"phone"}}); r.Status != http.StatusForbidden {
		t.Errorf("POST as auditor: %d; want 403", r.Status)
	}
}

// recordAccess records a whole access of operator (who is made to work at
// desk) through the domain, as the wizard's last step does.
func recordAccess(t *testing.T, slug string, operator, desk uuid.UUID, in access.Input) *access.Access {
	t.Helper()
	ctx := context.Background()
	ten, _ := svc.Get(ctx, slug)
	if err := pg.DB.InTenant(ctx, ten.ID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO operator_units (tenant_id, operator_id, unit_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, ten.ID, operator, desk)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ppl := people.NewService(pg.DB)
	a, err := access.NewService(pg.DB, ppl, casefile.NewService(pg.DB, ppl)).Create(ctx, ten.ID, in,
		access.Viewer{ID: operator, Email: "test", Perms: map[string]bool{"accesses:write": true, "cases:write": true}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
