package bench

import (
	"context"
	"testing"

	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/tenancy"
)

// BenchmarkProvisionAll provisions every comune of the ISTAT list into an empty
// database, as `sigess tenants provision-istat --all` does on a new platform.
// Target: under 60 s on a 2-core machine. Making and dropping the database is
// not timed.
func BenchmarkProvisionAll(b *testing.B) {
	ctx := context.Background()
	comuni := istat.All()
	n := 0
	for b.Loop() {
		b.StopTimer()
		pg := newPostgres(b)
		svc := tenancy.NewService(pg.DB, nil)
		b.StartTimer()

		res, err := svc.ProvisionISTAT(ctx, comuni, nil)

		b.StopTimer()
		pg.Close()
		if err != nil {
			b.Fatal(err)
		}
		if res.Created != len(comuni) || res.Existing != 0 {
			b.Fatalf("provisioned %+v, want %d created", res, len(comuni))
		}
		n++
		b.StartTimer()
	}
	b.ReportMetric(float64(n*len(comuni))/b.Elapsed().Seconds(), "comuni/s")
}
