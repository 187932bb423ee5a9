package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/people"
)

// randomName is a surname no other test uses. Its first two consonants
// after the Q (the ones a codice fiscale keeps) come from a counter, so the
// tax codes made from it with taxCode differ within a test run.
func randomName() string {
	const letters = "bcdfglmnprstvz"
	n := int(nameSeq.Add(1))
	var b strings.Builder
	b.WriteString("Qu")
	for i := range 6 {
		c := letters[rand.IntN(len(letters))]
		switch i {
		case 0:
			c = letters[n/len(letters)%len(letters)]
		case 1:
			c = letters[n%len(letters)]
		}
		b.WriteByte(c)
		b.WriteByte("aeiou"[rand.IntN(5)])
	}
	return b.String()
}

// nameSeq numbers the names randomName makes; it starts anywhere.
var nameSeq = func() *atomic.Int64 {
	var n atomic.Int64
	n.Store(rand.Int64N(196))
	return &n
}()

// taxCode is the codice fiscale of a person born in Rome (H501) on
// 1980-01-01 (sex M) with these names.
func taxCode(last, first string) string {
	s := people.SurnameCode(last) + people.NameCode(first) + "80A01H501"
	return s + string(people.CheckChar(s))
}

// personJSON is a person as the API returns it.
type personJSON struct {
	ID            string `json:"id"`
	TaxCode       string `json:"tax_code"`
	ProvisionalID string `json:"provisional_id"`
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	BirthDate     string `json:"birth_date"`
	BirthPlace    string `json:"birth_place"`
	MergedInto    string `json:"merged_into"`
	Version       int    `json:"version"`
}

type problemJSON struct {
	Status      int                 `json:"status"`
	Detail      string              `json:"detail"`
	Errors      []people.FieldError `json:"errors"`
	Confirmable bool                `json:"confirmable"`
	Candidates  []struct {
		Person personJSON `json:"person"`
		Reason string     `json:"reason"`
	} `json:"candidates"`
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("%d, not JSON: %v\n%s", r.Status, err, r.Body)
	}
	return v
}

// personCount counts the ente's people with surname last (merged ones too).
func personCount(t *testing.T, slug, last string) int {
	t.Helper()
	ten, err := svc.Get(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	ctx := context.Background()
	if err := pg.DB.InTenant(ctx, ten.ID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM people WHERE last_name = $1`, last).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPIPeople(t *testing.T) {
	a := newApp(t)
	writer := a.newAPIClient(t, "latina", "intake_operator", "auditor")
	tok := a.token(t, "latina", writer)
	reader := a.token(t, "latina", a.newAPIClient(t, "latina", "administrative"))
	const base = "/t/latina/api/v1/people"

	last := randomName()
	mario := map[string]any{"tax_code": taxCode(last, "Mario"), "first_name": "Mario", "last_name": last, "sex": "M",
		"birth_date": "1980-01-01", "birth_place": "H501"}
	with := func(m map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}

	// Invalid input: 422 with every field, nothing written.
	for _, tc := range []struct {
		name        string
		body        map[string]any
		fields      []string
		confirmable bool
	}{
		{"missing names", with(mario, "first_name", "", "last_name", ""), []string{"last_name", "first_name"}, false},
		{"bad date", with(mario, "birth_date", "1980-02-30"), []string{"birth_date"}, false},
		{"bad check character", with(mario, "tax_code", mario["tax_code"].(string)[:15]+"0"), []string{"tax_code"}, false},
		{"unknown place", with(mario, "birth_place", "Q999"), []string{"birth_place"}, false},
		{"unknown field", with(mario, "nickname", "Super"), []string{"nickname"}, false},
		{"mismatch with the tax code", with(mario, "birth_date", "1981-01-01", "sex", "F"), []string{"birth_date", "sex"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.apiCall(t, http.MethodPost, base, tok, tc.body)
			p := decode[problemJSON](t, r)
			var fields []string
			for _, f := range p.Errors {
				if f.Message == "" {
					t.Errorf("field %s without a message", f.Field)
				}
				fields = append(fields, f.Field)
			}
			if r.Status != http.StatusUnprocessableEntity || r.Header.Get("Content-Type") != "application/problem+json" ||
				!cmp.Equal(fields, tc.fields) || p.Confirmable != tc.confirmable {
				t.Errorf("%d %s fields %v confirmable %v; want 422 problem+json, fields %v, confirmable %v\n%s",
					r.Status, r.Header.Get("Content-Type"), fields, p.Confirmable, tc.fields, tc.confirmable, r.Body)
			}
			if n := personCount(t, "latina", last); n != 0 {
				t.Errorf("%d people written by an invalid request", n)
			}
		})
	}

	// A confirmed mismatch is registered, with the mismatch recorded.
	r := a.apiCall(t, http.MethodPost, base, tok, with(mario, "first_name", "Marco", "tax_code", taxCode(last, "Marco"), "sex", "F", "accept_mismatch", true))
	marco := decode[personJSON](t, r)
	if r.Status != http.StatusCreated || r.Location != "/t/latina/api/v1/people/"+marco.ID || !strings.Contains(r.Body, `"mismatches"`) {
		t.Fatalf("create with accept_mismatch: %d %s\n%s", r.Status, r.Location, r.Body)
	}

	// Mario, another person with the same birth date and a similar name:
	// probable duplicate (409 with the candidate), then forced.
	r = a.apiCall(t, http.MethodPost, base, tok, mario)
	p := decode[problemJSON](t, r)
	if r.Status != http.StatusConflict || len(p.Candidates) != 1 || p.Candidates[0].Person.ID != marco.ID {
		t.Fatalf("duplicate: %d, candidates %+v; want 409 with %s\n%s", r.Status, p.Candidates, marco.ID, r.Body)
	}
	if n := personCount(t, "latina", last); n != 1 {
		t.Fatalf("%d people after a refused duplicate; want 1", n)
	}
	r = a.apiCall(t, http.MethodPost, base, tok, with(mario, "force", true))
	m := decode[personJSON](t, r)
	if r.Status != http.StatusCreated || m.TaxCode != mario["tax_code"] || m.BirthDate != "1980-01-01" || m.Version != 1 {
		t.Fatalf("forced create: %d %+v\n%s", r.Status, m, r.Body)
	}
	// The same tax code twice is never forced.
	r = a.apiCall(t, http.MethodPost, base, tok, with(mario, "force", true))
	if r.Status != http.StatusConflict {
		t.Errorf("same tax code forced: %d; want 409\n%s", r.Status, r.Body)
	}
	// Someone without a tax code gets a provisional identifier.
	r = a.apiCall(t, http.MethodPost, base, tok, map[string]any{"first_name": "Ignota", "last_name": randomName(),
		"sex": "F", "birth_date": "1990-05-05", "birth_place": "Z404"})
	if anon := decode[personJSON](t, r); r.Status != http.StatusCreated || !strings.HasPrefix(anon.ProvisionalID, "PROV-") || anon.TaxCode != "" {
		t.Errorf("create without tax code: %d %+v", r.Status, anon)
	}

	// Search: by tax code prefix, by name with a typo, by birth year.
	type hits struct {
		Items []struct {
			Person personJSON `json:"person"`
		} `json:"items"`
	}
	ids := func(r response) []string {
		var out []string
		for _, h := range decode[hits](t, r).Items {
			out = append(out, h.Person.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"tax code prefix", "?q=" + m.TaxCode[:11], []string{m.ID}},
		{"name with a typo", "?q=" + last[:len(last)-1] + "e+Mario&limit=5", []string{m.ID, marco.ID}},
		{"wrong birth year", "?q=" + last + "&birth_year=1999", nil},
	} {
		t.Run("search "+tc.name, func(t *testing.T) {
			r := a.apiCall(t, http.MethodGet, base+tc.query, reader, nil)
			if got := ids(r); r.Status != http.StatusOK || !cmp.Equal(got, tc.want) {
				t.Errorf("%d %v; want %v\n%s", r.Status, got, tc.want, r.Body)
			}
		})
	}
	r = a.apiCall(t, http.MethodGet, base+"?q=x&birth_year=1500", reader, nil)
	if p := decode[problemJSON](t, r); r.Status != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "birth_year" {
		t.Errorf("bad birth year: %d %+v", r.Status, p)
	}

	// Get and update with the version; a stale version is 409.
	r = a.apiCall(t, http.MethodGet, base+"/"+m.ID, reader, nil)
	if got := decode[personJSON](t, r); r.Status != http.StatusOK || got != m {
		t.Errorf("get: %d %+v; want %+v", r.Status, got, m)
	}
	r = a.apiCall(t, http.MethodPut, base+"/"+m.ID, tok, with(mario, "version", 1, "phone", "+39 06 1234567"))
	if got := decode[personJSON](t, r); r.Status != http.StatusOK || got.Version != 2 {
		t.Fatalf("update: %d %+v\n%s", r.Status, got, r.Body)
	}
	r = a.apiCall(t, http.MethodPut, base+"/"+m.ID, tok, with(mario, "version", 1, "phone", "+39 06 7654321"))
	if r.Status != http.StatusConflict {
		t.Errorf("stale update: %d; want 409\n%s", r.Status, r.Body)
	}
	r = a.apiCall(t, http.MethodPut, base+"/"+m.ID, tok, with(mario, "version", 2, "email", "non-una-mail"))
	if p := decode[problemJSON](t, r); r.Status != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "email" {
		t.Errorf("invalid update: %d %+v", r.Status, p)
	}

	// Permissions: no token 401, read-only 403 on writes, another ente's person 404.
	if r := a.apiCall(t, http.MethodGet, base+"/"+m.ID, "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("without token: %d; want 401", r.Status)
	}
	if r := a.apiCall(t, http.MethodPost, base, reader, with(mario, "force", true)); r.Status != http.StatusForbidden {
		t.Errorf("create without people:write: %d; want 403", r.Status)
	}
	if r := a.apiCall(t, http.MethodGet, base+"/"+m.ID+"/trail", reader, nil); r.Status != http.StatusForbidden {
		t.Errorf("trail without audit:read: %d; want 403", r.Status)
	}
	vtok := a.token(t, "viterbo", a.newAPIClient(t, "viterbo", "intake_operator"))
	r = a.apiCall(t, http.MethodPost, "/t/viterbo/api/v1/people", vtok, with(mario, "force", true))
	v := decode[personJSON](t, r)
	if r.Status != http.StatusCreated {
		t.Fatalf("create in viterbo: %d\n%s", r.Status, r.Body)
	}
	for _, path := range []string{"/" + v.ID, "/" + v.ID + "/versions", "/" + v.ID + "/trail", "/" + uuid.NewString()} {
		if r := a.apiCall(t, http.MethodGet, base+path, tok, nil); r.Status != http.StatusNotFound || strings.Contains(r.Body, v.TaxCode) {
			t.Errorf("GET %s of another ente: %d; want 404 without its data", path, r.Status)
		}
	}
	if r := a.apiCall(t, http.MethodPost, base+"/"+m.ID+"/merge", tok, map[string]any{"drop": v.ID}); r.Status != http.StatusNotFound {
		t.Errorf("merging another ente's person: %d; want 404\n%s", r.Status, r.Body)
	}

	// Merge Marco into Mario: both histories kept, Marco hidden from search.
	r = a.apiCall(t, http.MethodPost, base+"/"+m.ID+"/merge", tok, map[string]any{"drop": marco.ID})
	if got := decode[personJSON](t, r); r.Status != http.StatusOK || got.ID != m.ID || got.Version != 3 {
		t.Fatalf("merge: %d %+v\n%s", r.Status, got, r.Body)
	}
	r = a.apiCall(t, http.MethodGet, base+"/"+marco.ID, tok, nil)
	if got := decode[personJSON](t, r); got.MergedInto != m.ID {
		t.Errorf("merged record: merged_into %q; want %s", got.MergedInto, m.ID)
	}
	if got := ids(a.apiCall(t, http.MethodGet, base+"?q="+last+"+Mar", tok, nil)); !cmp.Equal(got, []string{m.ID}) {
		t.Errorf("search after merge: %v; want only %s", got, m.ID)
	}
	r = a.apiCall(t, http.MethodGet, base+"/"+marco.ID+"/versions", tok, nil)
	vs := decode[struct {
		Items []struct {
			Version int    `json:"version"`
			Action  string `json:"action"`
		} `json:"items"`
	}](t, r)
	if got := fmt.Sprint(vs.Items); got != "[{1 created} {2 merged}]" {
		t.Errorf("versions of the merged record: %s", got)
	}

	// The trail: who looked, from where, newest first.
	r = a.apiCall(t, http.MethodGet, base+"/"+m.ID+"/trail", tok, nil)
	trail := decode[struct {
		Items []struct {
			Action  string    `json:"action"`
			Actor   string    `json:"actor"`
			ActorID uuid.UUID `json:"actor_id"`
			IP      string    `json:"ip"`
		} `json:"items"`
	}](t, r)
	var actions []string
	for _, e := range trail.Items {
		actions = append(actions, e.Action)
	}
	want := []string{"person.viewed", "person.merged", "person.updated", "person.viewed", "person.created"}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("trail actions (-want +got):\n%s", diff)
	}
	if len(trail.Items) > 0 && (trail.Items[0].ActorID != writer.ID || trail.Items[0].IP != "127.0.0.1" || !strings.HasPrefix(trail.Items[0].Actor, "api:")) {
		t.Errorf("newest trail event %+v; want the client %s from 127.0.0.1", trail.Items[0], writer.ID)
	}
}
