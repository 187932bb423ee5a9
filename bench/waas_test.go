package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/pdnd"
	"github.com/sigess/sigess/internal/pdnd/pdndtest"
	"github.com/sigess/sigess/internal/siuss"
	"github.com/sigess/sigess/internal/tenancy"
	"github.com/sigess/sigess/internal/testenv"
	"github.com/sigess/sigess/internal/web"
)

// backlog is the number of flows INPS drains in BenchmarkWaaSPoll.
const backlog = 100_000

// waasBacklog is a database whose one ente has backlog SIUSS flows waiting.
type waasBacklog struct {
	pg     *testenv.Postgres
	tenant uuid.UUID
}

var waasFixture fixture[waasBacklog]

// fillBacklog writes backlog flows of one ente, each with the XML of a real
// activation flow (internal/siuss's golden file), one ms apart. They are
// written as the superuser with foreign keys off (session_replication_role):
// a flow names the intervention event it came from, and making 100,000
// interventions through the service would time the fixture, not the poll.
func fillBacklog() (waasBacklog, error) {
	ctx := context.Background()
	pg, err := testenv.NewPostgres(ctx)
	if err != nil {
		return waasBacklog{}, err
	}
	atExit(pg.Close)
	xml, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "internal/siuss/testdata/activation_sina.golden.xml"))
	if err != nil {
		return waasBacklog{}, err
	}
	tenant := uuid.New()
	err = pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('12', 'lazio', 'Lazio')`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, istat_code, belfiore_code, region_code)
			VALUES ($1, 'roma', 'Comune di Roma', 'comune', '058091', 'H501', '12')`, tenant)
		return err
	})
	if err != nil {
		return waasBacklog{}, err
	}
	conn, err := pgx.Connect(ctx, fmt.Sprintf(superuserURL, pg.Name))
	if err != nil {
		return waasBacklog{}, fmt.Errorf("backlog: superuser: %w", err)
	}
	defer conn.Close(ctx)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO siuss_flows (tenant_id, id_flusso, tipo, ts_flusso, intervention_id, event_seq, operation, tipo_operazione, xml)
			SELECT $1, 'H501.PS.20261126.' || lpad(n::text, 7, '0'), 'PS_PSA_SINA',
				'2026-11-26 08:00:00+01'::timestamptz + n * interval '1 millisecond', $1, n, 'activation', 'I', $2
			FROM generate_series(1, $3::int) AS n`, tenant, string(xml), backlog)
		return err
	})
	if err == nil {
		_, err = pg.Admin.Exec(ctx, `VACUUM ANALYZE siuss_flows`)
	}
	return waasBacklog{pg: pg, tenant: tenant}, err
}

// superuserURL is the PostgreSQL superuser over TCP, as scripts/services.sh
// reaches it on development and CI machines.
const superuserURL = "postgres://postgres@127.0.0.1:5432/%s?sslmode=disable"

// oneEnte resolves the benchmark's ente without the registry: resolution
// has its own benchmark (BenchmarkResolve).
type oneEnte struct{ t *tenancy.Tenant }

func (o oneEnte) Resolve(_ context.Context, slug string) (*tenancy.Tenant, error) {
	if slug != o.t.Slug {
		return nil, derrors.ErrNotFound
	}
	return o.t, nil
}

// BenchmarkWaaSPoll is INPS draining an ente's backlog of 100,000 SIUSS flows
// through GET /t/roma/waas/v1/flussi?since=…&limit=100 as it polls: each page
// after the last ts_flusso of the one before, until the empty list, over HTTP
// (a local server), with a PDND voucher verified on every request. One
// iteration is the whole drain. Reports flows and requests per second.
func BenchmarkWaaSPoll(b *testing.B) {
	bl := waasFixture.get(b, fillBacklog)
	is := pdndtest.New(b)
	audience := "https://sigess.test/t/roma/waas/v1"
	settings := tenancy.DefaultSettings()
	settings.Modules.SIUSS, settings.WaaS.Enabled = true, true
	settings.WaaS.PDND = tenancy.PDND{JWKSURL: is.JWKSURL(), Issuer: is.Issuer, Audience: audience}
	ente := &tenancy.Tenant{ID: bl.tenant, Slug: "roma", Name: "Comune di Roma", Kind: "comune", BelfioreCode: "H501",
		Status: tenancy.StatusActive, Settings: settings}
	reg := prometheus.NewRegistry()
	srv, err := web.New(web.Options{BaseDomain: "localhost", Tenants: oneEnte{ente}, Registerer: reg, Gatherer: reg,
		SIUSS: siuss.NewService(bl.pg.DB), PDND: pdnd.New(pdnd.WithHTTPClient(is.Client()))})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	token := is.Voucher(b, "k1", audience, pdndtest.Claims{})
	client := ts.Client()

	var requests, flows int
	start := time.Now()
	for b.Loop() {
		since := int64(0)
		for {
			req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/t/roma/waas/v1/flussi?since=%d&limit=100", ts.URL, since), nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var page struct {
				Flows []struct {
					TSFlusso time.Time `json:"ts_flusso"`
					Flusso   string    `json:"flusso"`
				} `json:"elenco_flussi"`
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("GET flussi since %d: %d %v", since, resp.StatusCode, err)
			}
			requests++
			if len(page.Flows) == 0 {
				break
			}
			flows += len(page.Flows)
			since = page.Flows[len(page.Flows)-1].TSFlusso.UnixMilli()
		}
	}
	if flows != backlog*b.N {
		b.Fatalf("drained %d flows in %d runs; want %d each", flows, b.N, backlog)
	}
	took := time.Since(start).Seconds()
	b.ReportMetric(float64(flows)/took, "flows/s")
	b.ReportMetric(float64(requests)/took, "requests/s")
}
