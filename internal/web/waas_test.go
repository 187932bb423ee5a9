package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/pdnd"
	"github.com/sigess/sigess/internal/pdnd/pdndtest"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/siuss"
	"github.com/sigess/sigess/internal/tenancy"
	"github.com/sigess/sigess/internal/testenv"
	"github.com/sigess/sigess/internal/web"
	"github.com/sigess/sigess/internal/web/waas"
)

// waasApp is a Server with the WaaS feed over the real parts: the ente
// registry and resolver, siuss.Service on the package's database, and PDND
// vouchers verified against pdndtest's JWKS server.
type waasApp struct {
	URL    string
	Issuer *pdndtest.Issuer
	Flows  *siuss.Service
	// Enti are this app's own enti, by the name the tests use: roma and
	// milano serve the feed, off has WaaS off, unconfigured has WaaS on
	// without PDND settings.
	Enti   map[string]*tenancy.Tenant
	router routers.Router
}

func waasAudience(slug string) string { return "https://sigess.test/t/" + slug + "/waas/v1" }

// waasEnteSeq makes the WaaS enti's slugs and ISTAT codes unique in the
// package's database, so that each test starts from enti without flows and
// the enti of the other tests (latina, viterbo) are left alone.
var waasEnteSeq atomic.Int32

func newWaaSApp(t *testing.T) *waasApp {
	t.Helper()
	is := pdndtest.New(t)
	enti := newWaaSEnti(t, is)
	flows := siuss.NewService(pg.DB)
	reg := prometheus.NewRegistry()
	s, err := web.New(web.Options{BaseDomain: "sigess.example.it", Tenants: tenancy.NewResolver(svc, time.Minute),
		Registerer: reg, Gatherer: reg, Version: "test", SIUSS: flows, PDND: pdnd.New(pdnd.WithHTTPClient(is.Client()))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	doc, err := openapi3.NewLoader().LoadFromData(waas.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("api-comuni.yaml is invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: srv.URL + "/t/{slug}/waas/v1",
		Variables: map[string]*openapi3.ServerVariable{"slug": {Default: enti["roma"].Slug}}}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &waasApp{URL: srv.URL, Issuer: is, Flows: flows, Enti: enti, router: router}
}

// newWaaSEnti creates the app's enti in the registry, as `sigess tenants
// apply` would, and saves their WaaS settings as `sigess tenants set` does.
func newWaaSEnti(t *testing.T, is *pdndtest.Issuer) map[string]*tenancy.Tenant {
	t.Helper()
	ctx := context.Background()
	type spec struct {
		name, belfiore string
		enabled, pdnd  bool
	}
	specs := []spec{{"roma", "H501", true, true}, {"milano", "F205", true, true}, {"off", "E472", false, true}, {"unconfigured", "H282", true, false}}
	desired := &tenancy.Desired{}
	slugs := map[string]string{}
	for _, sp := range specs {
		n := waasEnteSeq.Add(1)
		slugs[sp.name] = fmt.Sprintf("waas-%s-%d", sp.name, n)
		desired.Enti = append(desired.Enti, &tenancy.DesiredEnte{File: slugs[sp.name] + ".yaml", Units: tenancy.DefaultUnits,
			Tenant: tenancy.Tenant{Slug: slugs[sp.name], Name: "Comune di " + strings.ToUpper(sp.name[:1]) + sp.name[1:],
				// No comune has ISTAT code 99xxxx: the console's provisioning never meets these enti.
				Kind: tenancy.KindComune, ISTATCode: fmt.Sprintf("99%04d", n), BelfioreCode: sp.belfiore,
				Region: "12", Status: tenancy.StatusActive, Members: []string{}, Settings: tenancy.DefaultSettings()}})
	}
	p, err := svc.Plan(ctx, desired)
	if err == nil {
		err = svc.Apply(ctx, p)
	}
	if err != nil {
		t.Fatal(err)
	}
	enti := map[string]*tenancy.Tenant{}
	for _, sp := range specs {
		kvs := []tenancy.KeyValue{{Key: "waas.enabled", Value: strconv.FormatBool(sp.enabled)}}
		if sp.pdnd {
			kvs = append(kvs, tenancy.KeyValue{Key: "waas.pdnd.jwks_url", Value: is.JWKSURL()},
				tenancy.KeyValue{Key: "waas.pdnd.issuer", Value: is.Issuer},
				tenancy.KeyValue{Key: "waas.pdnd.audience", Value: waasAudience(slugs[sp.name])})
		}
		if _, err := svc.SetSettings(ctx, slugs[sp.name], kvs); err != nil {
			t.Fatal(err)
		}
		if enti[sp.name], err = svc.Get(ctx, slugs[sp.name]); err != nil {
			t.Fatal(err)
		}
	}
	return enti
}

// path is the WaaS endpoint rest (/flussi?since=0) of the ente the tests
// call name.
func (w *waasApp) path(name, rest string) string {
	return "/t/" + w.Enti[name].Slug + "/waas/v1" + rest
}

// token is a voucher for the e-service of the ente the tests call name.
func (w *waasApp) token(t *testing.T, name string) string {
	t.Helper()
	return w.Issuer.Voucher(t, "k1", waasAudience(w.Enti[name].Slug), pdndtest.Claims{})
}

// call makes a WaaS request and validates it and its response against
// api-comuni.yaml; a response that is not 2xx must be a Problem too.
func (w *waasApp) call(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	c := &client{t: t, http: &http.Client{}}
	r, route := specCall(t, w.router, c.do, w.URL+path, method, token, body, nil)
	if r.Status >= 400 {
		problem := route.Spec.Components.Schemas["Problem"].Value
		var v any
		if err := json.Unmarshal([]byte(r.Body), &v); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s: %d is not problem+json: %s %s", method, path, r.Status, r.Header.Get("Content-Type"), r.Body)
		} else if err := problem.VisitJSON(v); err != nil {
			t.Errorf("%s %s: %d is not a Problem: %v", method, path, r.Status, err)
		}
	}
	return r
}

type waasEntries struct {
	Elenco []struct {
		CodiceEnte        string `json:"codice_ente"`
		DenominazioneEnte string `json:"denominazione_ente"`
		IDFlusso          string `json:"id_flusso"`
		TSFlusso          string `json:"ts_flusso"`
		Tipo              string `json:"tipo"`
		Flusso            string `json:"flusso"`
	} `json:"elenco_flussi"`
}

func decodeEntries(t *testing.T, r response) waasEntries {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var e waasEntries
	if err := json.Unmarshal([]byte(r.Body), &e); err != nil || e.Elenco == nil {
		t.Fatalf("decode %v (elenco_flussi must be a list, also when empty): %s", err, r.Body)
	}
	return e
}

// seedFlows gives the ente name n flows of a new intervention, one per
// event, one ms or more apart from base on, as internal/siuss stores them
// (its own tests cover the generation; here the rows are what the feed
// serves). Every fourth is a SINBA flow.
func (w *waasApp) seedFlows(t *testing.T, name string, n int, base time.Time) []siuss.Flow {
	t.Helper()
	ctx := context.Background()
	ten := w.Enti[name]
	it := waasIntervention(t, ten)
	xml := map[string]string{"PS_PSA_SINA": waasGolden(t, "activation_sina"), "SINBA": waasGolden(t, "minor_sinba")}
	var out []siuss.Flow
	err := pg.DB.InTenant(ctx, ten.ID, func(tx pgx.Tx) error {
		// Numbering goes on from the ente's flows, so that a second call
		// makes ids and times of its own.
		var have, seq int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM siuss_flows`).Scan(&have); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT max(seq) FROM intervention_events WHERE intervention_id = $1`, it).Scan(&seq); err != nil {
			return err
		}
		for i := range n {
			k := have + i
			tipo, kind, tipoOp := "PS_PSA_SINA", "PS", "I"
			if k%4 == 3 {
				tipo, kind, tipoOp = "SINBA", "SINBA", ""
			}
			if i > 0 { // the first flow is of event 1, the request; the others of events added here
				seq++
				if _, err := tx.Exec(ctx, `INSERT INTO intervention_events (tenant_id, intervention_id, seq, kind, from_state, to_state, by_id, snapshot)
					SELECT tenant_id, intervention_id, $2, 'changed', to_state, to_state, by_id, snapshot
					FROM intervention_events WHERE intervention_id = $1 AND seq = 1`, it, seq); err != nil {
					return fmt.Errorf("event %d: %w", seq, err)
				}
			}
			fl := siuss.Flow{
				IDFlusso: ten.BelfioreCode + "." + kind + "." + base.Format("20060102") + "." + leftPad(k+1), Tipo: tipo,
				TSFlusso:       base.Add(time.Duration(k)*time.Millisecond + time.Duration(k*k)*time.Microsecond).Truncate(time.Millisecond),
				InterventionID: it, EventSeq: seq, State: siuss.StateWaiting, XML: xml[tipo],
			}
			if _, err := tx.Exec(ctx, `INSERT INTO siuss_flows (tenant_id, id_flusso, tipo, ts_flusso, intervention_id, event_seq,
					operation, tipo_operazione, xml) VALUES ($1, $2, $3, $4, $5, $6, 'change', $7, $8)`,
				ten.ID, fl.IDFlusso, fl.Tipo, fl.TSFlusso, it, seq, tipoOp, fl.XML); err != nil {
				return fmt.Errorf("flow %s: %w", fl.IDFlusso, err)
			}
			out = append(out, fl)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waasIntervention requests an intervention in ten through the real
// services — a person, a case, a catalogue entry — and returns its id: its
// event 1 is the request.
func waasIntervention(t *testing.T, ten *tenancy.Tenant) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	p, _, err := people.NewService(pg.DB).Create(ctx, ten.ID, people.Input{FirstName: "Ada", LastName: "Flusso" + randomName(),
		Sex: "F", BirthDate: people.Date{Year: 1950, Month: 3, Day: 3}, BirthPlace: ten.BelfioreCode}, people.Actor{Email: "test"}, true)
	if err != nil {
		t.Fatal(err)
	}
	units, err := svc.Units(ctx, ten.ID)
	if err != nil || len(units) == 0 {
		t.Fatalf("units of %s: %v %v", ten.Slug, units, err)
	}
	v := casefile.Viewer{Email: "test", Perms: map[string]bool{"cases:read_all": true, "cases:write": true, authz.PermInterventionsRequest: true}}
	cases := casefile.NewService(pg.DB, nil)
	c, err := cases.Open(ctx, ten.ID, casefile.OpenInput{PersonID: p.ID, UserArea: "elderly", UnitID: units[0].ID}, v)
	if err != nil {
		t.Fatal(err)
	}
	entry := uuid.New()
	err = pg.DB.InTenant(ctx, ten.ID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO catalog_entries (tenant_id, id, name, inps_code, user_area, unit,
				means_test, isee_threshold, share_ente, share_user, share_health, character)
			VALUES ($1, $2, 'Contributo affitto', 'A1.04', '3', 'euro', '1', 15000, 100, 0, 0, '2')`, ten.ID, entry)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	it, err := interventions.NewService(pg.DB, cases).Create(ctx, ten.ID, interventions.NewIntervention{PersonID: p.ID, CaseID: c.ID,
		CatalogEntryID: entry, Data: interventions.Data{StartDate: people.Date{Year: 2026, Month: 11, Day: 1}}}, v)
	if err != nil {
		t.Fatal(err)
	}
	return it.ID
}

// waasGolden is internal/siuss's golden flow name, as INPS gets it.
func waasGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "internal", "siuss", "testdata", name+".golden.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func leftPad(n int) string { return fmt.Sprintf("%07d", n) }

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestWaaSFlussi(t *testing.T) {
	w := newWaaSApp(t)
	tok := w.token(t, "roma")

	// Nothing yet: an empty list.
	if e := decodeEntries(t, w.call(t, http.MethodGet, w.path("roma", "/flussi?since=0"), tok, nil)); len(e.Elenco) != 0 {
		t.Fatalf("empty feed: %d entries", len(e.Elenco))
	}

	base := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	seeded := w.seedFlows(t, "roma", 25, base)
	w.seedFlows(t, "milano", 3, base) // another ente's flows never show on roma

	// Default limit 10, oldest first, each entry as the spec says.
	e := decodeEntries(t, w.call(t, http.MethodGet, w.path("roma", "/flussi?since=0"), tok, nil))
	if len(e.Elenco) != 10 {
		t.Fatalf("default limit: %d entries, want 10", len(e.Elenco))
	}
	first := e.Elenco[0]
	xml, _ := base64.StdEncoding.DecodeString(first.Flusso)
	if first.CodiceEnte != "H501" || first.DenominazioneEnte != "Comune di Roma" || first.IDFlusso != seeded[0].IDFlusso ||
		first.TSFlusso != "2026-11-26T09:30:00.000Z" || first.Tipo != "PS_PSA_SINA" || string(xml) != seeded[0].XML {
		t.Errorf("first entry = %+v (xml %s)", first, xml)
	}

	// Paging with since: INPS passes the last ts_flusso it got, in ms.
	var got []string
	since := int64(0)
	for page := 0; page < 10; page++ {
		e := decodeEntries(t, w.call(t, http.MethodGet, w.path("roma", "/flussi?limit=7&since=")+strconv.FormatInt(since, 10), tok, nil))
		if len(e.Elenco) == 0 {
			break
		}
		if len(e.Elenco) > 7 {
			t.Fatalf("limit 7: %d entries", len(e.Elenco))
		}
		for _, en := range e.Elenco {
			ts, err := time.Parse(time.RFC3339Nano, en.TSFlusso)
			if err != nil || ts.UnixMilli() <= since {
				t.Fatalf("entry %s at %s is not after since %d (%v)", en.IDFlusso, en.TSFlusso, since, err)
			}
			since = ts.UnixMilli()
			got = append(got, en.IDFlusso)
		}
	}
	if len(got) != 25 {
		t.Fatalf("paging returned %d flows, want 25: %v", len(got), got)
	}
	for i, id := range got {
		if id != seeded[i].IDFlusso {
			t.Fatalf("flow %d is %s, want %s (oldest first)", i, id, seeded[i].IDFlusso)
		}
	}

	// limit=100 is the most; 0 asks for nothing.
	if e := decodeEntries(t, w.call(t, http.MethodGet, w.path("roma", "/flussi?since=0&limit=100"), tok, nil)); len(e.Elenco) != 25 {
		t.Errorf("limit 100: %d entries", len(e.Elenco))
	}
	if e := decodeEntries(t, w.call(t, http.MethodGet, w.path("roma", "/flussi?since=0&limit=0"), tok, nil)); len(e.Elenco) != 0 {
		t.Errorf("limit 0: %d entries", len(e.Elenco))
	}
}

func TestWaaSBadParameters(t *testing.T) {
	w := newWaaSApp(t)
	tok := w.token(t, "roma")
	for _, q := range []string{"", "?since=", "?since=abc", "?since=-1", "?since=1.5", "?since=0&limit=101", "?since=0&limit=-1", "?since=0&limit=ten", "?limit=10"} {
		if r := w.call(t, http.MethodGet, w.path("roma", "/flussi"+q), tok, nil); r.Status != http.StatusBadRequest {
			t.Errorf("flussi%s: %d, want 400: %s", q, r.Status, r.Body)
		}
	}
}

func TestWaaSAuthentication(t *testing.T) {
	w := newWaaSApp(t)
	now := time.Now()
	for name, tok := range map[string]string{
		"missing":        "",
		"garbage":        "abc.def.ghi",
		"other audience": w.token(t, "milano"), // a voucher for milano's e-service
		"wrong issuer":   w.Issuer.Voucher(t, "k1", waasAudience(w.Enti["roma"].Slug), pdndtest.Claims{Claims: jwt.Claims{Issuer: "https://evil.test"}}),
		"expired": w.Issuer.Voucher(t, "k1", waasAudience(w.Enti["roma"].Slug), pdndtest.Claims{Claims: jwt.Claims{
			Expiry: jwt.NewNumericDate(now.Add(-time.Hour)), IssuedAt: jwt.NewNumericDate(now.Add(-2 * time.Hour)), NotBefore: jwt.NewNumericDate(now.Add(-2 * time.Hour))}}),
	} {
		for _, rq := range []struct{ method, path string }{
			{http.MethodGet, w.path("roma", "/flussi?since=0")},
			{http.MethodGet, w.path("roma", "/status")},
			{http.MethodPost, w.path("roma", "/esiti")},
		} {
			var body any
			if rq.method == http.MethodPost {
				body = map[string]any{"elenco_esiti": []any{}}
			}
			r := w.call(t, rq.method, rq.path, tok, body)
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: %s %s = %d, want 401 with a Bearer challenge: %s", name, rq.method, rq.path, r.Status, r.Body)
			}
		}
	}
	// milano's own voucher works on milano.
	if r := w.call(t, http.MethodGet, w.path("milano", "/status"), w.token(t, "milano"), nil); r.Status != http.StatusOK {
		t.Errorf("milano status: %d %s", r.Status, r.Body)
	}
	// An ente without WaaS has no such endpoints; one without PDND settings
	// cannot check vouchers.
	if r := w.call(t, http.MethodGet, w.path("off", "/flussi?since=0"), w.token(t, "off"), nil); r.Status != http.StatusNotFound {
		t.Errorf("WaaS off: %d, want 404", r.Status)
	}
	if r := w.call(t, http.MethodGet, w.path("unconfigured", "/flussi?since=0"), w.token(t, "unconfigured"), nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("no PDND settings: %d, want 503", r.Status)
	}
}

func TestWaaSKeysDown(t *testing.T) {
	w := newWaaSApp(t)
	w.Issuer.SetDown(true)
	r := w.call(t, http.MethodGet, w.path("roma", "/flussi?since=0"), w.token(t, "roma"), nil)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("JWKS down: %d (Retry-After %q), want 503 with Retry-After", r.Status, r.Header.Get("Retry-After"))
	}
}

func TestWaaSStatus(t *testing.T) {
	w := newWaaSApp(t)
	r := w.call(t, http.MethodGet, w.path("roma", "/status"), w.token(t, "roma"), nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("status: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
}

func TestWaaSEsiti(t *testing.T) {
	w := newWaaSApp(t)
	tok := w.token(t, "roma")
	base := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	fl := w.seedFlows(t, "roma", 2, base)
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	body := map[string]any{"elenco_esiti": []map[string]any{
		{"id_flusso": fl[0].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(fl[0].TSFlusso), "ts_acquisizione": "2026-11-26T10:00:00.000Z",
			"codice_esito": "OK", "id_acquisizione_siuss": "22738"},
		{"id_flusso": fl[1].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(fl[1].TSFlusso), "ts_acquisizione": "2026-11-26T10:00:00.000Z",
			"codice_esito": "RICHIESTA_INVALIDA", "descrizione_esito": "Codice fiscale non valido"},
	}}
	var states [2][]storedFlow
	for i := range 2 { // INPS retries: the same outcomes twice leave the same state
		if r := w.call(t, http.MethodPost, w.path("roma", "/esiti"), tok, body); r.Status != http.StatusNoContent {
			t.Fatalf("esiti (round %d): %d %s", i, r.Status, r.Body)
		}
		states[i] = w.stored(t, "roma", fl[0].IDFlusso, fl[1].IDFlusso)
	}
	a, r := states[1][0], states[1][1]
	if a.State != "acquired" || r.State != "rejected" || r.Outcome == nil || r.Outcome.Description != "Codice fiscale non valido" ||
		a.Outcome == nil || a.Outcome.AcquisitionID != "22738" {
		t.Errorf("after esiti: %+v / %+v", a, r)
	}
	if jsonString(states[0]) != jsonString(states[1]) {
		t.Errorf("the second identical esiti changed the state:\n%s\n%s", jsonString(states[0]), jsonString(states[1]))
	}

	// An empty list is fine.
	if r := w.call(t, http.MethodPost, w.path("roma", "/esiti"), tok, map[string]any{"elenco_esiti": []any{}}); r.Status != http.StatusNoContent {
		t.Errorf("empty esiti: %d", r.Status)
	}
	// Bad input: 400, nothing recorded. The valid esito next to the bad one
	// would change fl[0] if it were recorded before the whole list is checked.
	before := w.stored(t, "roma", fl[0].IDFlusso, fl[1].IDFlusso)
	valid := map[string]any{"id_flusso": fl[0].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(fl[0].TSFlusso), "ts_acquisizione": ts(base),
		"codice_esito": "DATI_NON_TROVATI", "descrizione_esito": "Beneficiario non trovato"}
	for name, e := range map[string]map[string]any{
		"no id":        {"tipo": "SINBA", "ts_flusso": ts(base), "ts_acquisizione": ts(base), "codice_esito": "OK"},
		"bad code":     {"id_flusso": fl[0].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(base), "ts_acquisizione": ts(base), "codice_esito": "FORSE"},
		"bad tipo":     {"id_flusso": fl[0].IDFlusso, "tipo": "PS", "ts_flusso": ts(base), "ts_acquisizione": ts(base), "codice_esito": "OK"},
		"bad time":     {"id_flusso": fl[0].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": "ieri", "ts_acquisizione": ts(base), "codice_esito": "OK"},
		"no ts_acquis": {"id_flusso": fl[0].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(base), "codice_esito": "OK"},
	} {
		r := w.rawPost(t, w.path("roma", "/esiti"), tok, map[string]any{"elenco_esiti": []any{valid, e}})
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %s", name, r.Status, r.Body)
		}
	}
	if r := w.rawPost(t, w.path("roma", "/esiti"), tok, "not json"); r.Status != http.StatusBadRequest {
		t.Errorf("not json: %d", r.Status)
	}
	if after := w.stored(t, "roma", fl[0].IDFlusso, fl[1].IDFlusso); jsonString(after) != jsonString(before) {
		t.Errorf("invalid esiti recorded outcomes:\n%s\n%s", jsonString(before), jsonString(after))
	}
	// An id_flusso of another ente is unknown here.
	other := w.seedFlows(t, "milano", 1, base)[0]
	e := map[string]any{"id_flusso": other.IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(other.TSFlusso), "ts_acquisizione": ts(base), "codice_esito": "OK"}
	if r := w.call(t, http.MethodPost, w.path("roma", "/esiti"), tok, map[string]any{"elenco_esiti": []any{e}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, other.IDFlusso) {
		t.Errorf("other ente's flow: %d %s", r.Status, r.Body)
	}
	if got := w.stored(t, "milano", other.IDFlusso)[0]; got.State != siuss.StateWaiting || got.Outcome != nil {
		t.Errorf("milano's flow changed through roma: %+v", got)
	}
}

// storedFlow is what the database holds of a flow's outcome.
type storedFlow struct {
	IDFlusso, State string
	Outcome         *siuss.Outcome // with when it came
}

// stored reads the flows ids of the ente name as they are in the database.
func (w *waasApp) stored(t *testing.T, name string, ids ...string) []storedFlow {
	t.Helper()
	var out []storedFlow
	for _, id := range ids {
		f, err := w.Flows.Get(context.Background(), w.Enti[name].ID, id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, storedFlow{IDFlusso: f.IDFlusso, State: f.State, Outcome: f.Outcome})
	}
	return out
}

// rawPost posts body (JSON-encoded unless a string) without spec validation
// of the request, for the bad requests; the response must still be a Problem.
func (w *waasApp) rawPost(t *testing.T, path, token string, body any) response {
	t.Helper()
	raw, ok := body.(string)
	if !ok {
		raw = jsonString(body)
	}
	req, _ := http.NewRequest(http.MethodPost, w.URL+path, strings.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v any
	if err := json.Unmarshal(b, &v); err != nil || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("POST %s: %d is not problem+json: %s", path, resp.StatusCode, b)
	}
	return response{Status: resp.StatusCode, Body: string(b), Header: resp.Header}
}
