package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/pdnd"
	"github.com/sigess/sigess/internal/pdnd/pdndtest"
	"github.com/sigess/sigess/internal/siuss"
	"github.com/sigess/sigess/internal/tenancy"
	"github.com/sigess/sigess/internal/web"
	"github.com/sigess/sigess/internal/web/waas"
)

// fakeFlows keeps flows in memory with siuss.Service's contract: List by
// ts_flusso after since, oldest first; RecordOutcome idempotent, unknown
// id_flusso → ErrNotFound. (internal/siuss's own tests cover the service.)
type fakeFlows struct {
	mu    sync.Mutex
	flows map[uuid.UUID][]siuss.Flow
	calls int
}

func (f *fakeFlows) add(tenant uuid.UUID, fl siuss.Flow) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.flows == nil {
		f.flows = map[uuid.UUID][]siuss.Flow{}
	}
	f.flows[tenant] = append(f.flows[tenant], fl)
	sort.Slice(f.flows[tenant], func(i, j int) bool { return f.flows[tenant][i].TSFlusso.Before(f.flows[tenant][j].TSFlusso) })
}

func (f *fakeFlows) List(_ context.Context, tenant uuid.UUID, flt siuss.Filter) ([]siuss.Flow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []siuss.Flow
	for _, fl := range f.flows[tenant] {
		if fl.TSFlusso.UnixMilli() > flt.Since && (flt.State == "" || fl.State == flt.State) && len(out) < flt.Limit {
			out = append(out, fl)
		}
	}
	return out, nil
}

func (f *fakeFlows) RecordOutcome(_ context.Context, tenant uuid.UUID, id string, o siuss.Outcome) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	for i, fl := range f.flows[tenant] {
		if fl.IDFlusso == id {
			state := siuss.StateAcquired
			if o.Code != siuss.OutcomeOK {
				state = siuss.StateRejected
			}
			if fl.State == state && fl.Outcome != nil && *fl.Outcome == o {
				return false, nil
			}
			fl.State, fl.Outcome = state, &o
			f.flows[tenant][i] = fl
			return true, nil
		}
	}
	return false, siuss.ErrUnknownFlow
}

func (f *fakeFlows) get(tenant uuid.UUID, id string) siuss.Flow {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fl := range f.flows[tenant] {
		if fl.IDFlusso == id {
			return fl
		}
	}
	return siuss.Flow{}
}

// fakeTenants resolves the WaaS tests' enti without the database.
type fakeTenants map[string]*tenancy.Tenant

func (f fakeTenants) Resolve(_ context.Context, slug string) (*tenancy.Tenant, error) {
	if t, ok := f[slug]; ok {
		return t, nil
	}
	return nil, derrors.ErrNotFound
}

type waasApp struct {
	URL     string
	Issuer  *pdndtest.Issuer
	Flows   *fakeFlows
	Tenants fakeTenants
	router  routers.Router
}

func waasAudience(slug string) string { return "https://sigess.test/t/" + slug + "/waas/v1" }

func newWaaSApp(t *testing.T) *waasApp {
	t.Helper()
	is := pdndtest.New(t)
	mk := func(slug, belfiore string, enabled bool) *tenancy.Tenant {
		s := tenancy.DefaultSettings()
		s.WaaS.Enabled = enabled
		s.WaaS.PDND = tenancy.PDND{JWKSURL: is.JWKSURL(), Issuer: is.Issuer, Audience: waasAudience(slug)}
		return &tenancy.Tenant{ID: uuid.New(), Slug: slug, Name: "Comune di " + strings.ToUpper(slug[:1]) + slug[1:],
			Kind: "comune", BelfioreCode: belfiore, Status: tenancy.StatusActive, Settings: s}
	}
	tenants := fakeTenants{"roma": mk("roma", "H501", true), "milano": mk("milano", "F205", true), "latina": mk("latina", "E472", false)}
	unconfigured := mk("rieti", "H282", true)
	unconfigured.Settings.WaaS.PDND = tenancy.PDND{}
	tenants["rieti"] = unconfigured
	flows := &fakeFlows{}
	reg := prometheus.NewRegistry()
	s, err := web.New(web.Options{BaseDomain: "sigess.example.it", Tenants: tenants, Registerer: reg, Gatherer: reg, Version: "test",
		SIUSS: flows, PDND: pdnd.New(pdnd.WithHTTPClient(is.Client()))})
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
		Variables: map[string]*openapi3.ServerVariable{"slug": {Default: "roma"}}}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &waasApp{URL: srv.URL, Issuer: is, Flows: flows, Tenants: tenants, router: router}
}

func (w *waasApp) token(t *testing.T, slug string) string {
	t.Helper()
	return w.Issuer.Voucher(t, "k1", waasAudience(slug), pdndtest.Claims{})
}

// call makes a WaaS request and validates it and its response against
// api-comuni.yaml; a response that is not 2xx must be a Problem too.
func (w *waasApp) call(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	newReq := func() *http.Request {
		req, _ := http.NewRequest(method, w.URL+path, bytes.NewReader(raw))
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return req
	}
	resp, err := http.DefaultClient.Do(newReq())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r := response{Status: resp.StatusCode, Body: string(b), Header: resp.Header}

	ctx := context.Background()
	req := newReq()
	route, params, err := w.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in api-comuni.yaml: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if r.Status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s %s succeeded (%d) with a request the spec forbids: %v", method, path, r.Status, err)
		}
	}
	if err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: r.Status, Header: r.Header,
		Body: io.NopCloser(strings.NewReader(r.Body)),
	}); err != nil {
		t.Errorf("%s %s: response %d does not match the spec: %v\n%s", method, path, r.Status, err, r.Body)
	}
	if r.Status >= 400 {
		problem := route.Spec.Components.Schemas["Problem"].Value
		var v any
		if err := json.Unmarshal(b, &v); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
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

// seedFlows gives roma n flows one ms-or-more apart, starting at base.
func (w *waasApp) seedFlows(slug string, n int, base time.Time) []siuss.Flow {
	ten := w.Tenants[slug]
	var out []siuss.Flow
	for i := 0; i < n; i++ {
		tipo, kind := "PS_PSA_SINA", "PS"
		if i%4 == 3 {
			tipo, kind = "SINBA", "SINBA"
		}
		fl := siuss.Flow{
			IDFlusso: ten.BelfioreCode + "." + kind + "." + base.Format("20060102") + "." + leftPad(i+1),
			Tipo:     tipo, TSFlusso: base.Add(time.Duration(i)*time.Millisecond + time.Duration(i*i)*time.Microsecond).Truncate(time.Millisecond),
			InterventionID: uuid.New(), State: "waiting",
			XML: `<Flusso xmlns="http://inps.it/Casellario"><n>` + leftPad(i+1) + `</n></Flusso>`,
		}
		w.Flows.add(ten.ID, fl)
		out = append(out, fl)
	}
	return out
}

func leftPad(n int) string { return fmt.Sprintf("%07d", n) }

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestWaaSFlussi(t *testing.T) {
	w := newWaaSApp(t)
	tok := w.token(t, "roma")

	// Nothing yet: an empty list.
	if e := decodeEntries(t, w.call(t, http.MethodGet, "/t/roma/waas/v1/flussi?since=0", tok, nil)); len(e.Elenco) != 0 {
		t.Fatalf("empty feed: %d entries", len(e.Elenco))
	}

	base := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	seeded := w.seedFlows("roma", 25, base)
	w.seedFlows("milano", 3, base) // another ente's flows never show on roma

	// Default limit 10, oldest first, each entry as the spec says.
	e := decodeEntries(t, w.call(t, http.MethodGet, "/t/roma/waas/v1/flussi?since=0", tok, nil))
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
		e := decodeEntries(t, w.call(t, http.MethodGet, "/t/roma/waas/v1/flussi?limit=7&since="+strconv.FormatInt(since, 10), tok, nil))
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
	if e := decodeEntries(t, w.call(t, http.MethodGet, "/t/roma/waas/v1/flussi?since=0&limit=100", tok, nil)); len(e.Elenco) != 25 {
		t.Errorf("limit 100: %d entries", len(e.Elenco))
	}
	if e := decodeEntries(t, w.call(t, http.MethodGet, "/t/roma/waas/v1/flussi?since=0&limit=0", tok, nil)); len(e.Elenco) != 0 {
		t.Errorf("limit 0: %d entries", len(e.Elenco))
	}
}

func TestWaaSBadParameters(t *testing.T) {
	w := newWaaSApp(t)
	tok := w.token(t, "roma")
	for _, q := range []string{"", "?since=", "?since=abc", "?since=-1", "?since=1.5", "?since=0&limit=101", "?since=0&limit=-1", "?since=0&limit=ten", "?limit=10"} {
		if r := w.call(t, http.MethodGet, "/t/roma/waas/v1/flussi"+q, tok, nil); r.Status != http.StatusBadRequest {
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
		"wrong issuer":   w.Issuer.Voucher(t, "k1", waasAudience("roma"), pdndtest.Claims{Claims: jwt.Claims{Issuer: "https://evil.test"}}),
		"expired": w.Issuer.Voucher(t, "k1", waasAudience("roma"), pdndtest.Claims{Claims: jwt.Claims{
			Expiry: jwt.NewNumericDate(now.Add(-time.Hour)), IssuedAt: jwt.NewNumericDate(now.Add(-2 * time.Hour)), NotBefore: jwt.NewNumericDate(now.Add(-2 * time.Hour))}}),
	} {
		for _, rq := range []struct{ method, path string }{
			{http.MethodGet, "/t/roma/waas/v1/flussi?since=0"},
			{http.MethodGet, "/t/roma/waas/v1/status"},
			{http.MethodPost, "/t/roma/waas/v1/esiti"},
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
	if r := w.call(t, http.MethodGet, "/t/milano/waas/v1/status", w.token(t, "milano"), nil); r.Status != http.StatusOK {
		t.Errorf("milano status: %d %s", r.Status, r.Body)
	}
	// An ente without WaaS has no such endpoints; one without PDND settings
	// cannot check vouchers.
	if r := w.call(t, http.MethodGet, "/t/latina/waas/v1/flussi?since=0", w.token(t, "latina"), nil); r.Status != http.StatusNotFound {
		t.Errorf("latina (WaaS off): %d, want 404", r.Status)
	}
	if r := w.call(t, http.MethodGet, "/t/rieti/waas/v1/flussi?since=0", w.token(t, "rieti"), nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("rieti (no PDND settings): %d, want 503", r.Status)
	}
}

func TestWaaSKeysDown(t *testing.T) {
	w := newWaaSApp(t)
	w.Issuer.SetDown(true)
	r := w.call(t, http.MethodGet, "/t/roma/waas/v1/flussi?since=0", w.token(t, "roma"), nil)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("JWKS down: %d (Retry-After %q), want 503 with Retry-After", r.Status, r.Header.Get("Retry-After"))
	}
}

func TestWaaSStatus(t *testing.T) {
	w := newWaaSApp(t)
	r := w.call(t, http.MethodGet, "/t/roma/waas/v1/status", w.token(t, "roma"), nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("status: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
}

func TestWaaSEsiti(t *testing.T) {
	w := newWaaSApp(t)
	tok := w.token(t, "roma")
	base := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	fl := w.seedFlows("roma", 2, base)
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	body := map[string]any{"elenco_esiti": []map[string]any{
		{"id_flusso": fl[0].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(fl[0].TSFlusso), "ts_acquisizione": "2026-11-26T10:00:00.000Z",
			"codice_esito": "OK", "id_acquisizione_siuss": "22738"},
		{"id_flusso": fl[1].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(fl[1].TSFlusso), "ts_acquisizione": "2026-11-26T10:00:00.000Z",
			"codice_esito": "RICHIESTA_INVALIDA", "descrizione_esito": "Codice fiscale non valido"},
	}}
	ten := w.Tenants["roma"]
	var states [2][]siuss.Flow
	for i := range 2 { // INPS retries: the same outcomes twice leave the same state
		if r := w.call(t, http.MethodPost, "/t/roma/waas/v1/esiti", tok, body); r.Status != http.StatusNoContent {
			t.Fatalf("esiti (round %d): %d %s", i, r.Status, r.Body)
		}
		states[i] = []siuss.Flow{w.Flows.get(ten.ID, fl[0].IDFlusso), w.Flows.get(ten.ID, fl[1].IDFlusso)}
	}
	a, r := states[1][0], states[1][1]
	if a.State != "acquired" || r.State != "rejected" || r.Outcome == nil || r.Outcome.Description != "Codice fiscale non valido" || a.Outcome.AcquisitionID != "22738" {
		t.Errorf("after esiti: %+v / %+v", a, r)
	}
	if jsonString(states[0]) != jsonString(states[1]) {
		t.Errorf("the second identical esiti changed the state:\n%s\n%s", jsonString(states[0]), jsonString(states[1]))
	}

	// An empty list is fine.
	if r := w.call(t, http.MethodPost, "/t/roma/waas/v1/esiti", tok, map[string]any{"elenco_esiti": []any{}}); r.Status != http.StatusNoContent {
		t.Errorf("empty esiti: %d", r.Status)
	}
	// Bad input: 400, nothing recorded.
	calls := w.Flows.calls
	for name, e := range map[string]map[string]any{
		"no id":        {"tipo": "SINBA", "ts_flusso": ts(base), "ts_acquisizione": ts(base), "codice_esito": "OK"},
		"bad code":     {"id_flusso": fl[0].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(base), "ts_acquisizione": ts(base), "codice_esito": "FORSE"},
		"bad tipo":     {"id_flusso": fl[0].IDFlusso, "tipo": "PS", "ts_flusso": ts(base), "ts_acquisizione": ts(base), "codice_esito": "OK"},
		"bad time":     {"id_flusso": fl[0].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": "ieri", "ts_acquisizione": ts(base), "codice_esito": "OK"},
		"no ts_acquis": {"id_flusso": fl[0].IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(base), "codice_esito": "OK"},
	} {
		r := w.rawPost(t, "/t/roma/waas/v1/esiti", tok, map[string]any{"elenco_esiti": []any{body["elenco_esiti"].([]map[string]any)[0], e}})
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %s", name, r.Status, r.Body)
		}
	}
	if r := w.rawPost(t, "/t/roma/waas/v1/esiti", tok, "not json"); r.Status != http.StatusBadRequest {
		t.Errorf("not json: %d", r.Status)
	}
	if w.Flows.calls != calls {
		t.Errorf("invalid esiti recorded %d outcomes", w.Flows.calls-calls)
	}
	// An id_flusso of another ente is unknown here.
	other := w.seedFlows("milano", 1, base)[0]
	e := map[string]any{"id_flusso": other.IDFlusso, "tipo": "PS_PSA_SINA", "ts_flusso": ts(other.TSFlusso), "ts_acquisizione": ts(base), "codice_esito": "OK"}
	if r := w.call(t, http.MethodPost, "/t/roma/waas/v1/esiti", tok, map[string]any{"elenco_esiti": []any{e}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, other.IDFlusso) {
		t.Errorf("other ente's flow: %d %s", r.Status, r.Body)
	}
	if got := w.Flows.get(w.Tenants["milano"].ID, other.IDFlusso); got.State != "waiting" {
		t.Errorf("milano's flow changed through roma: %+v", got)
	}
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
