package jobs_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/jobs"
)

// TestRedisOutage writes a job while Redis is down: the relay fails and keeps
// the row, relays it once Redis is back, and the handler runs exactly once,
// even when the row is relayed a second time.
func TestRedisOutage(t *testing.T) {
	ctx := context.Background()
	tenant := newTenant(t)
	r := newRig(t, jobs.NewMetrics(nil))
	var (
		runs atomic.Int64
		mu   sync.Mutex
		got  jobs.Job
	)
	r.worker.Handle("test:outage", func(ctx context.Context, j jobs.Job) error {
		mu.Lock()
		got = j
		mu.Unlock()
		runs.Add(1)
		return nil
	})
	r.start(t)

	r.redis.Stop(t)
	id := enqueue(t, tenant, "test:outage", map[string]string{"to": "ufficio@comune.example"})
	sent, err := r.relay.RelayOnce(ctx)
	if err == nil || sent != 0 {
		t.Fatalf("RelayOnce with Redis down = %d, %v; want 0 and an error", sent, err)
	}
	if s := readOutbox(t, tenant, id); s.sentAt != nil || s.attempts != 1 || s.lastError == "" {
		t.Fatalf("row after failed relay: sent_at %v, attempts %d, last_error %q; want pending, 1 attempt, an error",
			s.sentAt, s.attempts, s.lastError)
	}
	if n := testutil.ToFloat64(r.metrics.OutboxRelayErrors); n != 1 {
		t.Errorf("relay errors = %v, want 1", n)
	}

	r.redis.Start(t)
	if sent, err := r.relay.RelayOnce(ctx); err != nil || sent != 1 {
		t.Fatalf("RelayOnce with Redis back = %d, %v; want 1, nil", sent, err)
	}
	if s := readOutbox(t, tenant, id); s.sentAt == nil {
		t.Fatal("row not marked sent after a successful relay")
	}
	waitFor(t, "the job to run", func() bool { return runs.Load() >= 1 })
	waitFor(t, "asynq to complete the task", func() bool { return r.queueSettled(t, 1) })
	if n := runs.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want 1", n)
	}
	mu.Lock()
	var payload map[string]string
	if err := json.Unmarshal(got.Payload, &payload); err != nil {
		t.Errorf("job payload %s: %v", got.Payload, err)
	}
	if got.ID != id || got.Tenant != tenant || got.Type != "test:outage" || payload["to"] != "ufficio@comune.example" {
		t.Errorf("handler got job %+v (payload %s), want id %s, tenant %s, type test:outage, the enqueued payload",
			got, got.Payload, id, tenant)
	}
	mu.Unlock()

	// A relay that enqueued the row but died before committing leaves it
	// pending: the next relay must mark it sent without running it again.
	err = pg.DB.Transact(ctx, db.Scope{OutboxRelay: true}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE outbox SET sent_at = NULL WHERE tenant_id = $1 AND id = $2`, tenant, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if sent, err := r.relay.RelayOnce(ctx); err != nil || sent != 1 {
		t.Fatalf("RelayOnce of an already enqueued row = %d, %v; want 1, nil", sent, err)
	}
	if s := readOutbox(t, tenant, id); s.sentAt == nil {
		t.Error("already enqueued row not marked sent")
	}
	if !r.queueSettled(t, 1) {
		t.Error("relaying the row again put a second task in the queue")
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("handler ran %d times, want 1", n)
	}
}

// TestRunRecoversFromRedisOutage leaves the relay loop running through an
// outage: it keeps the job, counts it as pending, logs the failure once and the
// recovery once, and delivers the job when Redis is back.
func TestRunRecoversFromRedisOutage(t *testing.T) {
	logs := newLogRecorder()
	old := slog.Default()
	slog.SetDefault(slog.New(logs))
	t.Cleanup(func() { slog.SetDefault(old) })

	tenant := newTenant(t)
	r := newRig(t, jobs.NewMetrics(nil))
	var runs atomic.Int64
	r.worker.Handle("test:run", func(ctx context.Context, j jobs.Job) error {
		runs.Add(1)
		return nil
	})
	r.start(t)
	r.redis.Stop(t)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		r.relay.Run(ctx, 20*time.Millisecond)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	id := enqueue(t, tenant, "test:run", nil)
	waitFor(t, "two failed relay rounds", func() bool { return readOutbox(t, tenant, id).attempts >= 2 })
	if n := testutil.ToFloat64(r.metrics.OutboxPending); n != 1 {
		t.Errorf("pending gauge during the outage = %v, want 1", n)
	}
	r.redis.Start(t)
	waitFor(t, "the job to run", func() bool { return runs.Load() == 1 })
	waitFor(t, "the pending gauge to drop", func() bool { return testutil.ToFloat64(r.metrics.OutboxPending) == 0 })
	waitFor(t, "asynq to complete the task", func() bool { return r.queueSettled(t, 1) })
	cancel()
	<-done

	if n := runs.Load(); n != 1 {
		t.Errorf("handler ran %d times, want 1", n)
	}
	if s := readOutbox(t, tenant, id); s.sentAt == nil {
		t.Error("row not marked sent")
	}
	counts := logs.counts("outbox-relay")
	if counts[slog.LevelError] != 1 || counts[slog.LevelInfo] != 1 {
		t.Errorf("relay logged %v at error/info; want the failure once and the recovery once", counts)
	}
}

// TestConcurrentRelays has two relays race over 200 rows: each row is
// enqueued and handled exactly once.
func TestConcurrentRelays(t *testing.T) {
	const rows = 200
	ctx := context.Background()
	tenant := newTenant(t)
	r := newRig(t, jobs.NewMetrics(nil))
	var (
		total atomic.Int64
		mu    sync.Mutex
		runs  = map[uuid.UUID]int{}
	)
	r.worker.Handle("test:concurrent", func(ctx context.Context, j jobs.Job) error {
		mu.Lock()
		runs[j.ID]++
		mu.Unlock()
		total.Add(1)
		return nil
	})
	r.start(t)

	want := map[uuid.UUID]int{} // id -> 1
	err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		for i := range rows {
			id, err := jobs.Enqueue(ctx, tx, tenant, "test:concurrent", map[string]int{"n": i})
			if err != nil {
				return err
			}
			want[id] = 1
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	relays := []*jobs.Relay{r.newRelay(t, nil), r.newRelay(t, nil)}
	sent := make([]int, len(relays))
	errs := make([]error, len(relays))
	var wg sync.WaitGroup
	begin := make(chan struct{})
	for i, relay := range relays {
		wg.Go(func() {
			<-begin
			for {
				n, err := relay.RelayOnce(ctx)
				sent[i] += n
				if err != nil || n == 0 {
					errs[i] = err
					return
				}
			}
		})
	}
	close(begin)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("relay %d: %v", i, err)
		}
	}
	if sent[0]+sent[1] != rows {
		t.Errorf("relays marked %d + %d rows sent, want %d in all", sent[0], sent[1], rows)
	}
	if n, err := r.relay.Pending(ctx); err != nil || n != 0 {
		t.Errorf("Pending = %d, %v; want 0", n, err)
	}

	waitFor(t, "every job to run", func() bool { return total.Load() >= rows })
	waitFor(t, "asynq to complete every task", func() bool { return r.queueSettled(t, rows) })
	mu.Lock()
	defer mu.Unlock()
	if len(runs) != len(want) {
		t.Errorf("%d distinct jobs ran, want %d", len(runs), len(want))
	}
	for id, n := range runs {
		if want[id] != 1 || n != 1 {
			t.Errorf("job %s ran %d times (enqueued: %v), want once", id, n, want[id] == 1)
		}
	}
}

// logRecorder is a slog.Handler that counts records by component and level.
type logRecorder struct {
	mu     *sync.Mutex
	byComp map[string]map[slog.Level]int
	attrs  []slog.Attr
}

func newLogRecorder() *logRecorder {
	return &logRecorder{mu: new(sync.Mutex), byComp: map[string]map[slog.Level]int{}}
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	component := ""
	find := func(a slog.Attr) bool {
		if a.Key == "component" {
			component = a.Value.String()
		}
		return true
	}
	for _, a := range h.attrs {
		find(a)
	}
	r.Attrs(find)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byComp[component] == nil {
		h.byComp[component] = map[slog.Level]int{}
	}
	h.byComp[component][r.Level]++
	return nil
}

func (h *logRecorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logRecorder{mu: h.mu, byComp: h.byComp, attrs: append(slices.Clip(h.attrs), attrs...)}
}

func (h *logRecorder) WithGroup(string) slog.Handler { return h }

// counts returns how many records component logged at each level.
func (h *logRecorder) counts(component string) map[slog.Level]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.byComp[component])
}
