package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
)

// Audit writers: how many write at once, and for how long each side runs.
const (
	auditWriters  = 16
	auditDuration = 5 * time.Second
)

// BenchmarkAuditWrites is many operators of one ente each committing a
// transaction that writes one audit event, as every read of a case does: the
// ente's trail (audit.Write, tenantLanes lanes) against the same writes to a
// console's trail (audit.WriteConsole, one lane, the same code and an
// identical table), auditWriters at once for auditDuration each. The ratio is
// what the lanes give: a writer of a one-lane trail waits for the commit of
// the writer before it, a writer of the ente's trail for a lane's.
func BenchmarkAuditWrites(b *testing.B) {
	ctx := context.Background()
	pg := newPostgres(b)
	defer pg.Close()
	tenant := pg.NewTenant(b)
	d, err := db.Open(ctx, pg.RuntimeURL, auditWriters)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	event := func(i int64) audit.Event {
		return audit.Event{Action: "case.viewed", ActorID: uuid.New(), Actor: "assistente@roma.example.it",
			ObjectType: "case", ObjectID: fmt.Sprint(i), IP: "10.0.0.7", Details: map[string]any{"via": "page"}}
	}
	ente := func(ctx context.Context, i int64) error {
		return d.InTenant(ctx, tenant, func(tx pgx.Tx) error { return audit.Write(ctx, tx, tenant, event(i)) })
	}
	console := func(ctx context.Context, i int64) error {
		return d.InRegion(ctx, "12", func(tx pgx.Tx) error { return audit.WriteConsole(ctx, tx, "12", event(i)) })
	}
	var enteRate, consoleRate float64
	for b.Loop() {
		if enteRate, err = auditRate(ctx, ente); err != nil {
			b.Fatal(err)
		}
		if consoleRate, err = auditRate(ctx, console); err != nil {
			b.Fatal(err)
		}
	}
	// Every event is in its trail, and the trails hold.
	err = d.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := audit.Verify(ctx, tx, tenant)
		return err
	})
	if err == nil {
		err = d.InRegion(ctx, "12", func(tx pgx.Tx) error {
			_, err := audit.VerifyConsole(ctx, tx, "12")
			return err
		})
	}
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(enteRate, "ente-events/s")
	b.ReportMetric(consoleRate, "one-lane-events/s")
	b.ReportMetric(enteRate/consoleRate, "ratio")
}

// auditRate runs write from auditWriters goroutines for auditDuration and
// returns the events written per second.
func auditRate(ctx context.Context, write func(context.Context, int64) error) (float64, error) {
	var (
		n       atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	deadline := time.Now().Add(auditDuration)
	start := time.Now()
	for range auditWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := write(ctx, n.Add(1)); err != nil {
					errOnce.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds(), first
}
