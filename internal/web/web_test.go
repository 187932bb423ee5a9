package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sigess/sigess/internal/tenancy"
	"github.com/sigess/sigess/internal/testenv"
	"github.com/sigess/sigess/internal/web"
)

var (
	pg  *testenv.Postgres
	svc *tenancy.Service
)

func TestMain(m *testing.M) {
	ctx := context.Background()
	// Request logs would drown the test output.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	var err error
	if pg, err = testenv.NewPostgres(ctx); err != nil {
		log.Fatal(err)
	}
	svc = tenancy.NewService(pg.DB, nil)
	d, err := tenancy.LoadDir(os.DirFS(filepath.Join(testenv.RepoRoot(), "tenants")), ".")
	if err != nil {
		log.Fatal(err)
	}
	p, err := svc.Plan(ctx, d)
	if err == nil {
		err = svc.Apply(ctx, p)
	}
	if err == nil {
		_, err = svc.SetSettings(ctx, "bagnoregio", []tenancy.KeyValue{{Key: "status", Value: "suspended"}})
	}
	if err != nil {
		log.Fatal(err)
	}
	code := m.Run()
	pg.Close()
	os.Exit(code)
}

type server struct {
	h   http.Handler
	reg *prometheus.Registry
}

func newServer(t *testing.T, checks ...web.Check) server {
	t.Helper()
	reg := prometheus.NewRegistry()
	s, err := web.New(web.Options{
		BaseDomain: "sigess.example.it", Tenants: tenancy.NewResolver(svc, time.Minute), Registry: svc,
		Checks: checks, Registerer: reg, Gatherer: reg, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return server{s.Handler(), reg}
}

func (s server) get(host, path string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Host = host
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

func TestTenantResolution(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name, host, path string
		status           int
		contains         string
	}{
		{"path prefix", "sigess.example.it", "/t/roma/", 200, "Municipio XV"},
		{"host name", "roma.sigess.example.it", "/", 200, "Municipio XV"},
		{"host name with port", "latina.sigess.example.it:8080", "/", 200, "Comune di Latina"},
		{"ambito", "sigess.example.it", "/t/ambito-lt1/", 200, "Ambito territoriale sociale"},
		{"unknown slug", "sigess.example.it", "/t/atlantide/", 404, "Pagina non trovata"},
		{"unknown host", "atlantide.sigess.example.it", "/", 404, "Pagina non trovata"},
		{"suspended names the ente", "sigess.example.it", "/t/bagnoregio/", 403, "Comune di Bagnoregio"},
		{"suspended by host", "bagnoregio.sigess.example.it", "/", 403, "è sospeso"},
		{"unknown page of a tenant", "sigess.example.it", "/t/roma/nope", 404, "Pagina non trovata"},
		{"platform home", "sigess.example.it", "/?q=latina", 200, "/t/latina/"},
		{"other domain is not a tenant", "roma.example.org", "/", 200, "Servizi sociali dei comuni"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := s.get(tc.host, tc.path)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.contains) {
				t.Errorf("GET %s%s = %d, want %d containing %q\n%s", tc.host, tc.path, w.Code, tc.status, tc.contains, w.Body.String())
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q; want an HTML page", ct)
			}
		})
	}
}

func TestProblemJSON(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/t/atlantide/api/v1/ente", 404},
		{"/t/bagnoregio/api/v1/ente", 403},
		{"/t/roma/api/v1/nothing", 404},
	} {
		w := s.get("sigess.example.it", tc.path)
		var p struct {
			Title     string `json:"title"`
			Status    int    `json:"status"`
			Detail    string `json:"detail"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatalf("%s: %v\n%s", tc.path, err, w.Body)
		}
		if w.Code != tc.status || p.Status != tc.status || p.Title == "" || p.RequestID == "" ||
			w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s = %d %q %+v; want %d problem+json", tc.path, w.Code, w.Header().Get("Content-Type"), p, tc.status)
		}
	}
	w := s.get("sigess.example.it", "/t/roma/api/v1/ente")
	var ente map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &ente); err != nil || ente["belfiore_code"] != "H501" || ente["istat_code"] != "058091" {
		t.Errorf("roma's ente = %d %s", w.Code, w.Body)
	}
	if _, leaked := ente["settings"]; leaked {
		t.Error("the public ente description exposes settings")
	}
}

// TestCrossTenantNoLeak: every tenant route answered for one ente shows that
// ente's data only, by path and by host.
func TestCrossTenantNoLeak(t *testing.T) {
	s := newServer(t)
	for _, path := range []string{"/", "/api/v1/ente"} {
		roma := s.get("roma.sigess.example.it", path).Body.String()
		latina := s.get("latina.sigess.example.it", path).Body.String()
		if strings.Contains(latina, "Roma") || strings.Contains(latina, "H501") || strings.Contains(roma, "E472") {
			t.Errorf("%s: one ente's page shows the other's data", path)
		}
		// Under Latina's host, Roma's path is not found: a host names one ente.
		if w := s.get("latina.sigess.example.it", "/t/roma"+path); w.Code != 404 || strings.Contains(w.Body.String(), "H501") {
			t.Errorf("%s: host latina with path /t/roma = %d; want 404", path, w.Code)
		}
	}
}

func TestSecurityHeadersAndRequestID(t *testing.T) {
	s := newServer(t)
	w := s.get("sigess.example.it", "/t/roma/", "X-Request-Id", "abc-123")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if w.Header().Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
	if got := w.Header().Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("X-Request-Id = %q; want the proxy's abc-123", got)
	}
	if got := s.get("sigess.example.it", "/", "X-Request-Id", "<script>").Header().Get("X-Request-Id"); got == "<script>" || got == "" {
		t.Errorf("a malformed request id was echoed: %q", got)
	}
}

func TestReadyz(t *testing.T) {
	ok := web.Check{Name: "postgres", Ping: func(ctx context.Context) error { return pg.DB.Pool.Ping(ctx) }}
	down := web.Check{Name: "redis", Ping: func(ctx context.Context) error { return errors.New("connection refused") }}
	if w := newServer(t, ok).get("x", "/readyz"); w.Code != 200 || !strings.Contains(w.Body.String(), `"postgres":"ok"`) {
		t.Errorf("readyz with everything up = %d %s", w.Code, w.Body)
	}
	w := newServer(t, ok, down).get("x", "/readyz")
	if w.Code != 503 || !strings.Contains(w.Body.String(), "connection refused") {
		t.Errorf("readyz with redis down = %d %s; want 503 naming redis", w.Code, w.Body)
	}
	if w := newServer(t, down).get("roma.sigess.example.it", "/healthz"); w.Code != 200 {
		t.Errorf("healthz = %d; want 200 whatever the dependencies", w.Code)
	}
}

func TestMetricsByRoute(t *testing.T) {
	s := newServer(t)
	s.get("sigess.example.it", "/t/roma/")
	s.get("latina.sigess.example.it", "/")
	s.get("sigess.example.it", "/t/atlantide/")
	s.get("sigess.example.it", "/no/such/page")
	want := `
# HELP sigess_http_requests_total HTTP requests by route, method and status.
# TYPE sigess_http_requests_total counter
sigess_http_requests_total{method="GET",route="/t/:slug/",status="200"} 2
sigess_http_requests_total{method="GET",route="/t/:slug/",status="404"} 1
sigess_http_requests_total{method="GET",route="unmatched",status="404"} 1
`
	if err := testutil.GatherAndCompare(s.reg, strings.NewReader(want), "sigess_http_requests_total"); err != nil {
		t.Error(err)
	}
	body := s.get("x", "/metrics").Body.String()
	if !strings.Contains(body, "sigess_http_request_duration_seconds") {
		t.Error("/metrics does not serve the HTTP metrics")
	}
}
