package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/tenancy"
	"github.com/sigess/sigess/internal/testenv"
	"github.com/sigess/sigess/internal/web"
)

// platform is a database holding the first n comuni as tenants, and their slugs
// in a fixed random order, so that consecutive requests go to unrelated tenants.
type platform struct {
	svc   *tenancy.Service
	slugs []string
}

var platforms = map[int]*fixture[platform]{10: {}, 7904: {}}

func provisioned(b *testing.B, n int) platform {
	return platforms[n].get(b, func() (platform, error) {
		ctx := context.Background()
		comuni := istat.All()
		if n > len(comuni) {
			return platform{}, fmt.Errorf("%d tenants asked, the ISTAT list has %d comuni", n, len(comuni))
		}
		pg, err := testenv.NewPostgres(ctx)
		if err != nil {
			return platform{}, err
		}
		atExit(pg.Close)
		svc := tenancy.NewService(pg.DB, nil)
		if _, err := svc.ProvisionISTAT(ctx, comuni[:n], nil); err != nil {
			return platform{}, err
		}
		ts, err := svc.List(ctx, "")
		if err != nil {
			return platform{}, err
		}
		p := platform{svc: svc}
		for _, t := range ts {
			p.slugs = append(p.slugs, t.Slug)
		}
		if len(p.slugs) != n {
			return platform{}, fmt.Errorf("%d tenants provisioned, want %d", len(p.slugs), n)
		}
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(p.slugs), func(i, j int) { p.slugs[i], p.slugs[j] = p.slugs[j], p.slugs[i] })
		return p, nil
	})
}

// tenantCounts are the platform sizes compared: a pilot and all of Italy.
// Target: the time per request at 7,904 tenants under 1.5 times that at 10.
var tenantCounts = []int{10, 7904}

// BenchmarkResolve is one full request for an ente's public identity,
// GET /t/{slug}/api/v1/ente, through the server's handler (router, middleware,
// tenant resolution, JSON) with every tenant already in the resolver's cache,
// cycling through all the tenants. No network: the handler is called directly.
func BenchmarkResolve(b *testing.B) {
	for _, n := range tenantCounts {
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			p := provisioned(b, n)
			resolver := tenancy.NewResolver(p.svc, time.Hour) // nothing expires during the run
			reg := prometheus.NewRegistry()
			srv, err := web.New(web.Options{BaseDomain: "localhost", Tenants: resolver, Registry: p.svc,
				Registerer: reg, Gatherer: reg})
			if err != nil {
				b.Fatal(err)
			}
			h := srv.Handler()
			paths := make([]string, len(p.slugs))
			for i, s := range p.slugs {
				paths[i] = "/t/" + s + "/api/v1/ente"
			}
			get := func(path string) {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
				}
			}
			for _, path := range paths { // warm the cache
				get(path)
			}
			i := 0
			for b.Loop() {
				get(paths[i%len(paths)])
				i++
			}
		})
	}
}

// BenchmarkResolveCache is the tenant lookup alone, Resolver.Resolve with a warm
// cache, to tell the cache's share of BenchmarkResolve from the rest of the
// request.
func BenchmarkResolveCache(b *testing.B) {
	ctx := context.Background()
	for _, n := range tenantCounts {
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			p := provisioned(b, n)
			resolver := tenancy.NewResolver(p.svc, time.Hour)
			for _, s := range p.slugs {
				if _, err := resolver.Resolve(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
			i := 0
			for b.Loop() {
				if _, err := resolver.Resolve(ctx, p.slugs[i%len(p.slugs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
