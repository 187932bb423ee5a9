package jobs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sigess/sigess/internal/jobs"
)

// TestHandlerResultsAreCounted runs a failing and a succeeding job and reads
// sigess_jobs_processed_total from the registry.
func TestHandlerResultsAreCounted(t *testing.T) {
	ctx := context.Background()
	tenant := newTenant(t)
	reg := prometheus.NewRegistry()
	m := jobs.NewMetrics(reg)
	r := newRig(t, m)
	r.worker.Handle("test:fails", func(ctx context.Context, j jobs.Job) error { return errors.New("SMTP refused") })
	r.worker.Handle("test:works", func(ctx context.Context, j jobs.Job) error { return nil })
	r.start(t)

	enqueue(t, tenant, "test:fails", nil)
	enqueue(t, tenant, "test:works", nil)
	if sent, err := r.relay.RelayOnce(ctx); err != nil || sent != 2 {
		t.Fatalf("RelayOnce = %d, %v; want 2, nil", sent, err)
	}
	processed := func(typ, result string) float64 {
		return testutil.ToFloat64(m.JobsProcessed.WithLabelValues(typ, result))
	}
	waitFor(t, "both jobs to be handled", func() bool {
		return processed("test:fails", "error") >= 1 && processed("test:works", "ok") >= 1
	})
	for _, tc := range []struct {
		typ, result string
		want        float64
	}{
		{"test:fails", "error", 1}, // asynq retries it after 15 s at the earliest
		{"test:fails", "ok", 0},
		{"test:works", "ok", 1},
		{"test:works", "error", 0},
	} {
		if got := processed(tc.typ, tc.result); got != tc.want {
			t.Errorf("sigess_jobs_processed_total{type=%q,result=%q} = %v, want %v", tc.typ, tc.result, got, tc.want)
		}
	}
	if n := testutil.ToFloat64(m.OutboxRelayed); n != 2 {
		t.Errorf("sigess_outbox_relayed_total = %v, want 2", n)
	}
	for _, name := range []string{"sigess_jobs_processed_total", "sigess_outbox_relayed_total",
		"sigess_outbox_relay_errors_total", "sigess_outbox_pending"} {
		if n, err := testutil.GatherAndCount(reg, name); err != nil || n == 0 {
			t.Errorf("registry has %d series of %s (err %v), want it registered", n, name, err)
		}
	}
}
